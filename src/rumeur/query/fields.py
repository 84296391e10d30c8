"""The fields a query may name: rumeur's own, Brandwatch's names for them, and Brandwatch's fields
that rumeur does not know (refused by name, so that a pasted query fails clearly).

A field's value is read here and becomes a tree node (`ast.Filter`, or a `Phrase` of a stream for
`title:` and places); a bad value raises `FieldError` with what the field takes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from rumeur.i18n import _
from rumeur.query.ast import Filter, Node
from rumeur.query.tokens import fold_tag

SENTIMENTS = ("negative", "neutral", "positive")
EMOTIONS = ("anger", "joy", "optimism", "sadness", "none")  # none: no clear emotion
TYPES = ("original", "reply", "quote", "repost")
ENGAGEMENT_TYPES = {"RETWEET": "repost", "QUOTE": "quote", "REPLY": "reply"}

# Brandwatch's names for rumeur's fields.
SYNONYMS = {
    "language": "lang",
    "authorFollowers": "followers",
    "authorVerified": "verified",
    "engagementType": "type",
    "links": "site",
    "country": "location",
    "region": "location",
    "city": "location",
    "continent": "location",
}
OWN = (
    "title", "lang", "author", "platform", "site", "url", "location", "sentiment", "emotion",
    "reason", "followers", "engagement", "verified", "type", "brand",
)  # fmt: skip

# Brandwatch fields with no counterpart in rumeur: refused by name.
BRANDWATCH_ONLY = frozenset(
    {
        "authorGender", "authorVerifiedType", "authorLocation", "blogName", "county",
        "engagingWith",
        "guid", "impact", "latitude", "longitude", "minuteOfDay", "pageType", "parentBlogName",
        "parentPostId", "rating", "raw", "redditAuthorFlair", "redditPostFlair", "redditspoiler",
        "state", "subreddit", "subredditNSFW", "tags", "timeOfDay", "dayOfWeek", "accountType",
        "authorProfession", "authorInterest", "insightsEmoticon", "insightsHashtag",
        "insightsMentioned", "insightsUrl", "postByAuthor", "replyTo", "retweetsOf",
        "quotesOf", "tweetId", "reach", "impressions", "priority", "checked", "status",
    }
)  # fmt: skip

# A value of each field, shown when a query leaves a field without one (`lang:`).
EXAMPLES = {
    "title": '"a phrase"', "lang": "fr", "author": "laposte", "platform": "bluesky",
    "site": "lemonde.fr", "url": '"lemonde.fr/economie"', "location": "lyon",
    "sentiment": "negative", "emotion": "anger", "reason": '"late flight"',
    "followers": ">10000", "engagement": ">50", "verified": "true", "type": "reply",
    "language": "fr", "authorFollowers": ">10000", "authorVerified": "true",
    "engagementType": "REPLY", "links": "lemonde.fr", "country": "france",
    "region": "gbr.england", "city": "lyon", "continent": "europe", "brand": '"Virgin America"',
}  # fmt: skip

MAX_NUMBER = 2**63 - 1  # the store's integers are 64 bits wide
_COMPARE = re.compile(r"^(>=|<=|>|<)?(\d+)$")
_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")
_LANG = re.compile(r"^[a-z]{2}$")


class FieldError(ValueError):
    """A field the query may not use, or a value it does not take."""


def canonical(name: str) -> str:
    """rumeur's name of field `name`, or FieldError naming the problem."""
    if name in OWN:
        return name
    if name in SYNONYMS:
        return SYNONYMS[name]
    if name in BRANDWATCH_ONLY:
        raise FieldError(
            _("{field}: is a Brandwatch field that rumeur does not support").format(field=name)
        )
    close = [f for f in (*OWN, *SYNONYMS, *BRANDWATCH_ONLY) if f.lower() == name.lower()]
    if close:
        raise FieldError(
            _("unknown field {field}: (fields are case-sensitive: {known}:)").format(
                field=name, known=close[0]
            )
        )
    raise FieldError(
        _(
            "unknown field {field}: rumeur knows {fields} "
            '(to search a word with a colon, quote it: "10:30")'
        ).format(field=name, fields=", ".join(f"{f}:" for f in OWN))
    )


def filter_node(name: str, field: str, value: str) -> Node:
    """The filter for `field` (canonical) given as `name:value`; text fields are not filters."""
    reader = _READERS.get(field)
    if reader is None:
        raise FieldError(_("{field}: takes words, not '{value}'").format(field=name, value=value))
    return reader(name, value)


def _choice(field: str, choices: tuple[str, ...]) -> Callable[[str, str], Node]:
    def read(name: str, value: str) -> Node:
        if value.lower() not in choices:
            raise FieldError(
                _("{field}: takes {choices}, not '{value}'").format(
                    field=name, choices=_either(choices), value=value
                )
            )
        return Filter(field, "eq", value.lower())

    return read


