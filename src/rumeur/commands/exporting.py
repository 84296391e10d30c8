"""`rumeur export`: the stored posts, with their enrichments, as CSV or JSON lines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rumeur.commands.dates import parse_period
from rumeur.config import Workspace
from rumeur.errors import ConfigError
from rumeur.query.ast import Query
from rumeur.store import Store
from rumeur.store.search import export_rows

CSV_COLUMNS = (
    "platform", "native_id", "url", "created_at", "author", "brands", "title", "text",
    "language", "sentiment", "emotion", "reason", "likes", "reposts", "replies", "quotes",
    "views", "hashtags", "mentions", "links",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_posts(
    store: Store,
    ws: Workspace,
    fmt: str,
    output: Path | None,
    since: str | None,
    until: str | None,
    query: Query | None = None,
) -> int:
    if fmt not in ("csv", "jsonl"):
        raise ConfigError(f"--format {fmt}: expected csv or jsonl")
    period = parse_period(since, until, ws.zone)
    count = 0
    with store.engine.connect() as conn, _open(output) as out:
        rows = export_rows(conn, ws.slug, period, query=query)
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow(csv_cells(row))
                count += 1
        else:
            for row in rows:
                out.write(json.dumps(_jsonable(row), ensure_ascii=False) + "\n")
                count += 1
    return count


def csv_cells(row: dict[str, Any]) -> list[str]:
    """A post's CSV cells, in `CSV_COLUMNS` order, each safe to open in a spreadsheet."""
    return [safe_cell(_cell(row[c])) for c in CSV_COLUMNS]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)  # brands have spaces: "US Airways; United"
    return str(value)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "id"}
    out["created_at"] = row["created_at"].astimezone(UTC).isoformat()
    return out


@contextmanager
def _open(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as fh:
            yield fh
    except OSError as exc:
        raise ConfigError(f"--output {output}: cannot write ({exc.strerror})") from None
