"""Builds `data/lexicon.tsv` from the hand-written base lists `data/lexicon-base-*.txt`, by rules,
so that the lexicon is reproducible: the same lists always give the same file, byte for byte.

    python -m rumeur.nlp.lexicon_build            # writes the file
    python -m rumeur.nlp.lexicon_build --check    # exit 1 if the file is not what the lists give

A base list is a series of blocks. `@ POS CATEGORY` opens one; each line below it reads
`TERM VALUE [=FORM...] [~FORM...]` (see the head of `lexicon-base-fr.txt`). From each line:

- the inflections, by POS and language: French adjectives in gender and number (`déçu`,
  `déçue`, `déçus`, `déçues`), French nouns in number, French `-er` verbs in their common
  present, imperfect and past-participle forms; English plurals, adverbs in `-ly` (after the
  suffixes that make one, such as `-ful`, `-ous`, `-ible`), verbs in `-s`, `-ed` and `-ing`.
  Forms given with `=` replace the rules (irregular words, invariable ones).
- the misspellings: those given with `~`, every French form with some of its accents left out
  (`decu`, `deçu`, `décu`), and every form of seven letters or more with one doubled consonant
  written single (`insuportable`, `dissapointed` is given by hand).

A form keeps the first meaning it gets: a lemma before an inflection before a misspelling, then
the order of the lists. Two lemmas of one category on the same term are an error of the lists.
A derived word that is also an intensifier or a diminisher (`incredibly`) stays a modifier only.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rumeur.nlp.lexicon import ANY_LANG, COLUMNS, FORMS, Entry, fold, letters, strip_accents

BASES = (("fr", "lexicon-base-fr.txt"), ("en", "lexicon-base-en.txt"))
EMOJI_BASE = "lexicon-base-emoji.txt"
CATEGORY = {
    "word": "word",
    "intensifier": "intensifier",
    "diminisher": "diminisher",
    "negator": "negator",
    "contrast": "contrast",
    "question": "question",
    "emoticon": "emoticon",
}
POLAR = ("word", "emoticon")
MODIFIERS = ("intensifier", "diminisher")
MAX_ACCENT_VARIANTS = 3  # accented letters whose every subset is dropped: 2^3 - 1 variants
MIN_DOUBLE = 7  # letters from which a doubled consonant is also written single
_VALUE = re.compile(r"[+-]?[0-2]")
_DOUBLE = re.compile(r"([bcdfglmnprstz])\1")
_LAST_E_ACUTE = re.compile(r"é([^aeiouyàâéèêëîïôûù]+)$")
# English adjectives take a -ly adverb by rule only after these suffixes: the others (`dead`,
# `buggy`, `great`) make none, or one of another meaning (`deadly`, `greatly`), and the list gives
# the common ones by hand (`=rudely`).
_EN_ADVERB_SUFFIXES = ("ful", "less", "ous", "ive", "ent", "ant", "ible", "able", "ic", "al",
                       "ate", "ing", "ish")  # fmt: skip
_EN_NO_ADVERB = frozenset(("missing", "late", "practical"))
# French masculine endings and their feminine, most specific first (`-eil` before `-il`...).
_FR_FEMININE = (
    ("eux", "euse"),
    ("eur", "euse"),
    ("if", "ive"),
    ("eil", "eille"),
    ("el", "elle"),
    ("en", "enne"),
    ("on", "onne"),
    ("er", "ère"),
    ("et", "ette"),
)


@dataclass(slots=True)
class BaseLine:
    lang: str
    pos: str
    category: str
    term: str
    value: int
    forms: list[str] = field(default_factory=list)
    misspellings: list[str] = field(default_factory=list)
    where: str = ""


class BaseError(ValueError):
    """A base list line the build cannot read: names the file and the line."""


def data_folder() -> Path:
    return Path(str(resources.files("rumeur.nlp") / "data"))


def read_base(path: Path, lang: str) -> list[BaseLine]:
    lines, pos, category = [], "", ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        where = f"{path.name}, line {number}"
        if not text or text.startswith("# "):
            continue
        if text.startswith("@ "):
            pos, category = text[2:].split()
            if category not in CATEGORY:
                raise BaseError(f"{where}: unknown category {category!r}")
            continue
        if not pos:
            raise BaseError(f"{where}: a line before the first `@ POS CATEGORY`")
        lines.append(_base_line(text, lang, pos, category, where))
    return lines


def _base_line(text: str, lang: str, pos: str, category: str, where: str) -> BaseLine:
    tokens = text.split()
    # The value is the first token that reads -2..+2 after the term: a term never is a digit.
    at = next((i for i, t in enumerate(tokens) if i > 0 and _VALUE.fullmatch(t)), None)
    if at is None:
        raise BaseError(f"{where}: no value -2..+2 after the term")
    line = BaseLine(lang, pos, category, " ".join(tokens[:at]), int(tokens[at]), where=where)
    for extra in _extras(" ".join(tokens[at + 1 :])):
        if extra.startswith("="):
            line.forms.append(extra[1:])
        elif extra.startswith("~"):
            line.misspellings.append(extra[1:])
        else:
            raise BaseError(f"{where}: {extra!r} is neither =FORM nor ~FORM")
    return line


def _extras(text: str) -> list[str]:
    """`=pas dutout ~pa du tout` -> ['=pas dutout', '~pa du tout']: a form may hold spaces."""
    return [part.strip() for part in re.split(r"\s(?=[=~]\S)", " " + text) if part.strip()]


def inflections(line: BaseLine) -> list[str]:
    """The lemma's other forms, by rule unless the list gives them."""
    if line.forms:
        return line.forms
    if " " in line.term or line.category != "word":
        return []
    rules = {
        ("fr", "adj"): _fr_adjective,
        ("fr", "noun"): _fr_noun,
        ("fr", "verb"): _fr_verb,
        ("en", "adj"): _en_adjective,
        ("en", "noun"): _en_noun,
        ("en", "verb"): _en_verb,
    }
    rule = rules.get((line.lang, line.pos))
    return rule(line.term) if rule else []


