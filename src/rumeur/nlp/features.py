"""Text normalisation and hashed n-gram features, shared by training and inference.

A text becomes tokens (lowercased, links and mentions replaced, elongations squeezed, emoji and
emoticons kept, negation scopes marked with ``NEG_``), then two blocks of hashed features: word
1–2 grams of the marked tokens and character 2–5 grams inside each plain token padded with
spaces (scikit-learn's ``char_wb``). Each block is scaled (sublinear tf, optional idf) and
L2-normalised on its own, and the two are laid side by side.

The hashes are our own (CRC-32 of the UTF-8 word, a 64-bit polynomial over code points for
characters, then a SplitMix64 finaliser) so that a column is the same on every run and platform,
and so that `Featuriser.units` can name, for one text, the feature behind every column: that is
what an explanation reads.

With `cues`, a third block follows: the polarity lexicon's cues (`rumeur.nlp.cues`), one named
column each (negative words, negated positive words, question cues...), read in the same tokens.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from rumeur.nlp import cues as cue_block

MAX_CHARS = 5000  # longer texts are cut: the features of a post live in its first lines
URL, USER = "_url", "_user"
NEG_PREFIX = "NEG_"
NEG_SCOPE = 3

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_P = np.uint64(1000003)
_SALT_UNI, _SALT_BI = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_SALT_CHAR, _SALT_META = np.uint64(0x165667B19E3779F9), np.uint64(0x27D4EB2F165667C5)

_URL_RE = re.compile(r"\b(?:https?(?::/\S*|\b)|www\.\S+)")
_USER_RE = re.compile(r"@\w+")
_ELONG_RE = re.compile(r"(\D)\1{2,}")
_NT_RE = re.compile(r"n['’]t\b")
_APOS_NEG_RE = re.compile(r"(?<![^\W\d_])n['’]")
_EMOTICON = r"[:;=8][\-o*']?[()\[\]dDpP/\\|@3]+|<3+|[()\[\]dDpP/\\|][\-o*']?[:;=8]"
_EMOJI = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF]"
_MARKS = r"\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0903\u093a-\u094f\u0962\u0963"
_WORD = rf"(?:[^\W\d_]|[{_MARKS}])(?:[^\W_]|[{_MARKS}])*"
_TOKEN_RE = re.compile(rf"{_WORD}|{URL}|{USER}|\d+|{_EMOTICON}|{_EMOJI}|[!?]+|[.,;:]+")
_SCOPE_END = frozenset(".,;:!?")

NEGATIONS = frozenset(
    # en, fr, es, it, pt, de; "n't" is rewritten to "not" and French "n'" to "ne" first.
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "without",
        "cannot",
        "ne",
        "pas",
        "jamais",
        "rien",
        "aucun",
        "aucune",
        "sans",
        "ni",
        "nunca",
        "nada",
        "nadie",
        "ningún",
        "ninguna",
        "sin",
        "tampoco",
        "jamás",
        "non",
        "mai",
        "niente",
        "nessuno",
        "nessuna",
        "senza",
        "não",
        "nao",
        "nem",
        "nenhum",
        "nenhuma",
        "sem",
        "jamais",
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "nie",
        "niemals",
        "nichts",
        "ohne",
        "weder",
    ]
)


def normalise_batch(texts: Sequence[object]) -> list[str]:
    """Lowercased texts with links, mentions, elongations and contractions made regular.

    The texts are joined and rewritten in one pass of each pattern, which is several times
    faster than one call per text; anything that is not a string counts as empty.
    """
    parts = [t[:MAX_CHARS].replace("\n", " ") if isinstance(t, str) else "" for t in texts]
    text = "\n".join(parts).encode("utf-8", "replace").decode("utf-8").lower()
    text = _URL_RE.sub(f" {URL} ", text)
    text = _USER_RE.sub(f" {USER} ", text)
    text = _NT_RE.sub(" not", text.replace("#", " "))
    text = _APOS_NEG_RE.sub("ne ", text)
    return _ELONG_RE.sub(r"\1\1", text).split("\n")


def tokenise_batch(texts: Sequence[object]) -> list[list[str]]:
    return [_TOKEN_RE.findall(t) for t in normalise_batch(texts)]


def tokenise(text: str) -> list[str]:
    return tokenise_batch([text])[0]


def mark_negation(tokens: Sequence[str]) -> list[str]:
    """Prefix NEG_ to the tokens that follow a negation word, until punctuation or 3 tokens."""
    if NEGATIONS.isdisjoint(tokens):
        return list(tokens)
    marked, left = [], 0
    for token in tokens:
        if token[0] in _SCOPE_END:
            left = 0
            marked.append(token)
        elif left:
            left -= 1
            marked.append(NEG_PREFIX + token)
        else:
            marked.append(token)
        if token in NEGATIONS:
            left = NEG_SCOPE
    return marked


def _mix(h: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads the bits of a 64-bit hash over all columns."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


_crc_cache: dict[str, int] = {}


def _crc(token: str) -> int:
    value = _crc_cache.get(token)
    if value is None:
        value = zlib.crc32(token.encode("utf-8", "replace"))
        if len(_crc_cache) < 1_000_000:
            _crc_cache[token] = value
    return value


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32).astype(np.uint64)


_SHARED: ContextVar[dict[tuple[Any, ...], tuple[list[Any], Any]] | None] = ContextVar(
    "rumeur_shared_features", default=None
)


@contextmanager
def shared_features() -> Iterator[None]:
    """Within this block, featurisers reuse what they computed for the same list of texts."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """`compute()`, or its value from earlier in the same `shared_features()` block."""
    cache = _SHARED.get()
    if cache is None:
        return compute()
    # Lists are keyed by identity, and kept alive with the value so that no id is reused.
    lists = [k for k in key if isinstance(k, list)]
    ident = tuple(id(k) if isinstance(k, list) else k for k in key)
    hit = cache.get(ident)
    if hit is not None and all(a is b for a, b in zip(hit[0], lists, strict=True)):
        return hit[1]
    value = compute()
    cache[ident] = (lists, value)
    return value


@dataclass
class Featuriser:
    """Hashed word 1–2 grams and char 2–5 grams; the settings travel with each model."""

    word_bits: int = 18
    char_bits: int = 18
    char_min: int = 2
    char_max: int = 5
    word_ngrams: int = 2
    char_weight: float = 1.0
    sublinear: bool = True
    cues: bool = False
    cue_weight: float = 1.0
    idf: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_word(self) -> int:
        return 1 << self.word_bits

    @property
    def n_hashed(self) -> int:
        """Columns of the word and character blocks; the cue block's come after them."""
        return self.n_word + (1 << self.char_bits)

    @property
    def n_features(self) -> int:
        return self.n_hashed + (len(cue_block.COLUMNS) if self.cues else 0)

    def settings(self) -> dict[str, Any]:
        keys = ("word_bits", "char_bits", "char_min", "char_max", "word_ngrams", "char_weight")
        found = {k: getattr(self, k) for k in keys} | {"sublinear": self.sublinear}
        # Without cues the settings read as before them: older cards and feature keys hold.
        return found | ({"cues": True, "cue_weight": self.cue_weight} if self.cues else {})

    def transform(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> sp.csr_matrix:
        """One L2-normalised row per text. `meta` adds one extra word token per text.

        Inside `shared_features()`, the parts already computed for the same list of texts (its
        tokens, its character block) are reused: several models read one batch for the price
        of about one featurisation.
        """
        tokens = shared(("tokens", texts), lambda: tokenise_batch(texts))
        hashed = {k: v for k, v in self.settings().items() if k not in ("cues", "cue_weight")}
        settings = tuple(hashed.items()), None if self.idf is None else id(self.idf)
        word_block = shared(("words", texts, meta, settings), lambda: self._words(tokens, meta))
        char_block = shared(
            ("chars", texts, settings),
            lambda: self._scale(self._char_counts(tokens), self.n_word) * self.char_weight,
        )
        blocks = [word_block, char_block]
        if self.cues:
            blocks.append(
                shared(("cues", texts, meta, self.cue_weight), lambda: self._cues(tokens, meta))
            )
        return sp.hstack(blocks, format="csr")

    def _cues(self, tokens: list[list[str]], meta: Sequence[str] | None) -> sp.csr_matrix:
        langs = [None] * len(tokens) if meta is None else list(meta)
        rows, cols, values = cue_block.cue_rows(tokens, langs)
        shape = (len(tokens), len(cue_block.COLUMNS))
        return sp.csr_matrix((values * np.float32(self.cue_weight), (rows, cols)), shape=shape)

    def cue_units(self, text: str, meta: str | None = None) -> list[tuple[str, int, float]]:
        """(hit as a reader reads it, column, its share of the column's value) for one text:
        the shares of a column add up to the value `transform` gives it."""
        if not self.cues:
            return []
        hits = cue_block.named_hits(tokenise(text), meta)
        totals: dict[int, float] = {}
        for hit in hits:
            totals[hit.column] = totals.get(hit.column, 0.0) + hit.value
        out = []
        for hit in hits:
            total = totals[hit.column]
            value = float(np.log1p(np.float32(total))) * self.cue_weight * hit.value / total
            out.append((hit.name, self.n_hashed + hit.column, value))
        return out

    def _words(self, tokens: list[list[str]], meta: Sequence[str] | None) -> sp.csr_matrix:
        words = [mark_negation(t) for t in tokens]
        if meta is not None:
            words = [[*w, f"__{m}"] for w, m in zip(words, meta, strict=True)]
        counts = self._word_counts(words) if self.word_ngrams else self._empty(len(words), 0)
        return self._scale(counts, 0)

    def _word_counts(self, docs: list[list[str]]) -> sp.csr_matrix:
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        hashes = np.fromiter((_crc(w) for d in docs for w in d), dtype=np.uint64)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        cols = [_mix(hashes ^ _SALT_UNI)]
        row_parts = [rows]
        if self.word_ngrams >= 2 and len(hashes) > 1:
            same = rows[1:] == rows[:-1]
            cols.append(_mix(hashes[:-1][same] * _P + hashes[1:][same] + _SALT_BI))
            row_parts.append(rows[1:][same])
        return self._counts(
            np.concatenate(row_parts), np.concatenate(cols), len(docs), self.word_bits
        )

    def _char_counts(self, docs: list[list[str]]) -> sp.csr_matrix:
        streams = [" " + " ".join(d) + " " if d else "" for d in docs]
        lengths = np.fromiter((len(s) for s in streams), dtype=np.int64, count=len(streams))
        code = _codepoints("".join(streams))
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        space = code == 32
        inner_ok = np.ones(len(code), dtype=bool)
        row_parts, col_parts, h = [], [], code.copy()
        for n in range(2, self.char_max + 1):
            h = h[:-1] * _P + code[n - 1 :]
            size = len(h)
            # An n-gram stays inside one padded word: no space strictly inside it; two spaces
            # side by side only happen where one text ends and the next begins.
            inner_ok = inner_ok[:size] & ~space[n - 2 : n - 2 + size] if n > 2 else inner_ok[:size]
            keep = inner_ok & ~(space[:size] & space[n - 1 :]) if n == 2 else inner_ok
            if n >= self.char_min:
                row_parts.append(rows[:size][keep])
                col_parts.append(_mix(h[keep] + np.uint64(n) * _SALT_CHAR))
        rows_all = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
        cols_all = np.concatenate(col_parts) if col_parts else np.zeros(0, np.uint64)
        return self._counts(rows_all, cols_all, len(docs), self.char_bits)

    def _empty(self, n_rows: int, block: int) -> sp.csr_matrix:
        width = self.n_word if block == 0 else 1 << self.char_bits
        return sp.csr_matrix((n_rows, width), dtype=np.float32)

    @staticmethod
    def _counts(rows: np.ndarray, hashes: np.ndarray, n_rows: int, bits: int) -> sp.csr_matrix:
        """Count (row, column) pairs: one sort of packed keys, no per-row work."""
        mask = np.uint64((1 << bits) - 1)
        keys = np.sort((rows.astype(np.uint64) << np.uint64(bits)) | (hashes & mask))
        starts = np.flatnonzero(np.concatenate([keys[:1] == keys[:1], keys[1:] != keys[:-1]]))
        counts = np.diff(np.append(starts, len(keys))).astype(np.float32)
        unique = keys[starts]
        indptr = np.searchsorted(unique >> np.uint64(bits), np.arange(n_rows + 1, dtype=np.uint64))
        indices = (unique & mask).astype(np.int32)
        return sp.csr_matrix((counts, indices, indptr), shape=(n_rows, 1 << bits))

    def _scale(self, matrix: sp.csr_matrix, offset: int) -> sp.csr_matrix:
        if self.sublinear:
            matrix.data = 1.0 + np.log(matrix.data)
        if self.idf is not None:
            matrix.data *= self.idf[matrix.indices + offset]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ matrix)

    def units(self, text: str, meta: str | None = None) -> list[tuple[str, str, int]]:
        """(feature, token it came from, column) for every feature of one text, in order.

        Word features are named by their n-gram (``pas``, ``NEG_content``, ``très déçu``); char
        n-grams by the n-gram between brackets, and carry the plain token they were cut from,
        so an explanation can add them up per word.
        """
        tokens = tokenise(text)
        words = mark_negation(tokens) + ([f"__{meta}"] if meta is not None else [])
        out = [(w, w, int(self._word_col(w))) for w in words] if self.word_ngrams else []
        if self.word_ngrams >= 2 and words:
            out += [
                (f"{a} {b}", f"{a} {b}", int(self._bigram_col(a, b)))
                for a, b in itertools.pairwise(words)
            ]
        for token in tokens:
            padded = f" {token} "
            for n in range(self.char_min, self.char_max + 1):
                for i in range(len(padded) - n + 1):
                    gram = padded[i : i + n]
                    out.append((f"[{gram}]", token, self.n_word + self._char_col(gram)))
        return out

    def _word_col(self, word: str) -> int:
        return int(
            _mix(np.array([_crc(word)], dtype=np.uint64) ^ _SALT_UNI)[0] % np.uint64(self.n_word)
        )

    def _bigram_col(self, a: str, b: str) -> int:
        pair = np.array([_crc(a)], dtype=np.uint64) * _P + np.uint64(_crc(b)) + _SALT_BI
        return int(_mix(pair)[0] % np.uint64(self.n_word))

    def _char_col(self, gram: str) -> int:
        code, h = _codepoints(gram), np.zeros(1, dtype=np.uint64)
        h[0] = code[0]
        for c in code[1:]:
            h = h * _P + c
        h = h + np.uint64(len(code)) * _SALT_CHAR
        return int(_mix(h)[0] % np.uint64(1 << self.char_bits))
