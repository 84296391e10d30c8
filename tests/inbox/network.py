"""A stateful fake of the three networks the inbox answers on, for the sender's tests.

The replay server (tests/replay) serves what was recorded; answering needs a network that
really makes a post once: a Mastodon instance that makes one status per `Idempotency-Key` and
gives it again to a request that reuses the key, a Bluesky PDS that holds one record per record
key and reads it back with getRecord (and a chat service, which makes a message per request
and lists a conversation's messages), and Reddit, which lists the account's comments. Every
payload is a recorded one (tests/replay's cassettes) with its ids, text and refs changed.

A plan of faults per route (`plan`) says what the next requests get:

- `"ok"`: made and answered (what happens when the plan is empty);
- `"drop"`: made, then the connection is cut without an answer (the lost answer);
- `"hold-before"`: the request waits, unmade, until `release()`, then gets a 503 (a sender
  killed while it waits has sent nothing the network kept);
- `"hold-after"`: made, then the answer waits until `release()` (a sender killed while it
  waits is killed after the network accepted the reply, before the outbox recorded it);
- an int: that status, unmade, with the network's own error body.

`holding` is set once a request waits. Every request is logged (`requests`, `requests_to`) as
the replay server logs them. Each answer closes its connection, so that no kept-alive socket
outlives a test.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from inbox_site import LAPOSTE
from replay.cassettes import load_cassette
from replay.server import RecordedRequest

DID = "did:plc:5c2r73erhng4bszmxlfdtscf"  # the recorded session's account
PARENT_URI = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"
STATUSES = "POST /api/v1/statuses"
CREATE_RECORD = "POST /xrpc/com.atproto.repo.createRecord"
COMMENT = "POST /api/comment/"
# Publishing (docs/publish.md, "Sending"): a post's routes.
MEDIA = "POST /api/v2/media"
UPLOAD_BLOB = "POST /xrpc/com.atproto.repo.uploadBlob"
SUBMIT = "POST /api/submit/"
ME = "117020566092212359"  # the Mastodon account's id (verify_credentials)


def recorded(cassette: str, method: str, path: str, status: int = 200) -> Any:
    """The JSON body of a cassette's answer to `method path`."""
    for i in load_cassette(cassette):
        if i.method == method and i.path.rstrip("/") == path.rstrip("/") and i.status == status:
            return i.json()
    raise AssertionError(f"no {method} {path} in {cassette}")


def mastodon_reply() -> dict[str, Any]:
    """The recorded reply status (the second POST of status-reply)."""
    posts = [
        i.json()
        for i in load_cassette("mastodon/status-reply.cassette.yaml")
        if i.method == "POST" and i.path == "/api/v1/statuses"
    ]
    return posts[1]


@dataclass
class Fake:
    """What the fake networks hold."""

    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> status
    keys: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> status id
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey -> record
    comments: list[dict[str, Any]] = field(default_factory=list)  # Reddit, newest last
    chat: list[dict[str, Any]] = field(default_factory=list)  # Bluesky's chat, newest last
    media: dict[str, dict[str, Any]] = field(default_factory=dict)  # Mastodon's attachments
    processing: dict[str, int] = field(default_factory=dict)  # attachment -> reads left
    blobs: list[dict[str, Any]] = field(default_factory=list)  # uploadBlob's answers
    submissions: list[dict[str, Any]] = field(default_factory=list)  # Reddit, newest last