def _fr_adjective(word: str) -> list[str]:
    for end, fem in _FR_FEMININE:
        if word.endswith(end):
            stem = word[: -len(end)]
            return [stem + fem, word if word.endswith("x") else word + "s", stem + fem + "s"]
    if word.endswith("al"):
        return [word + "e", word[:-2] + "aux", word + "es"]
    if word.endswith("e") and not word.endswith("é"):
        return [word + "s"]
    if word.endswith(("s", "x")):
        return [word + "e", word + "es"]
    return [word + "e", word + "s", word + "es"]


def _fr_noun(word: str) -> list[str]:
    if word.endswith(("s", "x", "z")):
        return []
    if word.endswith("al"):
        return [word[:-2] + "aux"]
    if word.endswith(("eau", "au", "eu")):
        return [word + "x"]
    return [word + "s"]


def _fr_verb(word: str) -> list[str]:
    if not word.endswith("er"):
        return []  # other groups are irregular enough to be given by hand
    stem = word[:-2]
    # `je règle`, `ça galère`: a last é before the ending's silent e is written è.
    silent = _LAST_E_ACUTE.sub(r"è\1", stem)
    forms = [silent + e for e in ("e", "es", "ent")]
    forms += [_soft(stem, e) for e in ("ons", "ez", "ait", "aient", "é", "ée", "és", "ées")]
    return forms


def _soft(stem: str, ending: str) -> str:
    """`nous mangeons`, `il agaçait`: before a and o, g and c keep their sound."""
    if ending[0] in "ao" and stem.endswith("g"):
        return stem + "e" + ending
    if ending[0] in "ao" and stem.endswith("c"):
        return stem[:-1] + "ç" + ending
    return stem + ending


