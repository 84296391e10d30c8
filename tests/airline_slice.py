"""Slices of the airline data set (tests/conftest.py's `airline`), for the tests that need the
file's real rows but not all 11,694 of them: a kill midway, a resume from the cursor, two imports
at once or a bad byte in a row prove the same on a few thousand rows, in a fraction of the time.

A slice keeps the file's header and its records byte for byte (a text spread over several lines
stays whole), so that a slice from the start is the file's own first part, line for line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import TextIO


def records(file: TextIO) -> Iterator[str]:
    """The raw text of each CSV record of `file`, the header first, as written (the csv module
    reads the lines a record spans; they are handed back untouched)."""
    taken: list[str] = []

    def lines() -> Iterator[str]:
        for line in file:
            taken.append(line)
            yield line

    for _fields in csv.reader(lines()):
        yield "".join(taken)
        taken.clear()


def airline_slice(airline: Path, path: Path, count: int, start: int = 0) -> Path:
    """The header and rows `start` to `start + count` (0 is the first row after the header) of
    the airline file, written to `path` as they are in the file."""
    with airline.open(encoding="utf-8", newline="") as source:
        every = records(source)
        header = next(every)
        chosen = list(islice(every, start, start + count))
    if len(chosen) < count:
        raise ValueError(f"{airline} has fewer than {start + count} rows")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        out.writelines(chosen)
    return path


def airline_tail(airline: Path, path: Path, count: int) -> Path:
    """The header and the last `count` rows of the airline file, written to `path`: every id
    the file repeats (rows 9,486 to 11,623) is among the last 2,300."""
    return airline_slice(airline, path, count, start=len(rows_of(airline)) - count)


def head_of(airline: Path, count: int) -> tuple[list[str], list[dict[str, str]]]:
    """The airline file's columns and its first `count` rows, to be changed then `written`."""
    with airline.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        rows = [row for _n, row in zip(range(count), reader, strict=False)]
        return list(reader.fieldnames or ()), rows


def written(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """`rows` as a CSV file at `path`, under `header`."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def rows_of(path: Path) -> list[dict[str, str]]:
    """Every row of an airline-shaped CSV file."""
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))