class Network:
    def __init__(self) -> None:
        self.fake = Fake()
        self.log: list[RecordedRequest] = []
        self.plans: dict[str, list[str | int]] = {}
        self.holding = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._next = 117020590000000000
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.status = mastodon_reply()
        session = "bluesky/createSession.cassette.yml"
        self.session = recorded(session, "POST", "/xrpc/com.atproto.server.createSession")
        self.session |= {"accessJwt": "access-jwt-of-the-test", "refreshJwt": "refresh-jwt"}
        self.thread = recorded(
            "bluesky/getPostThread.cassette.yml", "GET", "/xrpc/app.bsky.feed.getPostThread"
        )
        created = "bluesky/createRecord-reply.cassette.yml"
        self.created = recorded(created, "POST", "/xrpc/com.atproto.repo.createRecord")
        self.got_record = recorded(created, "GET", "/xrpc/com.atproto.repo.getRecord")
        chat = "bluesky/chat-sendMessage.cassette.yml"
        self.chat_message = recorded(chat, "POST", "/xrpc/chat.bsky.convo.sendMessage")
        reply = "reddit/comment-reply.2016.cassette.json"
        self.token = recorded(reply, "POST", "/api/v1/access_token")
        self.comment = recorded(reply, "POST", "/api/comment/")
        post = "bluesky/createRecord-post.cassette.yml"
        self.blob = recorded(post, "POST", "/xrpc/com.atproto.repo.uploadBlob")
        submit = "reddit/oauth-token_submit_post-comments.2025.cassette.json"
        self.submitted = recorded(submit, "POST", "/api/submit/")
        self.processing_reads = 1  # GET /api/v1/media/:id answers 206 this many times
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)  # when a post is made

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Network:
        network = self

        class Handler(_Handler):
            pass

        Handler.network = network
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-network"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- the test's side ---------------------------------------------------------------------

    def plan(self, route: str, *actions: str | int) -> None:
        with self._lock:
            self.plans.setdefault(route, []).extend(actions)

    def release(self) -> None:
        self._release.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.log)

    def requests_to(self, route: str) -> list[RecordedRequest]:
        method, path = route.split(" ", 1)
        return [r for r in self.requests if r.method == method and r.path == path]

    def posts(self) -> list[dict[str, Any]]:
        """What the networks hold that the sender made: Mastodon statuses, Bluesky records,
        Reddit comments."""
        with self._lock:
            return [
                *self.fake.statuses.values(),
                *self.fake.records.values(),
                *self.fake.comments,
                *self.fake.chat,
                *self.fake.submissions,
            ]

    # -- the networks ------------------------------------------------------------------------

    def _action(self, route: str) -> str | int:
        with self._lock:
            queue = self.plans.get(route)
            return queue.pop(0) if queue else "ok"

    def _new_id(self) -> str:
        with self._lock:
            self._next += 1
            return str(self._next)

    def make_status(self, form: dict[str, str], key: str | None) -> dict[str, Any]:
        with self._lock:
            if key and key in self.fake.keys:
                return self.fake.statuses[self.fake.keys[key]]
        sid = self._new_id()
        status = copy.deepcopy(self.status)
        status |= {
            "id": sid,
            "uri": f"http://localhost:3000/ap/users/117020566092212359/statuses/{sid}",
            "url": f"http://localhost:3000/@mastodonpy_test_2/{sid}",
            "content": f"<p>{form.get('status', '')}</p>",
            "in_reply_to_id": form.get("in_reply_to_id"),
            "visibility": form.get("visibility", "public"),
            "spoiler_text": form.get("spoiler_text", ""),
            "created_at": self.now().isoformat(timespec="milliseconds"),
            "media_attachments": [self.fake.media[i] for i in form.get("media_ids[]", [])],
        }
        with self._lock:
            self.fake.statuses[sid] = status
            if key:
                self.fake.keys[key] = sid
        return status

    def make_record(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The record made at its key; None when the key already holds one."""
        rkey = body["rkey"]
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        with self._lock:
            if rkey in self.fake.records:
                return None
            self.fake.records[rkey] = {
                "uri": uri,
                "cid": f"bafyreifake{rkey}",
                "value": body["record"],
            }
        return {**self.created, "uri": uri, "cid": f"bafyreifake{rkey}"}

    def upload_media(self, description: str) -> tuple[int, dict[str, Any]]:
        """An attachment, still processing (202, no url) for `processing_reads` reads."""
        mid = self._new_id()
        media = {"id": mid, "type": "image", "url": None, "description": description}
        with self._lock:
            self.fake.media[mid] = media
            self.fake.processing[mid] = self.processing_reads
        return (202 if self.processing_reads else 200), media

    def read_media(self, mid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            media = self.fake.media.get(mid)
            if media is None:
                return 404, {"error": "Record not found"}
            left = self.fake.processing.get(mid, 0)
            self.fake.processing[mid] = max(0, left - 1)
            if left:
                return 206, media
            media["url"] = f"http://localhost:3000/media/{mid}.png"
            return 200, media

    def submit(self, form: dict[str, str]) -> dict[str, Any]:
        """A Reddit submission (the recorded answer, with its own id), listed as submitted."""
        sid = f"1k{self._new_id()[-5:]}"
        sr = form.get("sr", "")
        url = f"https://www.reddit.com/r/{sr}/comments/{sid}/x/"
        data = {"url": url, "drafts_count": 0, "id": sid, "name": f"t3_{sid}"}
        listed = {"name": f"t3_{sid}", "subreddit": sr, "title": form.get("title", ""),
                  "selftext": form.get("text", ""), "author": "laposte",
                  "created_utc": self.now().timestamp(),
                  "permalink": f"/r/{sr}/comments/{sid}/x/"}  # fmt: skip
        with self._lock:
            self.fake.submissions.append(listed)
        answer = copy.deepcopy(self.submitted)
        answer["json"]["data"] = data
        return answer

    def send_message(self, body: dict[str, Any]) -> dict[str, Any]:
        """A chat message: the chat API has no key, each request makes one."""
        made = copy.deepcopy(self.chat_message)
        made |= {
            "id": f"3lchat{self._new_id()[-6:]}",
            "text": body["message"]["text"],
            "convoId": body["convoId"],
            "sentAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        with self._lock:
            self.fake.chat.append(made)
        return made

    def make_comment(self, form: dict[str, str]) -> dict[str, Any]:
        data = copy.deepcopy(self.comment["json"]["data"]["things"][0]["data"])
        cid = f"c{self._new_id()[-7:]}"
        kind = "t4" if str(form.get("thing_id")).startswith("t4_") else "t1"  # a private reply
        data |= {
            "id": cid,
            "name": f"{kind}_{cid}",
            "parent_id": form.get("thing_id"),
            "body": form.get("text", ""),
            "author": "laposte",
            "permalink": f"/r/test/comments/4b1tfm/x/{cid}/",
        }
        with self._lock:
            self.fake.comments.append(data)
        return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    network: Network

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_GET

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        logged = RecordedRequest(self.command, parts.path, query, headers, body)
        network = self.network
        with network._lock:
            network.log.append(logged)
        route = f"{self.command} {parts.path}"
        action = network._action(route) if self.command == "POST" else "ok"
        if isinstance(action, int):
            logged.status = action
            return self._json(action, _error(route, action))
        if action == "hold-before":
            network.holding.set()
            network._release.wait(60)
            logged.status = 503
            return self._json(503, {"error": "Unavailable"})
        made = self._make(route, parts.path, query, body, headers)
        if made is None:
            logged.status = 404
            return self._json(404, {"error": "fake network: no route", "route": route})
        status, answer = made
        if action == "drop":
            logged.fault = "close"
            self.close_connection = True
            return None
        if action == "hold-after":
            network.holding.set()
            network._release.wait(60)
        logged.status = status
        return self._json(status, answer)

    def _make(
        self,
        route: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        headers: dict[str, str],
    ) -> tuple[int, Any] | None:
        n = self.network
        if route == STATUSES:
            fields = parse_qs(body.decode())
            form: dict[str, Any] = {k: v[0] for k, v in fields.items()}
            form["media_ids[]"] = fields.get("media_ids[]", [])
            return 200, n.make_status(form, headers.get("idempotency-key"))
        if route == MEDIA:
            return n.upload_media(_multipart_field(body, headers, "description"))
        if route.startswith("GET /api/v1/media/"):
            return n.read_media(path.rsplit("/", 1)[-1])
        if route == "GET /api/v1/accounts/verify_credentials":
            return 200, {**n.status["account"], "id": ME}
        if route == f"GET /api/v1/accounts/{ME}/statuses":
            return 200, list(reversed(n.fake.statuses.values()))
        if route == UPLOAD_BLOB:
            blob = copy.deepcopy(n.blob)
            blob["blob"]["size"] = len(body)
            blob["blob"]["mimeType"] = headers.get("content-type", "")
            with n._lock:
                n.fake.blobs.append(blob["blob"])
            return 200, blob
        if route == SUBMIT:
            return 200, n.submit({k: v[0] for k, v in parse_qs(body.decode()).items()})
        if route == "GET /user/laposte/submitted":
            children = [{"kind": "t3", "data": d} for d in reversed(n.fake.submissions)]
            return 200, {"kind": "Listing", "data": {"children": children, "after": None,
                                                      "before": None}}  # fmt: skip
        if route.startswith("GET /api/v1/statuses/") and path.endswith("/context"):
            parent = path.split("/")[4]
            found = [s for s in n.fake.statuses.values() if s.get("in_reply_to_id") == parent]
            return 200, {"ancestors": [], "descendants": found}
        if route == "POST /xrpc/com.atproto.server.createSession":
            return 200, n.session
        if route == "GET /xrpc/app.bsky.feed.getPostThread":
            return 200, n.thread
        if route == "GET /xrpc/com.atproto.identity.resolveHandle":
            return 200, {"did": DID}
        if route == CREATE_RECORD:
            made = n.make_record(json.loads(body))
            if made is None:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}
            return 200, made
        if route == "GET /xrpc/com.atproto.repo.getRecord":
            rkey = query.get("rkey", [""])[0]
            record = n.fake.records.get(rkey)
            if record is None:
                message = f"Could not locate record: at://{DID}/app.bsky.feed.post/{rkey}"
                return 400, {"error": "RecordNotFound", "message": message}
            return 200, {**n.got_record, **record}
        if route == "POST /xrpc/chat.bsky.convo.sendMessage":
            return 200, n.send_message(json.loads(body))
        if route == "GET /xrpc/chat.bsky.convo.getMessages":
            convo = query.get("convoId", [""])[0]
            found = [m for m in reversed(n.fake.chat) if m["convoId"] == convo]
            return 200, {"messages": found}
        if route == "POST /api/v1/access_token":
            return 200, n.token
        if route == COMMENT:
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            thing = {"kind": "t1", "data": n.make_comment(form)}
            return 200, {"json": {"errors": [], "data": {"things": [thing]}}}
        if route == "GET /message/sent" or (
            route.startswith("GET /user/") and path.endswith("/comments")
        ):
            private = route == "GET /message/sent"
            children = [
                {"kind": c["name"][:2], "data": c}
                for c in reversed(n.fake.comments)
                if c["name"].startswith("t4_") == private
            ]
            return 200, {"kind": "Listing", "data": {"children": children, "after": None,
                                                      "before": None}}  # fmt: skip
        return None

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client is gone (killed): what was made stays made
        self.close_connection = True


def _error(route: str, status: int) -> dict[str, Any]:
    """The network's own error body for `status` on `route`."""
    if route == STATUSES and status == 422:
        return recorded("mastodon/error-422-empty-status.cassette.yaml", "POST",
                        "/api/v1/statuses", 422)  # fmt: skip
    if route == CREATE_RECORD and status == 400:
        return recorded("bluesky/error-400-InvalidRequest.cassette.yml", "POST",
                        "/xrpc/com.atproto.repo.createRecord", 400)  # fmt: skip
    if status == 401:
        return {"error": "The access token is invalid"}
    return {"error": f"status {status}"}


def _multipart_field(body: bytes, headers: dict[str, str], name: str) -> str:
    """A text field of a multipart/form-data body (the media's description)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    for part in message.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == name:
            return str(part.get_content())
    return ""


def requests_of(network: Network) -> Iterator[tuple[str, str]]:
    for r in network.requests:
        yield r.method, r.path


# -- a workspace that answers through the fake network ----------------------------------------

TOKEN = "s3cret-send-token-never-shown"
SECRETS = {
    "RUMEUR_TEST_SEND_MASTODON_TOKEN": TOKEN,
    "RUMEUR_TEST_SEND_BLUESKY_PASSWORD": "app-password-never-shown",
    "RUMEUR_TEST_SEND_REDDIT_ID": "client-id",
    "RUMEUR_TEST_SEND_REDDIT_SECRET": "client-secret-never-shown",
    "RUMEUR_TEST_SEND_REDDIT_PASSWORD": "password-never-shown",
}
ACCOUNTS = {"mastodon": "laposte", "bluesky": "laposte.bsky.social", "reddit": "laposte"}


def settings_toml(base_url: str) -> str:
    """A workspace with an owned account on each network, all answered through `base_url`."""
    return (
        """
[nlp]
languages = ["fr", "en"]
"""
        + LAPOSTE
        + f"""
[[workspaces.sources]]
type = "mastodon"
name = "piaille"
instance = "{base_url}"
token_env = "RUMEUR_TEST_SEND_MASTODON_TOKEN"

[[workspaces.sources]]
type = "bluesky"
name = "ciel"
service = "{base_url}"
pds = "{base_url}"
handle = "laposte.bsky.social"
password_env = "RUMEUR_TEST_SEND_BLUESKY_PASSWORD"

[[workspaces.sources]]
type = "reddit"
name = "forum"
api = "{base_url}"
auth = "{base_url}"
username = "laposte"
client_id_env = "RUMEUR_TEST_SEND_REDDIT_ID"
client_secret_env = "RUMEUR_TEST_SEND_REDDIT_SECRET"
password_env = "RUMEUR_TEST_SEND_REDDIT_PASSWORD"

[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "laposte"
source = "piaille"
department = "service-client"

[[workspaces.owned_accounts]]
platform = "bluesky"
handle = "laposte.bsky.social"
source = "ciel"
department = "service-client"

[[workspaces.owned_accounts]]
platform = "reddit"
handle = "laposte"
source = "forum"
department = "service-client"

[[workspaces.departments]]
slug = "service-client"
name = "Service client"
"""
    )


def customer_message(platform: str, n: int, at: Any, kind: str = "mention") -> Any:
    """Customer n's message to the brand's account on `platform`."""
    from rumeur.store.inbox import Message

    thread = None
    if platform == "mastodon":
        native, local = f"https://piaille.fr/users/client{n}/statuses/{n}", str(117020500000 + n)
        author = f"client{n}"
    elif platform == "bluesky" and kind == "direct":
        native, local, thread = f"3lclientmessage{n}", None, f"3kconvo{n}"
        author = f"client{n}.bsky.social"
    elif platform == "bluesky":
        native, local = f"at://did:plc:client{n}/app.bsky.feed.post/3kclient{n}", None
        author = f"client{n}.bsky.social"
    elif kind == "direct":
        native, local, author = f"t4_message{n}", None, f"client{n}"
        thread = native
    else:
        native, local, author = f"t1_parent{n}", None, f"client{n}"
    return Message(platform=platform, native_id=native, local_id=local, author=author,
                   text="où est mon colis ?", at=at, kind=kind, thread=thread)  # fmt: skip


def open_conversation(store: Any, platform: str, n: int, at: Any, kind: str = "mention") -> int:
    from rumeur.store.inbox import receive

    message = customer_message(platform, n, at, kind)
    talk = receive(store, "laposte", ACCOUNTS[platform], message, None, at).conversation_id
    assert talk is not None
    return talk
