"""One section of a workspace's settings changed, as the web app's settings pages change them:
the new workspace is validated whole, through the same models as the settings file, so a
value the file would refuse is refused here with the same one-line message (its key path).

    with_section(ws, "brand", {"name": "United", "terms": ["united", "united airlines"]})
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from rumeur.config import Workspace, one_line
from rumeur.errors import ConfigError
from rumeur.settings.document import refuse_secrets

# The sections the app edits, by their key in the settings file.
SECTIONS = (
    "brand",
    "competitors",
    "queries",
    "reasons",
    "departments",
    "alerts",
    "notify",
    "statements",
    "business_hours",
)


def with_section(ws: Workspace, section: str, value: Any) -> Workspace:
    """`ws` with `section` replaced by `value` (a model, a dict or a list of them, as the
    settings file would hold it; None for `business_hours`). ConfigError, one line naming
    the workspace and the key path, when the result is not a valid workspace or holds a
    secret."""
    if section not in SECTIONS:
        known = ", ".join(SECTIONS)
        raise ConfigError(f"{ws.slug}: no settings section {section!r} (known: {known})")
    data = ws.model_dump(exclude={section}) | {section: _dumped(value)}
    try:
        changed = Workspace.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(one_line(ws.slug, exc)) from None
    refuse_secrets(changed, ws.slug)
    return changed


def _dumped(value: Any) -> Any:
    """Models as plain values, so that every part of the section is validated again."""
    if isinstance(value, list | tuple):
        return [_dumped(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value
