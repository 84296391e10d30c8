"""The polarity lexicon written by the project, for French and English: words with a polarity,
and the words that act on them (intensifiers, diminishers, negators, contrast), question cues,
emoticons and emoji. `lexicon_build.py` writes `data/lexicon.tsv` from hand-written base lists;
this module reads it.

A term is looked up folded: lower case, typographic apostrophes made straight, emoji variation
selectors and skin tones dropped, spaces squeezed. Accents are optional: an exact match wins,
else the term is compared without accents (`decu` finds `déçu`), except for terms of fewer than
`MIN_LOOSE` letters, where dropping an accent makes another word (`où`/`ou`, `là`/`la`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from rumeur.errors import InputError
from rumeur.i18n import _

LANGS = ("fr", "en")
ANY_LANG = "*"  # emoticons and emoji: the same in every language
CATEGORIES = (
    "word",
    "intensifier",
    "diminisher",
    "negator",
    "contrast",
    "question",
    "emoticon",
)
FORMS = ("lemma", "inflection", "misspelling")
COLUMNS = ("lang", "term", "category", "polarity", "strength", "lemma", "form")
MIN_LOOSE = 4
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def lexicon_path() -> Path:
    return Path(str(resources.files("rumeur.nlp") / "data" / "lexicon.tsv"))


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the lexicon. `polarity` is -2..+2 for a word or an emoticon and 0 for the
    others; `strength` is 1 or 2: how polar a word is, how strongly an intensifier, a
    diminisher or a negator acts (1 for contrast words and question cues)."""

    lang: str
    term: str
    category: str
    polarity: int
    strength: int
    lemma: str
    form: str


class LexiconError(InputError):
    """A row of the lexicon file is malformed: `str()` is one line with file, line and field."""

    def __init__(self, path: Path, line: int, field: str, reason: str) -> None:
        super().__init__(
            _("{path}, line {line}, field {field}: {reason}").format(
                path=path, line=line, field=field, reason=reason
            )
        )
        self.path, self.line, self.field = path, line, field


def fold(term: str) -> str:
    """The form a term is compared in, accents kept. Emoji lose their variation selector and
    skin tone: 👍🏽 says what 👍 says."""
    text = unicodedata.normalize("NFC", term).lower().replace("’", "'")
    return " ".join(_EMOJI_MODIFIERS.sub("", text).split())


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not _is_mark(c)))


def _is_mark(char: str) -> bool:
    return unicodedata.combining(char) != 0


def letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


class Lexicon:
    """The entries of one language (and the emoticons of all)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        self._exact: dict[str, tuple[Entry, ...]] = _index(self.entries, fold)
        loose = [e for e in self.entries if letters(e.term) >= MIN_LOOSE]
        self._loose: dict[str, tuple[Entry, ...]] = _index(loose, _loose_key)
        self.max_words = max((len(k.split()) for k in self._exact), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def lookup(self, term: str, accents: bool = False) -> tuple[Entry, ...]:
        """Every entry of `term` (one word or several, or an emoticon), in file order; empty
        when it has none. `accents=True` refuses the accent-free fallback."""
        key = fold(term)
        found = self._exact.get(key, ())
        if found or accents or letters(key) < MIN_LOOSE:
            return found
        return self._loose.get(strip_accents(key), ())

    def match(self, words: Sequence[str]) -> list[tuple[int, int, tuple[Entry, ...]]]:
        """The lexicon's terms in a sequence of words, longest first from left to right:
        (start, end, entries) with `words[start:end]` the term (`pas du tout` is one match)."""
        found, start = [], 0
        while start < len(words):
            for end in range(min(len(words), start + self.max_words), start, -1):
                entries = self.lookup(" ".join(words[start:end]))
                if entries:
                    found.append((start, end, entries))
                    start = end
                    break
            else:
                start += 1
        return found


def _loose_key(term: str) -> str:
    return strip_accents(fold(term))


def _index(entries: Sequence[Entry], key: Callable[[str], str]) -> dict[str, tuple[Entry, ...]]:
    index: dict[str, list[Entry]] = {}
    for entry in entries:
        index.setdefault(key(entry.term), []).append(entry)
    return {k: tuple(v) for k, v in index.items()}


def load_lexicon(lang: str, path: Path | None = None) -> Lexicon:
    """The lexicon of `lang` ("fr" or "en"), with the emoticons and emoji."""
    if lang not in LANGS:
        raise InputError(
            _("{value!r} is not one of {allowed}").format(value=lang, allowed=", ".join(LANGS))
        )
    if path is None:
        return _shipped(lang)
    return Lexicon([e for e in read_lexicon(path) if e.lang in (lang, ANY_LANG)])


@cache
def _shipped(lang: str) -> Lexicon:
    # Read once per process: the shipped file does not change while rumeur runs.
    return Lexicon([e for e in read_lexicon(lexicon_path()) if e.lang in (lang, ANY_LANG)])


def read_lexicon(path: Path) -> list[Entry]:
    """Every row of a lexicon file, checked; `LexiconError` names the first bad one."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            _("{path}: cannot be read ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    if not lines or lines[0].split("\t") != list(COLUMNS):
        reason = _("the header should read {columns}").format(columns=" ".join(COLUMNS))
        raise LexiconError(path, 1, "-", reason)
    return [_entry(path, n, line) for n, line in enumerate(lines[1:], start=2) if line]


def _entry(path: Path, number: int, line: str) -> Entry:
    cells = line.split("\t")
    if len(cells) != len(COLUMNS):
        reason = _("{count} columns where {expected} were expected").format(
            count=len(cells), expected=len(COLUMNS)
        )
        raise LexiconError(path, number, "-", reason)
    row = dict(zip(COLUMNS, cells, strict=True))
    for name, allowed in (
        ("lang", (*LANGS, ANY_LANG)),
        ("category", CATEGORIES),
        ("form", FORMS),
    ):
        if row[name] not in allowed:
            reason = _("{value!r} is not one of {allowed}").format(
                value=row[name], allowed=", ".join(allowed)
            )
            raise LexiconError(path, number, name, reason)
    if not row["term"].strip() or not row["lemma"].strip():
        field = "term" if not row["term"].strip() else "lemma"
        raise LexiconError(path, number, field, _("a non-empty string is required"))
    polarity = _integer(path, number, "polarity", row["polarity"], -2, 2)
    strength = _integer(path, number, "strength", row["strength"], 1, 2)
    return Entry(
        row["lang"], row["term"], row["category"], polarity, strength, row["lemma"], row["form"]
    )


def _integer(path: Path, number: int, field: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        reason = _("{value!r} is not a whole number from {low} to {high}").format(
            value=text, low=low, high=high
        )
        raise LexiconError(path, number, field, reason)
    return value
