"""Publishing on Reddit (docs/publish.md, "Sending"): `POST /api/submit/` as the owned account,
in the subreddit the item names (`extra["subreddit"]`), with its title: a text post (`kind=self`,
the item's text) or, when the item gives `extra["url"]`, a link post (`kind=link`).

Reddit has no idempotency key. Before any retry, the account's newest submissions
(`/user/<name>/submitted`) are read, and one in the same subreddit with the same title, made
since the first try, is the post: found, it is recorded, not submitted again. What this cannot
promise: a submission Reddit made but does not list yet (its listings lag by seconds) is not
found, and would be made again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rumeur.net.errors import SourceError
from rumeur.sources.post import Post, ReplierPoster, post_of, same_words
from rumeur.sources.reddit.reply import RedditReplier, WritingClient, json_answer
from rumeur.sources.reply import Sent, first_try_at
from rumeur.store.inbox import OutboxRow

SUBMIT = "/api/submit/"
OWN_SUBMISSIONS = 100  # the account's newest submissions read back before a retry
CLOCK_SKEW = timedelta(minutes=2)


class RedditPoster(ReplierPoster[RedditReplier, WritingClient]):
    """The submissions of an owned account, through its replier's client (its password grant)."""

    platform = "reddit"

    def prepare(self, row: OutboxRow) -> dict[str, Any]:
        post = post_of(row, self.source)
        _subreddit(post, self.source)
        if not post.title:
            raise SourceError(self.source, "a Reddit post needs a title", permanent=True)
        return {}

    def form(self, row: OutboxRow) -> dict[str, str]:
        """The submission's form fields, as `POST /api/submit` reads them."""
        post = post_of(row, self.source)
        form = {
            "api_type": "json",
            "sr": _subreddit(post, self.source),
            "title": str(post.title or ""),
            "resubmit": "true",
            "sendreplies": "true",
        }
        url = post.extra.get("url")
        if isinstance(url, str) and url:
            form |= {"kind": "link", "url": url}
            if row.text:
                form["text"] = row.text
        else:
            form |= {"kind": "self", "text": row.text}
        return form

    def send(self, row: OutboxRow) -> Sent:
        answer = json_answer(self.client.post(SUBMIT, self.form(row)), SUBMIT, self.source)
        data = answer.get("data")
        if not isinstance(data, dict) or not data.get("name"):
            raise SourceError(self.source, f"{SUBMIT} answered with no post", permanent=False)
        return Sent(native_id=str(data["name"]), url=data.get("url"))

    def find(self, row: OutboxRow) -> Sent | None:
        """The account's submission in the same subreddit with the same title, made since the
        first try, if Reddit lists it."""
        post = post_of(row, self.source)
        subreddit = _subreddit(post, self.source).lower()
        since = first_try_at(row)
        path = f"/user/{self.replier.username}/submitted"
        listing = self.client.listing(path, {"sort": "new"}, limit=OWN_SUBMISSIONS)
        for thing in listing.things:
            data = thing.get("data")
            if not isinstance(data, dict) or not data.get("name"):
                continue
            if str(data.get("subreddit") or "").lower() != subreddit:
                continue
            if not same_words(str(data.get("title") or ""), str(post.title or "")):
                continue
            if _older(data.get("created_utc"), since):
                continue  # an older post of the same title: not this one
            permalink = data.get("permalink")
            url = f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None
            return Sent(native_id=str(data["name"]), url=url)
        return None


def _subreddit(post: Post, source: str) -> str:
    value = post.extra.get("subreddit")
    if not isinstance(value, str) or not value.strip():
        raise SourceError(source, "a Reddit post needs a subreddit", permanent=True)
    return value.strip().removeprefix("/").removeprefix("r/")


def _older(created_utc: Any, since: datetime | None) -> bool:
    """Whether a submission made at `created_utc` is older than the first try (`since`)."""
    if since is None or not isinstance(created_utc, int | float):
        return False
    return datetime.fromtimestamp(created_utc, UTC) < since - CLOCK_SKEW
