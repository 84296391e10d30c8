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


def line_end(path: Path) -> bytes:
    """`\r` for a file whose lines end with a lone CR (old Mac exports), else `\n` (which
    reads CRLF too)."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    return b"\r" if b"\r" in head and b"\n" not in head else b"\n"


def _readline(fh: BinaryIO, end: bytes) -> bytes:
    if end == b"\n":
        return fh.readline()
    parts: list[bytes] = []
    while chunk := fh.peek(1):  # type: ignore[attr-defined]
        at = chunk.find(end)
        if at >= 0:
            parts.append(fh.read(at + 1))
            break
        parts.append(fh.read(len(chunk)))
    return b"".join(parts)


def csv_header(
    path: Path, encoding: str, delimiter: str, end: bytes = b"\n"
) -> tuple[list[str], int, int]:
    """The column names, the byte offset after the header and the lines it spans."""
    with path.open("rb") as fh:
        raw, lines = _next_record(fh, end)
    if not raw:
        raise InputError(f"{path}: the file is empty")
    try:
        text = raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}:1: the header is not {encoding} (byte {exc.start})") from None
    try:
        header = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(f"{path}:1: the header is not valid CSV ({exc})") from None
    return [h.strip() for h in header], len(raw), lines


def read_csv(
    path: Path,
    start: int,
    first_line: int,
    encoding: str,
    delimiter: str,
    header: list[str],
    end: bytes = b"\n",
) -> Iterator[Record]:
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line = start, first_line
        while True:
            raw, lines = _next_record(fh, end)
            if not raw:
                return
            record = Record(line=line, end=offset + len(raw), raw=raw, next_line=line + lines)
            if raw.strip(b"\r\n") == b"":
                offset, line = record.end, record.next_line
                continue
            _parse_csv(record, encoding, delimiter, header)
            if record.error is not None and lines > 1:
                # An unbalanced quote (or a garbage line) swallowed the lines after it: reject
                # its first line alone and read the others again as records.
                first = _readline(_rewind(fh, offset), end)
                record = Record(line, offset + len(first), first, line + 1, error=record.error)
            offset, line = record.end, record.next_line
            yield record


def _rewind(fh: BinaryIO, offset: int) -> BinaryIO:
    fh.seek(offset)
    return fh


def _next_record(fh: BinaryIO, end: bytes = b"\n") -> tuple[bytes, int]:
    """Physical lines up to the end of one CSV record: its quotes are balanced."""
    parts: list[bytes] = []
    quotes = 0
    while True:
        line = _readline(fh, end)
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
    values = rows[0] if len(rows) == 1 else []
    if len(values) != len(header):
        record.error = RowError(
            "(row)", f"wrong column count: {len(values)} values for {len(header)} columns"
        )
        return
    record.values = dict(zip(header, values, strict=True))


def read_jsonl(
    path: Path, start: int, first_line: int, encoding: str, end: bytes = b"\n"
) -> Iterator[Record]:
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line = start, first_line
        while raw := _readline(fh, end):
            offset += len(raw)
            record = Record(line=line, end=offset, raw=raw, next_line=line + 1)
            line += 1
            if not raw.strip():
                continue
            _parse_json(record, encoding)
            yield record


def _parse_json(record: Record, encoding: str) -> None:
    try:
        value = json.loads(record.raw.decode(encoding).lstrip("\ufeff"))
    except UnicodeDecodeError as exc:
        record.error = RowError("(row)", f"broken encoding: not {encoding} at byte {exc.start}")
    except json.JSONDecodeError as exc:
        record.error = RowError("(row)", f"not valid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        record.error = RowError("(row)", "not valid JSON: nested too deep")
    except ValueError as exc:  # a number of more than 4,300 digits, say
        record.error = RowError("(row)", f"not valid JSON: {str(exc).splitlines()[0]}")
    else:
        if isinstance(value, dict):
            record.values = value
        else:
            record.error = RowError("(row)", "a JSON object was expected on the line")
