"""`rumeur labels import FILE`: the team's corrections as JSON lines, one object a line:

    {"post_id": 1234, "sentiment": "negative"}
    {"text": "Colis en retard, vraiment déçu", "sentiment": "negative", "emotion": "sadness"}

A line names a stored post of the workspace (`post_id`) or a text alone (`text`), and gives at
least one of `sentiment`, `emotion` and `reason`. A line that cannot be read is refused whole,
in one line naming the file, the line and the field; the good lines are recorded all the same
(store/corrections.py), in transactions of CHUNK lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from rumeur.commands.classifying import open_input
from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import CONTROL
from rumeur.config import Workspace
from rumeur.errors import InputError
from rumeur.i18n import _, number
from rumeur.store import Store
from rumeur.store.corrections import (
    FIELDS,
    MAX_TEXT,
    CorrectionError,
    Wanted,
    check_author,
    check_text,
    check_value,
    label_choices,
    posts_in,
    record_corrections,
)

CHUNK = 500  # lines recorded in one transaction
KEYS = ("post_id", "text", *FIELDS)
# A line's bytes at the most: a text of MAX_TEXT characters, each written \uXXXX, and the
# labels. A longer line is refused without being read into memory whole.
MAX_LINE = 6 * MAX_TEXT + 4096
MAX_ID = 2**63 - 1  # a post's number is a 64-bit integer in the store


@dataclass(slots=True)
class ImportReport:
    lines: int = 0
    posts: int = 0  # corrections of stored posts
    texts: int = 0  # corrections of texts alone
    refused: list[str] = field(default_factory=list)  # one line each, as printed


def import_labels(
    store: Store, ws: Workspace, path: str, author: str, err: IO[str] | None = None
) -> ImportReport:
    """Record the corrections of `path` (or - for standard input) for `ws`; print each refused
    line as it is found, then the summary."""
    console = make_console(stderr=True, file=err)
    check_author(author)  # before a line is read: a bad --by is the command's error
    report = ImportReport()
    choices = label_choices(ws)
    shown = "-" if path == "-" else path
    with open_input(path) as source:
        for chunk in _chunks(source):
            said = len(report.refused)
            report.lines += len(chunk)
            wanted = _checked(store, ws, chunk, choices, shown, report)
            record_corrections(store, ws.slug, wanted, author)
            report.posts += sum(1 for w in wanted if w.post_id is not None)
            report.texts += sum(1 for w in wanted if w.post_id is None)
            for line in report.refused[said:]:
                console.print(line, markup=False, soft_wrap=True)
    if report.lines == 0:  # a wrong file, or a pipe that gave nothing: say so, do not succeed
        raise InputError(
            _("{path}: no correction to import (the file is empty)").format(path=shown)
        )
    console.print(_summary(report, shown), markup=False, soft_wrap=True)
    return report


def _summary(report: ImportReport, path: str) -> str:
    return _(
        "{path}: lines read: {lines}; corrections recorded: {posts} of posts, {texts} of "
        "texts; lines refused: {refused}"
    ).format(
        path=path,
        lines=number(report.lines),
        posts=number(report.posts),
        texts=number(report.texts),
        refused=number(len(report.refused)),
    )


def _chunks(source: IO[bytes]) -> Iterator[list[tuple[int, bytes | None]]]:
    """The file's non-blank lines, CHUNK at a time, numbered; None for a line over MAX_LINE."""
    chunk: list[tuple[int, bytes | None]] = []
    for line, raw in enumerate(_lines(source), start=1):
        if raw is None or raw.strip():  # blank lines (a trailing newline, a gap) say nothing
            chunk.append((line, raw))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lines(source: IO[bytes]) -> Iterator[bytes | None]:
    """Each line of `source`, or None for one longer than MAX_LINE, whose rest is skipped
    MAX_LINE bytes at a time (a file with no newline never sits in memory whole)."""
    while raw := source.readline(MAX_LINE + 1):
        if len(raw) <= MAX_LINE:
            yield raw
            continue
        while raw and not raw.endswith(b"\n"):
            raw = source.readline(MAX_LINE)
        yield None


