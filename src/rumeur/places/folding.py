"""One way to compare place names: without case, accents, punctuation or "St" for "Saint"."""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[^\w\n]+|_+")
# Abbreviations people type for the same word ("St-Étienne", "Ste Foy", "Mt Pearl").
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount"}
# A name in Latin letters, starting with a capital, as people type it. The gazetteer's
# transliterations of other scripts ("ba li" for 巴黎) and airport codes ("PAR") are left out.
_UPPER = "A-Z\u00c0-\u00de\u0100-\u024f\u1e00-\u1eff"
_LETTER = "A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f"
_LATIN = re.compile(f"^[{_UPPER}][{_LETTER} '’.\\-]{{2,}}$", re.MULTILINE)


_ABBREVIATED = re.compile(r"(?<![^ \n])(st|ste|mt)(?![^ \n])")


def fold(text: str) -> str:
    return fold_all([text])[0]


def fold_all(texts: list[str]) -> list[str]:
    """`fold` of each text, done on all of them at once: building the gazetteer's index
    folds 150,000 names, and a few passes over one long string are several times faster than
    as many passes over each name. Lines stay aligned: no pass removes a line break."""
    joined = "\n".join(text.replace("\n", " ") for text in texts)
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", joined)).casefold()
    bare = _NOT_WORD.sub(" ", bare.replace("œ", "oe").replace("æ", "ae"))
    bare = _ABBREVIATED.sub(lambda m: _ABBREVIATIONS[m.group(1)], bare)
    return [" ".join(line.split()) for line in bare.split("\n")]


def latin_names(lines: str) -> list[str]:
    """The names, one a line, written in Latin letters (one pass over a city's names)."""
    return [name for name in _LATIN.findall(lines) if not name.isupper()]
