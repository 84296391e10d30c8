"""Answering on Reddit (docs/inbox.md, "Sending"): `POST /api/comment` with the parent's
fullname as `thing_id`, as the owned account (the password grant of its source): a comment's
or a post's (`t1_`, `t3_`) for a public answer, a private message's (`t4_`) for a private one.

Reddit has no idempotency key. Before any retry, the account's newest comments
(`/user/<name>/comments`, or `/message/sent` for a private answer) are read, and a comment on
the same parent with the same text is the reply: found, it is recorded, not written again.
What this cannot promise: a comment Reddit made but does not list yet (its listings lag by
seconds) is not found, and would be made again.
"""

from __future__ import annotations

from typing import Any

from rumeur.net.errors import SourceError
from rumeur.net.http import Closing
from rumeur.settings.sources import RedditSettings
from rumeur.sources.context import SourceContext
from rumeur.sources.reddit.client import RedditClient, credentials
from rumeur.sources.reply import Sent
from rumeur.store.inbox import OutboxRow

COMMENT = "/api/comment/"
OWN_COMMENTS = 100  # the account's newest comments read back before a retry


def build(settings: RedditSettings, context: SourceContext, handle: str) -> RedditReplier:
    name = f"reddit:{settings.name}"
    if not settings.username:
        raise SourceError(name, "answering needs the account: give username and password_env")
    client = WritingClient(settings, context, name, credentials(settings, name))
    return RedditReplier(client, settings.username)


class WritingClient(RedditClient):
    def post(self, path: str, form: dict[str, str]) -> Any:
        """One try of a POST as the account (no retry); its JSON."""
        response = self.api.write("POST", path, data=form, headers=self._authorization())
        return self.api.json(response)


class RedditReplier(Closing):
    platform = "reddit"

    def __init__(self, client: WritingClient, username: str) -> None:
        self.client = client
        self.username = username.removeprefix("u/")

    @property
    def source(self) -> str:
        return self.client.source

    def close(self) -> None:
        self.client.close()

    def prepare(self, row: OutboxRow) -> dict[str, Any]:
        kinds = ("t4_",) if row.visibility == "direct" else ("t1_", "t3_")
        if not row.reply_to or not row.reply_to.startswith(kinds):
            what = "a private message" if row.visibility == "direct" else "a comment or a post"
            raise SourceError(self.source, f"cannot answer {row.reply_to!r}: not {what}")
        return {}

    def send(self, row: OutboxRow) -> Sent:
        form = {"api_type": "json", "thing_id": str(row.reply_to), "text": row.text}
        answer = json_answer(self.client.post(COMMENT, form), COMMENT, self.source)
        things = ((answer.get("data") or {}).get("things")) or []
        data = things[0].get("data") if things and isinstance(things[0], dict) else None
        if not isinstance(data, dict) or not data.get("name"):
            raise SourceError(self.source, f"{COMMENT} answered with no comment", permanent=False)
        return _sent(data)

    def find(self, row: OutboxRow) -> Sent | None:
        """The account's comment (or private message: its sent messages) on the same parent
        with the same text, if Reddit lists it."""
        path = f"/user/{self.username}/comments"
        if row.visibility == "direct":
            path = "/message/sent"
        listing = self.client.listing(path, {"sort": "new"}, limit=OWN_COMMENTS)
        wanted = _words(row.text)
        for thing in listing.things:
            data = thing.get("data")
            if not isinstance(data, dict) or data.get("parent_id") != row.reply_to:
                continue
            if str(data.get("author") or "").lower() != self.username.lower():
                continue
            if _words(str(data.get("body") or "")) == wanted:
                return _sent(data)
        return None


def json_answer(body: Any, path: str, source: str) -> dict[str, Any]:
    """The `json` object of an `api_type=json` answer from `path`; a SourceError when it names
    errors (permanent, but for RATELIMIT)."""
    answer = body.get("json") if isinstance(body, dict) else None
    answer = answer if isinstance(answer, dict) else {}
    errors = answer.get("errors") or []
    if errors:
        first = errors[0] if isinstance(errors[0], list) else [str(errors[0])]
        code = str(first[0]) if first else "error"
        said = ": ".join(str(part) for part in first[1:2]) or code
        # RATELIMIT ("you are doing that too much"): nothing was made, it can wait.
        raise SourceError(source, f"{path} refused it ({code}): {said}",
                          permanent=code != "RATELIMIT")  # fmt: skip
    return answer


def _sent(data: dict[str, Any]) -> Sent:
    permalink = data.get("permalink")
    url = f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None
    return Sent(native_id=str(data["name"]), url=url)


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()
