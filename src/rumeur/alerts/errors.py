"""The errors of the alerts commands, each printed as one line."""

from __future__ import annotations

from rumeur.errors import RumeurError


class AlertError(RumeurError):
    """An alert action cannot be done."""


class NoSuchAlert(AlertError):
    def __init__(self, alert_id: int, workspace: str) -> None:
        super().__init__(f"no alert {alert_id} in workspace {workspace!r} (rumeur alerts list)")
