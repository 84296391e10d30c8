"""What a stored post looks like in an export: its CSV cells and its JSON line.

Shared by `rumeur export` (commands/exporting.py) and the web app's CSV download
(web/views.py), so that both give the same columns and the same protection; the rows come from
`store.search.export_rows`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

CSV_COLUMNS = (
    "platform", "native_id", "url", "created_at", "author", "brands", "title", "text",
    "language", "sentiment", "emotion", "reason", "likes", "reposts", "replies", "quotes",
    "views", "hashtags", "mentions", "links",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(row: dict[str, Any]) -> list[str]:
    """A post's CSV cells, in `CSV_COLUMNS` order, each safe to open in a spreadsheet."""
    return [safe_cell(_cell(row[c])) for c in CSV_COLUMNS]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A post as a JSON line holds: every exported field but the store's own id, times in UTC."""
    out = {k: v for k, v in row.items() if k != "id"}
    out["created_at"] = row["created_at"].astimezone(UTC).isoformat()
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)  # brands have spaces: "US Airways; United"
    return str(value)