def _checked(
    store: Store,
    ws: Workspace,
    chunk: Sequence[tuple[int, bytes | None]],
    choices: Mapping[str, Sequence[str]],
    path: str,
    report: ImportReport,
) -> list[Wanted]:
    """The chunk's corrections that can be recorded; the others refused in `report`."""
    read: list[tuple[int, list[Wanted]]] = []
    refused: list[tuple[int, str]] = []
    for line, raw in chunk:
        try:
            read.append((line, _wanted(raw, choices)))
        except CorrectionError as exc:
            refused.append((line, str(exc)))
    ids = {w.post_id for _line, line_wanted in read for w in line_wanted if w.post_id is not None}
    known = posts_in(store, ws.slug, ids)
    good: list[Wanted] = []
    for line, wanted in read:
        missing = next((w.post_id for w in wanted if w.post_id not in (None, *known)), None)
        if missing is None:
            good += wanted
            continue
        message = _("post {id}: no such post in workspace {workspace}")
        refused.append((line, "post_id: " + message.format(id=missing, workspace=ws.slug)))
    report.refused += [_refusal(path, line, error) for line, error in sorted(refused)]
    return good


def _refusal(path: str, line: int, error: str) -> str:
    said = _("{path}, line {line}: {error}").format(path=path, line=line, error=error)
    return CONTROL.sub("?", said)  # the file's values stay text on the analyst's screen


def _wanted(raw: bytes | None, choices: Mapping[str, Sequence[str]]) -> list[Wanted]:
    """The corrections of one line, or CorrectionError naming the field at fault."""
    value = _parsed(raw)
    if not isinstance(value, dict):
        raise CorrectionError(_("a JSON object is expected"))
    unknown = [k for k in value if k not in KEYS]
    if unknown:
        raise CorrectionError(
            _("{field}: not a field; expected {fields}").format(
                field=json.dumps(unknown[0], ensure_ascii=False)[:80], fields=", ".join(KEYS)
            )
        )
    post_id, text = _subject(value)
    given = [f for f in FIELDS if f in value]
    if not given:
        raise CorrectionError(_("no label: give sentiment, emotion or reason"))
    return [Wanted(post_id, text, f, check_value(f, value[f], choices)) for f in given]


def _parsed(raw: bytes | None) -> Any:
    """The line's JSON value, or CorrectionError saying why it cannot be read."""
    if raw is None:
        message = _("line longer than {n} bytes: not read")
        raise CorrectionError(message.format(n=number(MAX_LINE)))
    try:
        # Strictly UTF-8: a text's bytes replaced by U+FFFD would be learnt from as written.
        return json.loads(raw.rstrip(b"\r\n").decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorrectionError(_("not UTF-8 (byte {n})").format(n=exc.start + 1)) from None
    except json.JSONDecodeError as exc:
        message = _("not valid JSON ({error} at column {column})")
        raise CorrectionError(message.format(error=_problem(exc.msg), column=exc.colno)) from None
    except (RecursionError, ValueError):
        # Nested deeper than the parser goes, or a number of thousands of digits (Python's
        # int limit): no correction is either.
        raise CorrectionError(_("a JSON object is expected")) from None


def _problem(said: str) -> str:
    """The JSON parser's words for what it found wrong, in the reader's language: Python's own
    in English, the common ones in French."""
    said = said.removesuffix(" at")  # "... starting at" would read "at at column 5"
    names = {
        "Expecting value": _("Expecting value"),
        "Expecting property name enclosed in double quotes": _(
            "Expecting property name enclosed in double quotes"
        ),
        "Expecting ',' delimiter": _("Expecting ',' delimiter"),
        "Expecting ':' delimiter": _("Expecting ':' delimiter"),
        "Unterminated string starting": _("Unterminated string starting"),
        "Invalid control character": _("Invalid control character"),
        "Extra data": _("Extra data"),
        "Invalid \\uXXXX escape": _("Invalid \\uXXXX escape"),
    }
    return names.get(said, said)


def _subject(value: dict[str, Any]) -> tuple[int | None, str | None]:
    """(post_id, None) or (None, text): what the line corrects."""
    post_id, text = value.get("post_id"), value.get("text")
    if post_id is not None and text is not None:
        raise CorrectionError(_("post_id: give a post_id or a text, not both"))
    if post_id is not None:
        if isinstance(post_id, bool) or not isinstance(post_id, int) or not 0 < post_id <= MAX_ID:
            raise CorrectionError(_("post_id: a post's number is expected"))
        return post_id, None
    if not isinstance(text, str):
        raise CorrectionError(_("text: a post_id or a text is expected"))
    return None, check_text(text)
