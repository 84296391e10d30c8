"""Answering on Bluesky (docs/inbox.md, "Sending"): `com.atproto.repo.createRecord` of an
`app.bsky.feed.post` whose record key (a TID) is chosen before the first try and kept in the
outbox row's `request`, with the rest of the record (its reply's root and parent, its facets,
its `createdAt`): every try writes the same record at the same address.

Before any retry, `com.atproto.repo.getRecord` of that key: found, the reply was made and is
recorded; not found, it is written again. A repo holds one record per key, so two tries cannot
make two posts either.

Facets mark links, mentions and tags in UTF-8 byte offsets, as the lexicon wants; a mention's
handle is resolved to its DID when the reply is prepared.

A private answer is a chat message (`chat.bsky.convo.sendMessage` in the conversation the
customer wrote in, through the PDS's chat proxy). The chat API has no key: before any retry,
the conversation's newest messages are read, and the account's message of the same text, sent
since the first try, is the reply.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from rumeur.net.errors import AuthError, SourceError
from rumeur.net.http import Closing
from rumeur.settings.sources import BlueskySettings, secret
from rumeur.sources.bluesky.client import CHAT_PROXY, Account, BlueskyClient, _expired
from rumeur.sources.bluesky.source import password_env
from rumeur.sources.context import SourceContext
from rumeur.sources.reply import Sent, first_try_at, time_or_none
from rumeur.store.inbox import OutboxRow

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
SEND_MESSAGE = "/xrpc/chat.bsky.convo.sendMessage"
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and the chat service's
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"  # the sortable base32 of TIDs
_LINK = re.compile(rb"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")
_MENTION = re.compile(rb"(?:^|(?<=[\s(]))@([a-zA-Z0-9.-]+\.[a-zA-Z]{2,})")
_TAG = re.compile(rb"(?:^|(?<=\s))#([^\s#.,;:!?)\]]+)")


def tid(now_us: int | None = None, clock_id: int | None = None) -> str:
    """A record key in the TID form: 53 bits of microseconds since the epoch and 10 bits of
    clock id, 13 characters of sortable base32."""
    micros = now_us if now_us is not None else time.time_ns() // 1000
    clock = clock_id if clock_id is not None else secrets.randbelow(1024)
    value = (micros << 10) | clock
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def facets(text: str, dids: dict[str, str]) -> list[dict[str, Any]]:
    """The links, mentions (of the handles `dids` resolves) and tags of `text`, with their
    UTF-8 byte offsets."""
    data = text.encode("utf-8")
    found: list[dict[str, Any]] = []
    for match in _LINK.finditer(data):
        uri = match.group().decode("utf-8")
        found.append(_facet(match.start(), match.end(), {"$type": f"{_FACET}#link", "uri": uri}))
    for match in _MENTION.finditer(data):
        did = dids.get(match.group(1).decode("utf-8").lower())
        if did:
            feature = {"$type": f"{_FACET}#mention", "did": did}
            found.append(_facet(match.start(), match.end(), feature))
    for match in _TAG.finditer(data):
        tag = match.group(1).decode("utf-8")
        found.append(_facet(match.start(), match.end(), {"$type": f"{_FACET}#tag", "tag": tag}))
    return sorted(found, key=lambda f: f["index"]["byteStart"])


_FACET = "app.bsky.richtext.facet"


def _facet(start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def mentioned(text: str) -> list[str]:
    return [m.group(1).decode("utf-8").lower() for m in _MENTION.finditer(text.encode("utf-8"))]


class WritingClient(BlueskyClient):
    """The account's session, which also keeps the account's DID (the repo it writes to)."""

    did: str | None = None

    def _keep(self, body: Any) -> None:
        super()._keep(body)
        if isinstance(body, dict) and isinstance(body.get("did"), str):
            self.did = body["did"]


def build(settings: BlueskySettings, context: SourceContext, handle: str) -> BlueskyReplier:
    """The replier of the owned account `handle`, through the source `settings` (its PDS and
    app password); the password is read when the session is first needed."""
    name = f"bluesky:{settings.name}"
    env = password_env(settings)
    account = Account(
        settings.handle or handle,
        lambda: secret(name, "app password", env, settings.password_file),
        f"set {env}" if not settings.password_file else f"check {settings.password_file}",
    )
    client = WritingClient(
        name,
        settings.service,
        pds=settings.pds,
        account=account,
        limiter=context.limiter(f"bluesky:{urlsplit(settings.pds).hostname}:{account.handle}"),
        retry=context.retry(),
    )
    return BlueskyReplier(client, account.handle)


class BlueskyReplier(Closing):
    platform = "bluesky"

    def __init__(self, client: WritingClient, handle: str) -> None:
        self.client = client
        self.handle = handle.lstrip("@")

    def close(self) -> None:
        self.client.close()

    @property
    def source(self) -> str:
        return self.client.source

    def prepare(self, row: OutboxRow, now: datetime | None = None) -> dict[str, Any]:
        """The record, once: its key, its time, its reply refs (read from the parent's thread)
        and its facets. Stored before the first try, it is what every try writes."""
        if row.visibility == "direct":
            convo = row.request.get("thread")
            if not isinstance(convo, str) or not convo:
                raise SourceError(self.source, "the direct message has no chat conversation id")
            return {"convo": convo, "message": self._message(row.text)}
        if not row.reply_to:
            raise SourceError(self.source, "the reply has no post to answer")
        thread = self.client.thread(row.reply_to, depth=0, parent_height=0)
        post = thread.get("post") if isinstance(thread, dict) else None
        if not isinstance(post, dict) or not post.get("cid"):
            raise SourceError(
                self.source, f"the post {row.reply_to} could not be read (deleted?)", permanent=True
            )
        parent = {"uri": str(post["uri"]), "cid": str(post["cid"])}
        root = ((post.get("record") or {}).get("reply") or {}).get("root")
        if not (isinstance(root, dict) and root.get("uri") and root.get("cid")):
            root = parent
        at = (now or datetime.now(UTC)).astimezone(UTC)
        record: dict[str, Any] = {
            "$type": POST,
            "createdAt": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "reply": {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent},
        }
        return {"rkey": tid(), "record": self._message(row.text) | record}

    def _message(self, text: str) -> dict[str, Any]:
        """The text and its facets (a mention's handle resolved to its DID)."""
        dids = {}
        for handle in mentioned(text):
            try:
                dids[handle] = self.client.resolve_handle(handle)
            except SourceError:
                continue  # not a Bluesky handle: the text stays as it is, without a facet
        found = facets(text, dids)
        return {"text": text, "facets": found} if found else {"text": text}

    def send(self, row: OutboxRow) -> Sent:
        if row.visibility == "direct":
            return self._send_message(row)
        rkey, record = _prepared(row, self.source)
        body = {"repo": self._repo(), "collection": POST, "rkey": rkey, "record": record}
        response = self._authed(lambda h: self.client.http.write("POST", CREATE_RECORD, json=body,
                                                headers=h))  # fmt: skip
        return _sent(self.client.http.json(response), self.source)

    def _send_message(self, row: OutboxRow) -> Sent:
        """A private answer: `chat.bsky.convo.sendMessage`, through the PDS's chat proxy."""
        convo, message = row.request.get("convo"), row.request.get("message")
        if not isinstance(convo, str) or not isinstance(message, dict):
            raise SourceError(self.source, "the direct message was not prepared")
        body = {"convoId": convo, "message": message}
        proxy = {"atproto-proxy": CHAT_PROXY}
        response = self._authed(lambda h: self.client.http.write("POST", SEND_MESSAGE,
                                                json=body, headers=h | proxy))  # fmt: skip
        answer = self.client.http.json(response)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise SourceError(self.source, "sendMessage answered with no message", permanent=False)
        return Sent(native_id=str(answer["id"]), extra={"convo": convo})

    def _find_message(self, row: OutboxRow) -> Sent | None:
        """The account's message of the same text in the conversation, sent since the first
        try was prepared. The chat API has no key: this read is the guard."""
        convo = row.request.get("convo")
        if not isinstance(convo, str):
            return None
        self._session()
        since = first_try_at(row)
        for message in self.client.messages(convo, limit=100).items:
            sender = (message.get("sender") or {}).get("did")
            if sender != self.client.did or message.get("text") != row.text:
                continue
            sent_at = time_or_none(message.get("sentAt"))
            if since is not None and sent_at is not None and sent_at < since - CLOCK_SKEW:
                continue
            return Sent(native_id=str(message.get("id")), extra={"convo": convo})
        return None

    def find(self, row: OutboxRow) -> Sent | None:
        """The record at the reply's key, if the repo holds it (for a direct message, the
        account's message in the conversation)."""
        if row.visibility == "direct":
            return self._find_message(row)
        return self.record_at(row)

    def record_at(self, row: OutboxRow, what: str = "reply") -> Sent | None:
        """The record at the row's prepared key (a reply's or a post's), if the repo holds it."""
        rkey, _ = _prepared(row, self.source, what)
        params = {"repo": self._repo(), "collection": POST, "rkey": rkey}
        try:
            body = self.client.http.get_json(GET_RECORD, params=params)
        except SourceError as exc:
            if "RecordNotFound" in str(exc) or "Could not locate record" in str(exc):
                return None
            raise
        return _sent(body, self.source)

    def _repo(self) -> str:
        self._session()
        return self.client.did or self.handle

    def _session(self) -> None:
        if self.client._access is None:
            self.client._login()

    def _authed(self, call: Any) -> Any:
        self._session()
        try:
            return call({"Authorization": f"Bearer {self.client._access}"})
        except SourceError as exc:
            if not _expired(exc):
                raise
        self.client._renew()
        try:
            return call({"Authorization": f"Bearer {self.client._access}"})
        except SourceError as exc:
            if _expired(exc):
                raise AuthError(self.source, str(exc).removeprefix(f"{self.source}: ")) from None
            raise


def _prepared(row: OutboxRow, source: str, what: str = "reply") -> tuple[str, dict[str, Any]]:
    """The record key and record stored before the first try (the reply's, or the post's)."""
    rkey, record = row.request.get("rkey"), row.request.get("record")
    if not isinstance(rkey, str) or not isinstance(record, dict):
        raise SourceError(source, f"the {what} was not prepared (no record key)")
    return rkey, record


def _sent(body: Any, source: str) -> Sent:
    if not isinstance(body, dict) or not body.get("uri"):
        raise SourceError(source, "the repo answered with no record", permanent=False)
    return Sent(native_id=str(body["uri"]), extra={"cid": body.get("cid")})
