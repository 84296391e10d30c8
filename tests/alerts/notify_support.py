"""What the notifier tests share: a hostile alert, a webhook receiver that answers from a
script, and an SMTP server (aiosmtpd) that records what it is sent. All on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from rumeur.alerts.notify import AlertMessage

HOSTILE = "<script>alert(1)</script> & <!channel> [click](http://evil) @all *gras* # titre\nligne"
TOKEN = "XyZ-s3cret-webhook-token-do-not-log"
PASSWORD = "hunter2-smtp-password-do-not-log"


def alert(revision: int = 1, **changes: Any) -> AlertMessage:
    fields: dict[str, Any] = {
        "alert_id": 42,
        "revision": revision,
        "kind": "negative_surge",
        "workspace": "acme",
        "subject": "Acme",
        "title": "Poussée négative sur Acme",
        "summary": "38 posts négatifs par heure contre 6 attendus, depuis 14:05",
        "observed": 0.8,
        "expected": 0.6,
        "started_at": datetime(2026, 3, 2, 14, 5, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 2, 14, 35, tzinfo=UTC),
        "top_posts": [
            (HOSTILE, "https://social.example/@mallory/1"),
            ("Retard de 3 heures, merci Acme", "javascript:alert(2)"),
        ],
        "top_terms": ["retard", "<b>remboursement</b>"],
        "top_authors": ["@mallory", "bob_"],
        "url": "https://rumeur.example/acme/crisis/42",
        "language": "fr",
    }
    return AlertMessage(**{**fields, **changes})


def free_port() -> int:
    """A port nothing listens on (closed again at once): a refused connection."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next (status, headers) of `script`, then 200 for ever."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/{TOKEN}"

    def ok(self) -> list[Seen]:
        """The requests it answered with a 2xx."""
        return [s for s, status in zip(self.seen, self.statuses, strict=True) if status < 300]

    def answer(self, seen: Seen) -> tuple[int, dict[str, str]]:
        self.seen.append(seen)
        status, headers = self.script.pop(0) if self.script else (200, {})
        self.statuses.append(status)
        return status, headers


@contextmanager
def receiving(*script: tuple[int, dict[str, str]]) -> Iterator[Receiver]:
    receiver = Receiver(list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                status, extra = receiver.answer(Seen(self.path, headers, body))
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    # A short poll interval: shutdown() waits for it, in every test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Mailbox:
    """What the SMTP server took: (MAIL FROM, RCPT TOs, the raw message)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    rcpt_answer: str | None = None  # e.g. "550 no such user", to refuse recipients
    port: int = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.rcpt_answer is not None:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 Message accepted"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        # handled=False: the server answers 535 itself when the login is wrong.
        return AuthResult(success=login == ("alerts", PASSWORD), handled=False)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=mailbox.port,
        authenticator=mailbox.authenticate,
        # Plain-text login on the loopback, for the test only: no certificate to make.
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
