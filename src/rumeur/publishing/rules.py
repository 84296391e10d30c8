"""Each network's rules on one variant (docs/publish.md, "Rules"), checked before an item is
scheduled; the page's live counter and the refusal use the same functions.

- Bluesky: 300 graphemes (Unicode's extended grapheme clusters: an emoji with its skin tone or
  a ZWJ family, a flag, a letter and its combining accents, each one) and 3,000 bytes of UTF-8;
  up to 4 images, each with its alt text.
- Mastodon: 500 characters, or the instance's own limit (`/api/v2/instance`'s
  `configuration.statuses.max_characters`) when it is known; the content warning counts with
  the text, as Mastodon's validator counts it; every link counts as 23 characters whatever its
  length, and a remote mention counts its user name only; up to 4 media, each with its
  description; visibility public, unlisted, private or direct.
  A poll: 2 to 4 answers of at most 50 characters, open five minutes to a month, and no
  media beside it.
- Reddit: a title (1 to 300 characters) and a body of at most 40,000; no media from rumeur.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import regex

from rumeur.i18n import _
from rumeur.model import platform_name

BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
MASTODON_CHARACTERS = 500
LINK_LENGTH = 23  # what Mastodon counts for any link
REDDIT_TITLE = 300
REDDIT_BODY = 40_000
MAX_MEDIA = 4
SPOILER_LENGTH = 500  # what an item's row keeps of a content warning
VISIBILITIES = ("public", "unlisted", "private", "direct")
NETWORKS = ("bluesky", "mastodon", "reddit")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
# A Mastodon poll, as a default instance takes one (`/api/v2/instance`'s configuration.polls).
POLL_OPTIONS = (2, 4)
POLL_OPTION_LENGTH = 50
POLL_EXPIRES = (300, 2_629_746)  # five minutes to a month, in seconds

_GRAPHEME = regex.compile(r"\X")
_LINK = regex.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'\""
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@[\w.-]+)@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Media:
    path: str
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """What one account will post, as the rules read it."""

    platform: str
    text: str
    title: str | None = None
    media: tuple[Media, ...] = ()
    visibility: str | None = None
    spoiler: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def graphemes(text: str) -> int:
    """How many extended grapheme clusters `text` holds: what a reader counts as characters."""
    return len(_GRAPHEME.findall(text))


def mastodon_length(text: str) -> int:
    """`text`'s length as Mastodon counts it: each link as 23, remote mentions without their
    domain, then graphemes."""

    def link(match: regex.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_TRAILING)
        return "x" * LINK_LENGTH + url[len(kept) :]

    return graphemes(_REMOTE_MENTION.sub(r"\1", _LINK.sub(link, text)))


def check(draft: Draft, mastodon_limit: int | None = None) -> list[str]:
    """Why the network would refuse `draft`, one short line a rule (in the reader's language);
    empty when it would take it. `mastodon_limit`: the instance's own, when known."""
    if draft.platform == "bluesky":
        return _bluesky(draft)
    if draft.platform == "mastodon":
        return _mastodon(draft, mastodon_limit or MASTODON_CHARACTERS)
    if draft.platform == "reddit":
        return _reddit(draft)
    return [_("rumeur cannot publish on {network}").format(network=platform_name(draft.platform))]


def _bluesky(draft: Draft) -> list[str]:
    found = _empty(draft.text) + _media(draft.media, "Bluesky")
    used = graphemes(draft.text)
    if used > BLUESKY_GRAPHEMES:
        found.append(_too_long(used, "Bluesky", BLUESKY_GRAPHEMES))
    size = len(draft.text.encode("utf-8"))
    if size > BLUESKY_BYTES:
        found.append(
            _("{size} bytes: Bluesky takes at most {limit}").format(size=size, limit=BLUESKY_BYTES)
        )
    for media in draft.media:
        if PurePath(media.path).suffix.lower() not in IMAGE_SUFFIXES:
            found.append(
                _("{name} is not an image (png, jpeg, gif or webp): Bluesky takes images only")
                .format(name=PurePath(media.path).name)
            )  # fmt: skip
    return found


def _mastodon(draft: Draft, limit: int) -> list[str]:
    found = _empty(draft.text) + _media(draft.media, "Mastodon")
    used = mastodon_length(draft.text) + mastodon_length(draft.spoiler or "")
    if used > limit:
        found.append(_too_long(used, "Mastodon", limit))
    if len(draft.spoiler or "") > SPOILER_LENGTH:
        found.append(
            _("the content warning is {used} characters long: rumeur keeps at most {limit}")
            .format(used=len(draft.spoiler or ""), limit=SPOILER_LENGTH)
        )  # fmt: skip
    if draft.visibility is not None and draft.visibility not in VISIBILITIES:
        found.append(
            _("visibility {value!r}: Mastodon takes public, unlisted, private or direct").format(
                value=draft.visibility
            )
        )
    poll = draft.extra.get("poll")
    if isinstance(poll, dict):
        found += _poll(poll, bool(draft.media))
    return found


def _poll(poll: dict[str, object], media: bool) -> list[str]:
    found: list[str] = []
    options = [str(o) for o in poll.get("options") or []]  # type: ignore[attr-defined]
    low, high = POLL_OPTIONS
    if not low <= len(options) <= high:
        found.append(_("a poll of {count} answers: Mastodon takes {low} to {high}").format(
            count=len(options), low=low, high=high))  # fmt: skip
    for option in options:
        if not option.strip() or graphemes(option) > POLL_OPTION_LENGTH:
            found.append(_("the answer {option!r}: Mastodon takes 1 to {limit} characters").format(
                option=option[:60], limit=POLL_OPTION_LENGTH))  # fmt: skip
    expires = poll.get("expires_in")
    if not isinstance(expires, int) or not POLL_EXPIRES[0] <= expires <= POLL_EXPIRES[1]:
        found.append(_("a poll stays open five minutes to a month on Mastodon"))
    if media:
        found.append(_("Mastodon takes a poll or media, not both"))
    return found


def _reddit(draft: Draft) -> list[str]:
    found: list[str] = []
    title = (draft.title or "").strip()
    if not title:
        found.append(_("Reddit needs a title (give the variant a title)"))
    elif len(title) > REDDIT_TITLE:
        found.append(
            _("the title is {used} characters long: Reddit takes at most {limit}").format(
                used=len(title), limit=REDDIT_TITLE
            )
        )
    if len(draft.text) > REDDIT_BODY:
        found.append(_too_long(len(draft.text), "Reddit", REDDIT_BODY))
    if draft.media:
        found.append(_("rumeur does not post media to Reddit"))
    return found


def _empty(text: str) -> list[str]:
    return [] if text.strip() else [_("the text is empty")]


def _media(media: Sequence[Media], network: str) -> list[str]:
    found: list[str] = []
    if len(media) > MAX_MEDIA:
        found.append(
            _("{count} media: {network} takes at most {limit}").format(
                count=len(media), network=network, limit=MAX_MEDIA
            )
        )
    for item in media:
        if not item.alt.strip():
            found.append(
                _("{name} has no alt text: every image needs one").format(
                    name=PurePath(item.path).name
                )
            )
    return found


def _too_long(used: int, network: str, limit: int) -> str:
    return _("{used} characters: {network} takes at most {limit}").format(
        used=used, network=network, limit=limit
    )
