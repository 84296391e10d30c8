"""Read CSV and JSON-lines files record by record, with the byte offset after each record,
so that an import can resume exactly where it stopped.

A CSV record may span several physical lines (a quoted field with newlines). Bytes are decoded
one record at a time, so a broken byte sequence rejects its own row and nothing else.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from rumeur.errors import InputError, RowError

MAX_RECORD_LINES = 200  # an unbalanced quote must not swallow the rest of the file


@dataclass(slots=True)
class Record:
    line: int  # physical line where the record starts, 1-based
    end: int  # byte offset just after the record
    raw: bytes
    next_line: int  # line where the next record starts
    values: dict[str, Any] | None = None
    error: RowError | None = None


def fingerprint(path: Path) -> str:
    """Identifies a file's content from its head, so a replaced file is read from the start."""
    with path.open("rb") as fh:
        return hashlib.sha256(fh.read(65536)).hexdigest()[:32]


def csv_header(path: Path, encoding: str, delimiter: str) -> tuple[list[str], int, int]:
    """The column names, the byte offset after the header and the lines it spans."""
    with path.open("rb") as fh:
        raw, lines = _next_record(fh)
    if not raw:
        raise InputError(f"{path}: the file is empty")
    try:
        text = raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}:1: the header is not {encoding} (byte {exc.start})") from None
    header = next(csv.reader([text], delimiter=delimiter), [])
    return [h.strip() for h in header], len(raw), lines


def read_csv(
    path: Path, start: int, first_line: int, encoding: str, delimiter: str, header: list[str]
) -> Iterator[Record]:
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line = start, first_line
        while True:
            raw, lines = _next_record(fh)
            if not raw:
                return
            offset += len(raw)
            record = Record(line=line, end=offset, raw=raw, next_line=line + lines)
            line += lines
            if raw.strip(b"\r\n") == b"":
                continue
            _parse_csv(record, encoding, delimiter, header)
            yield record


def _next_record(fh: BinaryIO) -> tuple[bytes, int]:
    """Physical lines up to the end of one CSV record: its quotes are balanced."""
    parts: list[bytes] = []
    quotes = 0
    while True:
        line = fh.readline()
        if not line:
            break
        parts.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            break
        if len(parts) >= MAX_RECORD_LINES:
            # Give the broken line alone back; the next record starts on the line after it.
            fh.seek(-sum(len(p) for p in parts[1:]), 1)
            parts = parts[:1]
            break
    return b"".join(parts), len(parts)


def _parse_csv(record: Record, encoding: str, delimiter: str, header: list[str]) -> None:
    try:
        text = record.raw.decode(encoding)
    except UnicodeDecodeError as exc:
        record.error = RowError("(row)", f"broken encoding: not {encoding} at byte {exc.start}")
        return
    try:
        rows = list(csv.reader([text.rstrip("\r\n")], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        record.error = RowError("(row)", f"not valid CSV: {exc}")
        return
    values = rows[0] if rows else []
    if len(values) != len(header):
        record.error = RowError(
            "(row)", f"wrong column count: {len(values)} values for {len(header)} columns"
        )
        return
    record.values = dict(zip(header, values, strict=True))


def read_jsonl(path: Path, start: int, first_line: int, encoding: str) -> Iterator[Record]:
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line = start, first_line
        for raw in fh:
            offset += len(raw)
            record = Record(line=line, end=offset, raw=raw, next_line=line + 1)
            line += 1
            if not raw.strip():
                continue
            try:
                value = json.loads(raw.decode(encoding))
            except UnicodeDecodeError as exc:
                record.error = RowError(
                    "(row)", f"broken encoding: not {encoding} at byte {exc.start}"
                )
            except json.JSONDecodeError as exc:
                record.error = RowError("(row)", f"not valid JSON: {exc.msg} at column {exc.colno}")
            else:
                if isinstance(value, dict):
                    record.values = value
                else:
                    record.error = RowError("(row)", "a JSON object was expected on the line")
            yield record
