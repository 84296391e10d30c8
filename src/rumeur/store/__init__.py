"""The store: SQLite by default, PostgreSQL for teams. See `docs/architecture.md`."""

from rumeur.store.store import Store
from rumeur.store.writer import CursorUpdate, WriteResult

__all__ = ["CursorUpdate", "Store", "WriteResult"]
