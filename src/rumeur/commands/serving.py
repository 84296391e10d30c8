"""`rumeur serve`: the web app on uvicorn; `rumeur demo --serve` adds a demo account.

The serve process also drains the outbox (`Sending`: the sender of `rumeur send --follow` in a
thread of its own) unless `--no-send` says that a `rumeur send` runs elsewhere. When the server
stops (SIGTERM, Ctrl-C), the sender stops with it: between two replies, never between a try
and its record, before the process ends."""

from __future__ import annotations

import os
import secrets
import threading
from typing import TYPE_CHECKING

import structlog
import typer

from rumeur.config import Settings
from rumeur.i18n import _
from rumeur.store import Store

if TYPE_CHECKING:
    from rumeur.inbox.sender import Sender
    from rumeur.store.inbox import OutboxRow

log = structlog.get_logger(__name__)
DEMO_USER = "demo"
SEND_EVERY = 5.0  # seconds between two passes of the sender
STOP_WAIT = 60.0  # seconds a stopping server waits for the reply being sent


def demo_account(store: Store) -> tuple[str, str]:
    """The demo's admin account, with a new password at each run (RUMEUR_DEMO_PASSWORD, else a
    random one): the demo prints it, and no old printout opens the app."""
    from rumeur.web.accounts import AccountError, Role, add_user, find_user, set_password

    password = os.environ.get("RUMEUR_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    try:
        found = find_user(store, DEMO_USER)
    except AccountError:
        return add_user(store, DEMO_USER, "admin", password).name, password
    if found.role is not Role.ADMIN:
        raise AccountError(
            _("the account {name!r} exists and is not an administrator: the demo leaves it").format(
                name=found.name
            )
        )
    set_password(store, found.id, password)
    return found.name, password


def serve(
    settings: Settings,
    store: Store,
    host: str,
    port: int,
    account: tuple[str, str] | None = None,
    send: bool = True,
) -> None:
    import uvicorn

    from rumeur.store.budget import default_seconds
    from rumeur.web.app import create_app
    from rumeur.web.server import GRACE_S, stopping_server

    default_seconds()  # a wrong RUMEUR_READ_BUDGET stops the start, not each request
    app = create_app(settings, store)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        _("rumeur is serving {db} at http://{host}:{port}/").format(
            db=store.where, host=shown, port=port
        )
    )
    if account is not None:
        typer.echo(
            _("Sign in as {name} with the password {password} (Ctrl-C stops the server).").format(
                name=account[0], password=account[1]
            )
        )
    else:
        typer.echo(_("Accounts: rumeur users add NAME --role admin. Ctrl-C stops the server."))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        timeout_graceful_shutdown=GRACE_S,
    )
    sending = Sending(settings, store) if send else None
    if sending is not None:
        sending.start()
    try:
        # The server stops the sender while it shuts down: uvicorn raises the signal that
        # stopped it again once it has, and the process ends there.
        stopping_server(config, on_stop=sending.stop if sending else None).run()
    finally:
        if sending is not None:
            sending.stop()  # a server that never started


class Sending:
    """The sender of `rumeur send --follow` in a background thread: a pass every `every`
    seconds over every workspace's outbox, one line per reply as `rumeur send` prints them.
    A pass that fails (the store unreachable) is logged and the next one tries again."""

    def __init__(self, settings: Settings, store: Store, every: float = SEND_EVERY) -> None:
        from rumeur.inbox.sender import Repliers, Sender
        from rumeur.sources.context import SourceContext

        workspaces = settings.workspaces
        self.every = every
        self.sender: Sender = Sender(
            store,
            Repliers(workspaces, SourceContext()),
            workspaces=[ws.slug for ws in workspaces],
            on_event=self._shown,
        )
        self.thread = threading.Thread(target=self._run, name="rumeur-sender", daemon=True)
        self._held: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = STOP_WAIT) -> None:
        """Stop between two replies and close the connections; idempotent."""
        self.sender.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        with self._lock:
            if self._closed or self.thread.is_alive():
                return  # still in a try after `timeout`: its connections stay open
            self._closed = True
        self.sender.close()

    def _run(self) -> None:
        stop = self.sender.stop
        while not stop.is_set():
            try:
                self.sender.once()
            except Exception:
                log.exception("a pass of the sender failed; the next one tries again")
            stop.wait(self.every)

    def _shown(self, what: str, row: OutboxRow, line: str) -> None:
        from rumeur.commands.sending import event_line

        text = event_line(what, row, line, self._held)
        if text is not None:
            typer.echo(text)
