"""`rumeur serve`: the web app on uvicorn; `rumeur demo --serve` adds a demo account."""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import TYPE_CHECKING, Any

import typer

from rumeur.config import Settings
from rumeur.i18n import _
from rumeur.store import Store
from rumeur.store.budget import interrupt_all

if TYPE_CHECKING:
    import uvicorn

DEMO_USER = "demo"
# Once asked to stop, the server gives running requests this long to answer. A request reading
# the store is interrupted at once; without that, its worker thread, which nothing can cancel,
# would hold the process until its statement ended (minutes, before the time budget).
GRACE_S = 5


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
) -> None:
    import uvicorn

    from rumeur.web.app import create_app

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
    stopping_server(config).run()


def stopping_server(config: uvicorn.Config) -> uvicorn.Server:
    """uvicorn's server, which interrupts the store reads still running while it stops."""
    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            reads = asyncio.create_task(_interrupt_reads())
            try:
                await super().shutdown(sockets)
            finally:
                reads.cancel()

    return Server(config)


async def _interrupt_reads() -> None:
    # Again and again: a request may start a read after the first sweep.
    while True:
        interrupt_all()
        await asyncio.sleep(0.1)
