"""Credentials are never written in a settings file: each is read, when it is needed, from an
environment variable (`*_env`) or a file (`*_file`, e.g. a mounted secret). One reader for
every subsystem; the value itself never appears in a message."""

from __future__ import annotations

import os
from pathlib import Path

from rumeur.errors import ConfigError


class SecretMissing(ConfigError):
    """A credential could not be read. `owner` (e.g. "webhook duty-hook") and `detail` are kept
    apart so that a subsystem can rebuild its own error from them (a notifier's `NotifyError`)."""

    def __init__(self, owner: str, detail: str) -> None:
        super().__init__(f"{owner}: {detail}")
        self.owner = owner
        self.detail = detail


def read_secret(owner: str, what: str, env: str | None, file: Path | None, *, give: str) -> str:
    """The secret from `file`, else from `env`; SecretMissing naming `env`, or saying `give`
    (where to declare one) when no variable is named."""
    if file is not None:
        try:
            value = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretMissing(
                owner, f"{what} file {file} cannot be read ({exc.strerror})"
            ) from None
        if value:
            return value
    if env and os.environ.get(env, "").strip():
        return os.environ[env].strip()
    raise SecretMissing(owner, f"no {what}; {f'set {env}' if env else give}")
