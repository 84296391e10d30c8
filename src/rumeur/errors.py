"""One rooted tree of errors.

Every error rumeur raises on purpose is a `RumeurError`. Its `str()` is the one line the command
line prints: what is wrong, where, and what to do. `permanent` tells a retry policy whether trying
again could help.
"""

from __future__ import annotations


class RumeurError(Exception):
    permanent: bool = True

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class ConfigError(RumeurError):
    """The configuration file or an option is wrong: fix it and start again."""


class StoreError(RumeurError):
    """The database could not be opened, migrated or written."""


class InputError(RumeurError):
    """An input file cannot be read at all (missing, wrong format, broken mapping)."""


class RowError(RumeurError):
    """One row of an input is malformed. Not fatal: the row is rejected and the rest goes on."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"field {field!r}: {reason}")
        self.field = field
        self.reason = reason


class QueryTooCostly(RumeurError):
    """A request would cost more than its budget (time, size, nesting): refused in one line,
    `query too costly: …`, before or while it runs, and the server goes on answering."""
