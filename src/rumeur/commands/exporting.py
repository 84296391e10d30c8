"""`rumeur export`: the stored posts, with their enrichments, as CSV or JSON lines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rumeur.commands.dates import parse_period
from rumeur.config import Workspace
from rumeur.errors import ConfigError
from rumeur.query.ast import Query
from rumeur.store import Store
from rumeur.store.export import CSV_COLUMNS, csv_cells, json_row
from rumeur.store.search import export_rows


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
    with store.engine.connect() as conn, _output(output) as out:
        rows = export_rows(conn, ws.slug, period, query=query)
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow(csv_cells(row))
                count += 1
        else:
            for row in rows:
                out.write(json.dumps(json_row(row), ensure_ascii=False) + "\n")
                count += 1
    return count


@contextmanager
def _output(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as fh:
            yield fh
    except OSError as exc:
        raise ConfigError(f"--output {output}: cannot write ({exc.strerror})") from None