def _lang(name: str, value: str) -> Node:
    if not _LANG.match(value.lower()):
        raise FieldError(
            _(
                "{field}: takes a two-letter language code (ISO 639-1) such as fr or en, "
                "not '{value}'"
            ).format(field=name, value=value)
        )
    return Filter("lang", "eq", value.lower())


def _platform(name: str, value: str) -> Node:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise FieldError(
            _("{field}: takes a network's name such as bluesky or mastodon").format(field=name)
        )
    return Filter("platform", "eq", value.lower())


def _author(name: str, value: str) -> Node:
    handle = fold_tag(value.strip().lstrip("@"))
    if not handle or handle[0] in "*?":
        raise FieldError(
            _("{field}: takes a handle (wildcards only after its first letter)").format(field=name)
        )
    return Filter("author", "match" if _wild(handle) else "eq", handle)


def _site(name: str, value: str) -> Node:
    host = value.strip().lower()
    if "//" in host:
        host = urlsplit(host).hostname or ""
    host = host.split("/")[0].removeprefix("www.").strip(".")
    if not host or not re.fullmatch(r"[\w*?.-]+", host):
        raise FieldError(
            _("{field}: takes a domain such as lemonde.fr, not '{value}'").format(
                field=name, value=value
            )
        )
    return Filter("site", "match", host)


def _url(name: str, value: str) -> Node:
    part = value.strip().lower()
    if not part.strip("*?"):
        raise FieldError(
            _("{field}: takes a part of an address such as lemonde.fr/economie").format(field=name)
        )
    return Filter("url", "match", part)


def _number(field: str) -> Callable[[str, str], Node]:
    def read(name: str, value: str) -> Node:
        if (found := _RANGE.match(value)) is not None:
            low, high = (_count(name, v) for v in found.groups())
            if low > high:
                raise FieldError(
                    _("{field}: the range [{low} TO {high}] runs backwards").format(
                        field=name, low=low, high=high
                    )
                )
            return Filter(field, "range", (low, high))
        found = _COMPARE.match(value.replace(" ", ""))
        if found is None:
            raise FieldError(
                _("{field}: takes a number, a comparison (>10000) or [1000 TO 5000]").format(
                    field=name
                )
            )
        sign, number = found.groups()
        op = {None: "eq", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}[sign]
        return Filter(field, op, _in_store(name, number))  # type: ignore[arg-type]

    return read


def _count(name: str, text: str) -> int:
    if not text.isdigit():
        raise FieldError(
            _("{field}: a range holds whole numbers, not '{value}'").format(field=name, value=text)
        )
    return _in_store(name, text)


def _in_store(name: str, digits: str) -> int:
    """A number the store can compare: its integers hold 64 bits."""
    if len(digits.lstrip("0")) > len(str(MAX_NUMBER)) or int(digits) > MAX_NUMBER:
        raise FieldError(
            _("{field}: {value} is larger than any count rumeur stores (at most {most})").format(
                field=name, value=digits, most=MAX_NUMBER
            )
        )
    return int(digits)


def _verified(name: str, value: str) -> Node:
    if value.lower() not in ("true", "false"):
        raise FieldError(
            _("{field}: takes true or false, not '{value}'").format(field=name, value=value)
        )
    return Filter("verified", "eq", value.lower() == "true")


def _type(name: str, value: str) -> Node:
    if name == "engagementType":
        if value not in ENGAGEMENT_TYPES:
            raise FieldError(
                _("{field}: takes {choices} in capitals, not '{value}'").format(
                    field=name, choices=_either(tuple(ENGAGEMENT_TYPES)), value=value
                )
            )
        return Filter("type", "eq", ENGAGEMENT_TYPES[value])
    return _choice("type", TYPES)(name, value)


def brand_key(name: str) -> str:
    """A brand's name as `brand:` compares it: without the case (`brand:american` finds the
    posts about American). The same for the query's value and the post's brands."""
    return name.strip().lower()


def _brand(name: str, value: str) -> Node:
    key = brand_key(value)
    if not key or _wild(key):
        raise FieldError(
            _('{field}: takes a brand\'s whole name, such as American or "Virgin America"').format(
                field=name
            )
        )
    return Filter("brand", "eq", key)


def _reason(name: str, value: str) -> Node:
    return Filter("reason", "eq", " ".join(value.lower().split()))


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _either(choices: tuple[str, ...]) -> str:
    return _("{first} or {last}").format(first=", ".join(choices[:-1]), last=choices[-1])


_READERS: dict[str, Callable[[str, str], Node]] = {
    "lang": _lang,
    "platform": _platform,
    "author": _author,
    "site": _site,
    "url": _url,
    "sentiment": _choice("sentiment", SENTIMENTS),
    "emotion": _choice("emotion", EMOTIONS),
    "reason": _reason,
    "followers": _number("followers"),
    "engagement": _number("engagement"),
    "verified": _verified,
    "type": _type,
    "brand": _brand,
}
