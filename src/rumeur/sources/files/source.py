"""`FileSource`: a CSV or JSON-lines file as a source that resumes at the byte it stopped at."""

from __future__ import annotations

import codecs
import os
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rumeur.errors import ConfigError, InputError
from rumeur.i18n import _
from rumeur.limits import SOURCE_LENGTH
from rumeur.model import Post, RawItem, Rejected
from rumeur.sources.base import Batch, Progress
from rumeur.sources.files.mapping import Mapping, preset_hint
from rumeur.sources.files.normalise import RowNormaliser
from rumeur.sources.files.reader import (
    Record,
    csv_header,
    fingerprint,
    line_end,
    read_csv,
    read_jsonl,
)

PATH_LENGTH = SOURCE_LENGTH - 80
# Fields a post derives from another column (its text).
_DERIVED = {"mentions": "text", "hashtags": "text", "links": "text"}


class FileSource:
    def __init__(self, path: Path, mapping: Mapping, brands: dict[str, str] | None = None) -> None:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            ZoneInfo(mapping.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"mapping {mapping.name}: timezone: unknown zone {mapping.timezone!r}"
            ) from None
        self.path = path
        self.mapping = mapping
        self.name = f"file:{path.resolve()}"
        if len(self.name) > PATH_LENGTH:  # the cursor's key holds it, after the workspace's slug
            raise InputError(f"{path}: the path is too long (at most {PATH_LENGTH} characters)")
        # Rejected rows name the file by its absolute path: two `export.csv` never mix.
        self.label = str(path.resolve())
        self._normalise = RowNormaliser(mapping, brands)
        self._header: list[str] = []
        self._data, self._encoding = self._readable(path, mapping.encoding)
        self._end = line_end(self._data)
        if mapping.format == "csv":
            self._read_header()

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        try:
            yield from self._batches(cursor, size)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be read ({exc.strerror})") from None

    def _batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        total = self._data.stat().st_size
        start, line, print_ = self._start(cursor, total)
        if start >= total:
            return
        items: list[RawItem] = []
        rejects: list[Rejected] = []
        end = start
        for record in self._records(start, line):
            end, line = record.end, record.next_line
            if record.error is not None:
                rejects.append(self._reject(record))
            else:
                items.append(RawItem(payload=record.values, origin=self.label, line=record.line))
            if len(items) + len(rejects) >= size:
                yield self._batch(items, rejects, end, line, print_, total)
                items, rejects = [], []
        if items or rejects:
            yield self._batch(items, rejects, end, line, print_, total)

    def normalise(self, item: RawItem) -> Post:
        return self._normalise(item.payload)

    def column(self, field: str) -> str:
        """The column (or key path) a post's field came from, for a rejected row's message."""
        field = _DERIVED.get(field, field)
        spec = self.mapping.labels.get(field)  # type: ignore[call-overload]
        if spec is not None:
            return spec.column
        return getattr(self.mapping.columns, field, None) or field

    def _start(self, cursor: dict[str, Any] | None, total: int) -> tuple[int, int, str]:
        print_ = fingerprint(self.path)
        if self.mapping.format == "csv":
            offset, lines = self._read_header()
            start, line = offset, 1 + lines
        else:
            start, line = 0, 1
        if cursor and cursor.get("fingerprint") == print_ and cursor.get("offset", 0) <= total:
            start, line = cursor["offset"], cursor["next_line"]
        return start, line, print_

    def _read_header(self) -> tuple[int, int]:
        try:
            self._header, offset, lines = csv_header(
                self._data, self._encoding, self.mapping.delimiter, self._end
            )
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be read ({exc.strerror})") from None
        self._check_columns()
        return offset, lines

    def _records(self, start: int, line: int) -> Iterator[Record]:
        m = self.mapping
        if m.format == "csv":
            return read_csv(
                self._data, start, line, self._encoding, m.delimiter, self._header, self._end
            )
        return read_jsonl(self._data, start, line, self._encoding, self._end)

    def _readable(self, path: Path, encoding: str) -> tuple[Path, str]:
        """The file to read by lines and its encoding: the file itself when its encoding writes
        newlines, quotes and delimiters as ASCII bytes, else (UTF-16, UTF-32) a UTF-8 copy,
        the same for the same content, so that a cursor's offset stays valid."""
        if _ascii_compatible(encoding):
            return path, encoding
        fd, name = tempfile.mkstemp(prefix="rumeur-", suffix=".utf8")
        weakref.finalize(self, os.unlink, name)
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        try:
            with path.open("rb") as src, os.fdopen(fd, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(decoder.decode(chunk).encode("utf-8"))
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
        return Path(name), "utf-8"

    def _check_columns(self) -> None:
        wanted = self.mapping.read_columns()
        twice = sorted({col for col in wanted if self._header.count(col) > 1})
        if twice:
            raise InputError(
                f"{self.path}:1: column {twice[0]!r} appears {self._header.count(twice[0])} "
                f"times in the header; mapping {self.mapping.name!r} reads it: rename one"
            )
        missing = [f"{col!r}" for col in wanted if col not in self._header]
        if missing:
            message = _(
                "{path}:1: column {columns} of mapping {mapping} not in the header (found: {found})"
            ).format(
                path=self.path,
                columns=", ".join(missing),
                mapping=repr(self.mapping.name),
                found=", ".join(self._header[:20]),
            )
            # Both `rumeur import` and `rumeur replay` open the file here: one hint for both.
            if (hint := preset_hint(self._header, self.mapping)) is not None:
                message = _("{message}; {hint}").format(message=message, hint=hint)
            raise InputError(message)

    def _reject(self, record: Record) -> Rejected:
        assert record.error is not None
        # Whole and undecoded bytes kept as `\xNN` (the writer escapes them, limits.storable).
        try:
            raw = record.raw.decode(self._encoding, errors="surrogateescape")
        except UnicodeDecodeError:  # a multibyte codec failing on an ASCII byte
            raw = record.raw.decode(self._encoding, errors="backslashreplace")
        return Rejected(self.label, record.line, record.error.field, record.error.reason, raw)

    def _batch(
        self,
        items: list[RawItem],
        rejects: list[Rejected],
        end: int,
        line: int,
        print_: str,
        total: int,
    ) -> Batch:
        cursor = {"offset": end, "next_line": line, "fingerprint": print_}
        return Batch(items, cursor, rejects, Progress(end, total))


def _ascii_compatible(encoding: str) -> bool:
    probe = '\n\r",;\t|'
    try:
        return probe.encode(encoding) == probe.encode("ascii")
    except (LookupError, UnicodeError):
        return False
