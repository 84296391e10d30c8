"""`rumeur classify`: JSON lines with a `text` in, one JSON line of answers per input out, in
order. A line that cannot be read gets an `error` answer on its own line; nothing crashes."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rumeur.errors import InputError
from rumeur.i18n import _
from rumeur.nlp.base import Classifier

CHUNK = 1000  # lines classified together


def classify_lines(
    model: Classifier,
    source: IO[bytes],
    out: IO[str],
    explain: bool = False,
    top: int = 8,
    language: Classifier | None = None,
) -> int:
    """Answer every line of `source`; returns how many lines were read. With `language`, the
    language found goes to `model` first, as in the pipeline (per-language sentiment)."""
    count = 0
    for chunk in _chunks(source):
        texts = [text for text, _ in chunk if text is not None]
        meta = None
        if language is not None and texts:
            meta = [str(label) or "unknown" for label in language.predict(texts).labels]
        answers = iter(_answers(model, texts, explain, top, meta))
        for text, error in chunk:
            answer = {"error": error} if text is None else next(answers)
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        count += len(chunk)
    out.flush()
    return count


def open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except OSError as exc:
        message = _("{path}: cannot be read ({reason})")  # as every input file's, in French too
        raise InputError(message.format(path=path, reason=exc.strerror)) from None


def _chunks(source: IO[bytes]) -> Iterator[list[tuple[str | None, str]]]:
    chunk: list[tuple[str | None, str]] = []
    for number, raw in enumerate(source, start=1):
        chunk.append(_read_line(number, raw))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_line(number: int, raw: bytes) -> tuple[str | None, str]:
    """(text, "") or (None, what is wrong). Broken UTF-8 is read with U+FFFD in its place."""
    line = raw.decode("utf-8", errors="replace").strip()
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not valid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return None, f"line {number}: a JSON object with a string 'text' was expected"
    return value["text"], ""


def _answers(
    model: Classifier, texts: list[str], explain: bool, top: int, meta: list[str] | None = None
) -> list[dict[str, Any]]:
    if not texts:
        return []
    classes, matrix = model.predict_proba(texts, meta)
    result = model.predict(texts, meta)
    answers = []
    for i, text in enumerate(texts):
        label = result.label(i) or "unknown"
        row = matrix[i]
        answer: dict[str, Any] = {
            "label": label,
            "score": _number(result.score(i)),
            "scores": {
                c: _number(p) for c, p in zip(classes, row, strict=True) if not math.isnan(p)
            },
            "model": result.model,
            "version": result.version,
        }
        if explain:
            why = model.explain(text, top, None if meta is None else meta[i])
            answer["explain"] = None if why is None else why.as_dict()
        answers.append(answer)
    return answers


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)
