"""`rumeur serve`: the web app on uvicorn; `rumeur demo --serve` adds a demo account."""

from __future__ import annotations

import os
import secrets

import typer

from rumeur.config import Settings
from rumeur.i18n import _
from rumeur.store import Store

DEMO_USER = "demo"


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
    stopping_server(config).run()