def _en_adjective(word: str) -> list[str]:
    if not word.endswith(_EN_ADVERB_SUFFIXES) or word in _EN_NO_ADVERB:
        return []
    if word.endswith("le"):
        return [word[:-1] + "y"]
    if word.endswith("ic"):
        return [word + "ally"]
    if word.endswith("y"):
        return [word[:-1] + "ily"]
    return [word + "ly"]


def _en_noun(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


def _en_verb(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        third = word + "es"
    elif word.endswith("y") and word[-2] not in "aeiou":
        third = word[:-1] + "ies"
    else:
        third = word + "s"
    if word.endswith("e"):
        past, ing = word + "d", (word + "ing" if word.endswith("ee") else word[:-1] + "ing")
    elif word.endswith("y") and word[-2] not in "aeiou":
        past, ing = word[:-1] + "ied", word + "ing"
    else:
        past, ing = word + "ed", word + "ing"
    return [third, past, ing]


def misspellings(form: str, lang: str) -> list[str]:
    """What writers make of `form` often enough to be worth a row."""
    found = []
    if lang == "fr" and letters(form) >= 4:
        found += _accent_variants(form)
    if " " not in form and letters(form) >= MIN_DOUBLE:
        found += [form[: m.start()] + form[m.start() + 1 :] for m in _DOUBLE.finditer(form)]
    return found


def _accent_variants(form: str) -> list[str]:
    accented = [i for i, c in enumerate(form) if strip_accents(c) != c][:MAX_ACCENT_VARIANTS]
    variants = []
    for size in range(1, len(accented) + 1):
        for chosen in itertools.combinations(accented, size):
            chars = list(form)
            for i in chosen:
                chars[i] = strip_accents(chars[i])
            variants.append("".join(chars))
    return variants


def entries_of(line: BaseLine) -> Iterator[tuple[str, str]]:
    """(term, form kind) for one base line, lemma first."""
    yield line.term, "lemma"
    forms = inflections(line)
    for form in forms:
        yield form, "inflection"
    for form in line.misspellings:
        yield form, "misspelling"
    for form in (line.term, *forms):
        for variant in misspellings(form, line.lang):
            yield variant, "misspelling"


def build(folder: Path) -> list[Entry]:
    lines = [line for lang, name in BASES for line in read_base(folder / name, lang)]
    lines += read_base(folder / EMOJI_BASE, ANY_LANG)
    chosen: dict[tuple[str, str, str], tuple[int, Entry]] = {}
    for line in lines:
        polar = line.category in POLAR
        polarity = line.value if polar else 0
        strength = max(1, abs(line.value))
        for term, form in entries_of(line):
            key = (line.lang, fold(term), line.category)
            rank = FORMS.index(form)
            if key in chosen:
                if rank == 0 and chosen[key][0] == 0:
                    raise BaseError(f"{line.where}: {term!r} is already a {line.category}")
                if chosen[key][0] <= rank:
                    continue
            entry = Entry(line.lang, term, line.category, polarity, strength, line.term, form)
            chosen[key] = (rank, entry)
    # A derived word that is also an intensifier or a diminisher (`terribly`, `incredibly`)
    # would read `incredibly rude` as praise: it stays a modifier only.
    modifiers = {(e.lang, fold(e.term)) for _, e in chosen.values() if e.category in MODIFIERS}
    # File order: the base lists' order, each key where it first appeared.
    return [
        e
        for _, e in chosen.values()
        if not (e.category == "word" and e.form != "lemma" and (e.lang, fold(e.term)) in modifiers)
    ]


def render(entries: list[Entry]) -> str:
    rows = ["\t".join(COLUMNS)]
    for e in entries:
        cells = (e.lang, e.term, e.category, str(e.polarity), str(e.strength), e.lemma, e.form)
        rows.append("\t".join(cells))
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="the folder of the base lists")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    folder = args.data or data_folder()
    text = render(build(folder))
    target = folder / "lexicon.tsv"
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print(f"{target}: {'up to date' if same else 'differs from the base lists'}")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8")
    print(f"{target}: {text.count(chr(10)) - 1} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
