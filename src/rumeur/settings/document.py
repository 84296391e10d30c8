"""A workspace's settings as a document: plain values (what a TOML file or a diff shows), the
TOML text `rumeur config export` writes, and the check that keeps secrets out of both and out
of the database.

Durations are written as the settings file takes them (`30m`, `2h`, `1d`), paths as text, and a
key without a value is left out, so that the TOML read back gives the same workspace.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rumeur.errors import ConfigError
from rumeur.logs import redact_text

if TYPE_CHECKING:
    from rumeur.config import Workspace

# A value that is an address (`https://`, `wss://`, `at://`...): where a token may hide.
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def duration_text(value: timedelta) -> str | float:
    """`30m`, `2h`, `1d`: the largest unit that divides the duration; seconds otherwise."""
    seconds = value.total_seconds()
    if seconds > 0 and seconds == int(seconds):
        for unit, size in _UNITS:
            if int(seconds) % size == 0:
                return f"{int(seconds) // size}{unit}"
    return seconds


def plain(value: Any) -> Any:
    """Dumped settings (`model_dump()`) as TOML holds them: no None, durations as text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, PurePath):
        return str(value)
    return value


def workspace_values(ws: Workspace, *, defaults: bool = True) -> dict[str, Any]:
    """The workspace's settings as plain values; without `defaults`, only what differs from
    them (what a hand-written file would say)."""
    return plain(ws.model_dump(exclude_defaults=not defaults))


def to_toml(ws: Workspace) -> str:
    """A settings file holding this one workspace, that `load_settings` reads back equal."""
    import tomli_w

    return tomli_w.dumps({"workspaces": [workspace_values(ws, defaults=False)]})


def secret_paths(ws: Workspace) -> list[str]:
    """The key paths of the values that hold a secret: an address with a token or a password
    in it (a chat webhook's URL, a feed's `?token=`), as the logs would redact it."""
    return [path for path, value in _leaves("", workspace_values(ws)) if _holds_secret(value)]


def refuse_secrets(ws: Workspace, source: str, under: str = "") -> None:
    """ConfigError naming `source` and the first key that holds a secret (never the secret
    itself), its path under `under` (e.g. `workspaces[0]` in a settings file)."""
    found = secret_paths(ws)
    if found:
        where = f"{under}.{found[0]}" if under else found[0]
        raise ConfigError(
            f"{source}: {where}: holds a secret; give it in the environment or a file "
            "(the key's *_env or *_file form), never in the stored settings"
        )


def _holds_secret(value: Any) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.match(value)) and redact_text(value) != value


def _leaves(path: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [
            leaf
            for key, item in value.items()
            for leaf in _leaves(f"{path}.{key}" if path else key, item)
        ]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(f"{path}[{i}]", item)]
    return [(path, value)]
