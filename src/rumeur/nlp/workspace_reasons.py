"""A workspace's own complaint-reason model, built in a fraction of a second from what the
workspace says about its reasons: a few example posts each, the posts its queries match, and
the analysts' corrections of the `reason` field.

A few dozen examples are too few for the shipped linear models' hashed features, so this model
is a naive-Bayes log-count ratio per word stem and reason: a stem seen in a reason's examples
and rarer in the others weighs `log(P(stem | reason) / P(stem | other examples))` for that reason
(the second estimated as if twenty more examples held it once, so that a workspace of
one or two reasons still learns from their words).
A text's score for a reason is the sum of the weights of the stems it holds, plus
`QUERY_WEIGHT` when the text matches the reason's query; the reason with the best score wins when
it reaches the threshold and beats the examples of "no reason" (corrections to `""`), else the
text gets no reason (`""`). Scores are sums, so an explanation names exactly the words that made
them, the query that matched, and the examples of the reason nearest to the text.

The model is stored as JSON bytes (`to_bytes`, `ReasonModel.from_bytes`), never as a pickle: a
database row must not be able to run code. A query is stored as its text; the caller, which can
parse rumeur's query language (nlp sits beside `rumeur.query`, not above it), attaches the
matchers (`rules`).

    model = train_reason_model(workspace.reasons, [("colis jamais arrivé", "Livraison")])
    model.predict(["Mon colis n'est toujours pas livré"]).label(0)   # "Livraison"
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from rumeur.entities import strip_entities
from rumeur.model import EnrichmentResult
from rumeur.nlp.explain import Explanation
from rumeur.nlp.stopwords import STOPWORDS

NO_REASON = ""  # a post with no complaint reason, as the store keeps it
FORMAT = 1  # of the stored bytes; a newer rumeur reads the older formats it knows
MODEL = "rumeur-reason-workspace"
THRESHOLD = 1.0  # a reason needs about one specific word, or two shared ones, to be given
QUERY_WEIGHT = 2.0  # a matching query alone is enough (threshold + 1)
SMOOTHING = 1.0  # Laplace, on the number of examples holding a stem
ELSEWHERE = 0.05  # the share of other posts a content word is taken to be in, before evidence
PRIOR = 20.0  # how many examples that guess weighs
STEM = 6  # characters kept of a folded word: retard, retardé, retards -> "retard"
MIN_LETTERS = 3
KEPT_EXAMPLES = 50  # examples per reason kept in the model, to say which are nearest

Rule = Callable[[str, str], bool]  # (text, language) -> whether the reason's query matches it
# (text, language) -> the reasons whose query matches it: every query at once (an index).
Matcher = Callable[[str, str], Collection[str]]
_WORD = re.compile(r"\w+")
MAX_CACHED = 200_000  # words whose stem is kept: a vocabulary, not the stream
_STEMS: dict[str, str] = {}


class ReasonSpec(Protocol):
    """A reason as the settings define it (`[[workspaces.reasons]]`)."""

    @property
    def name(self) -> str: ...

    @property
    def examples(self) -> Sequence[str]: ...

    @property
    def query(self) -> str | None: ...


class ReasonModelError(ValueError):
    """Bytes that are not a reason model this rumeur reads: one line saying why."""


def stems(text: str) -> dict[str, str]:
    """The text's content words, stem -> the first word holding it (lower case, as written):
    links and mentions, function words, numbers and words under three letters are left out."""
    found: dict[str, str] = {}
    for word in _WORD.findall(strip_entities(text).lower()):
        stem = _STEMS.get(word)
        if stem is None:
            stem = _stem(word)
            if len(_STEMS) < MAX_CACHED:
                _STEMS[word] = stem
        if stem:
            found.setdefault(stem, word)
    return found


def _stem(word: str) -> str:
    """The word's first letters without accents; "" for a word that says nothing alone."""
    if len(word) < MIN_LETTERS or word.isdigit() or word in STOPWORDS or "_" in word:
        return ""
    folded = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return folded[:STEM]


@dataclass
class ReasonExplanation(Explanation):
    """Words with their exact weights, plus the query that matched and the nearest examples."""

    query: str | None = None  # the label's query, when it matched the text
    examples: list[str] = field(default_factory=list)  # the label's examples nearest the text

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"query": self.query, "examples": self.examples}


class ReasonModel:
    """Predicts one of `reasons` or `""`; see the module's docstring for how."""

    task = "reason"
    model = MODEL
    reads_alone = True  # no features shared with the batch's other models (pipeline/stages.py)

    def __init__(
        self,
        reasons: Sequence[str],
        weights: Mapping[str, Sequence[float]],
        *,
        queries: Mapping[str, str] | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        counts: Mapping[str, int] | None = None,
        threshold: float = THRESHOLD,
    ) -> None:
        # The last class is "no reason": its weights come from examples corrected to "".
        self.reasons = tuple(reasons)
        self.classes = (*self.reasons, NO_REASON)
        self.weights = {s: tuple(float(w) for w in ws) for s, ws in weights.items()}
        self.queries = dict(queries or {})
        self.examples = {r: list(texts) for r, texts in (examples or {}).items()}
        self.counts = dict(counts or {})
        self.threshold = float(threshold)
        self.rules: dict[str, Rule] = {}
        self.matcher: Matcher | None = None
        self.version = hashlib.sha256(self.to_bytes()).hexdigest()[:12]

    def with_rules(self, rules: Mapping[str, Rule]) -> ReasonModel:
        """A copy of the model, its reasons' queries matched by `rules` (reason -> matcher)."""
        found = copy.copy(self)
        found.rules = {r: rule for r, rule in rules.items() if r in self.reasons}
        return found

    def with_matcher(self, matcher: Matcher | None) -> ReasonModel:
        """A copy of the model, its reasons' queries matched all at once by `matcher` (the
        faster form of `with_rules`, which it replaces)."""
        found = copy.copy(self)
        found.rules, found.matcher = {}, matcher
        return found

    def matched(self, text: str, language: str) -> set[str]:
        """The reasons whose query the text matches."""
        if self.matcher is not None:
            return set(self.matcher(text, language))
        return {r for r, rule in self.rules.items() if rule(text, language)}

    # --- prediction ------------------------------------------------------------------------

    def scores(self, text: str, language: str = "unknown") -> np.ndarray:
        """The score of each class: summed weights, the query's weight, the threshold for ""."""
        out = np.zeros(len(self.classes))
        for stem in stems(text):
            found = self.weights.get(stem)
            if found is not None:
                out += found
        if self.rules or self.matcher is not None:
            matched = self.matched(text, language)
            for i, reason in enumerate(self.reasons):
                if reason in matched:
                    out[i] += QUERY_WEIGHT
        out[-1] += self.threshold
        return out

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """A softmax of the scores: the best class is the label, as `predict` gives it."""
        langs = meta if meta is not None else ["unknown"] * len(texts)
        matrix = np.zeros((len(texts), len(self.classes)))
        for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
            z = self.scores(text, lang)
            p = np.exp(z - z.max())
            matrix[i] = p / p.sum()
        return self.classes, matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        _, matrix = self.predict_proba(texts, meta)
        best = matrix.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        labels = np.array(self.classes, dtype=object)[best]
        scores = matrix[np.arange(len(texts)), best]
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> ReasonExplanation:
        """The label, the words that weighed for it (exact weights), its query if it matched,
        and the two examples of the label that share the most of the text's stems."""
        _, matrix = self.predict_proba([text], [meta or "unknown"])
        best = int(matrix[0].argmax())
        label, score = self.classes[best], float(matrix[0, best])
        words = stems(text)
        weighed = [(words[s], self.weights[s][best]) for s in words if s in self.weights]
        ranked = sorted((kv for kv in weighed if kv[1] != 0), key=lambda kv: -kv[1])
        supporting = [kv for kv in ranked if kv[1] > 0][:top]
        opposing = [kv for kv in reversed(ranked) if kv[1] < 0][:top]
        matched = label in self.matched(text, meta or "unknown")
        query = self.queries.get(label) if matched else None
        return ReasonExplanation(
            label, score, supporting, opposing, query, self._nearest(label, set(words))
        )

    def _nearest(self, label: str, held: set[str], n: int = 2) -> list[str]:
        shared = [(len(held & set(stems(e))), e) for e in self.examples.get(label, [])]
        return [e for k, e in sorted(shared, key=lambda ke: -ke[0]) if k > 0][:n]

    # --- storage ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The model as UTF-8 JSON, its keys sorted: the same model gives the same bytes."""
        document = {
            "format": FORMAT,
            "model": MODEL,
            "reasons": list(self.reasons),
            "threshold": self.threshold,
            "weights": {s: [round(w, 6) for w in ws] for s, ws in self.weights.items()},
            "queries": self.queries,
            "examples": self.examples,
            "counts": self.counts,
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> ReasonModel:
        """A model stored by `to_bytes`; ReasonModelError when the bytes are not one."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ReasonModelError(f"not a stored reason model ({exc})") from None
        if not isinstance(document, dict) or document.get("model") != MODEL:
            raise ReasonModelError("not a stored reason model (no 'model' key of this kind)")
        if document.get("format") != FORMAT:
            raise ReasonModelError(f"reason model format {document.get('format')!r} is unknown")
        try:
            reasons = [str(r) for r in document["reasons"]]
            weights = document["weights"]
            if any(len(ws) != len(reasons) + 1 for ws in weights.values()):
                raise ReasonModelError("a stem's weights do not match the reasons")
            return cls(
                reasons,
                weights,
                queries=document.get("queries"),
                examples=document.get("examples"),
                counts=document.get("counts"),
                threshold=float(document["threshold"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, ReasonModelError):
                raise
            raise ReasonModelError(f"not a stored reason model ({exc!r})") from None


def train_reason_model(
    reasons: Sequence[ReasonSpec],
    examples: Iterable[tuple[str, str]] = (),
    *,
    threshold: float = THRESHOLD,
) -> ReasonModel:
    """The workspace's reason model, from each reason's example posts and `examples`: (text,
    reason) pairs, the posts its queries matched and the corrections of field `reason` (a
    reason of `""` is an example of no complaint reason; a reason the workspace does not
    define is left out, as the settings no longer name it). No rules are attached: the caller
    attaches its query matchers with `with_rules`."""
    names = [r.name for r in reasons]
    known = set(names)
    pairs = [(e, r.name) for r in reasons for e in r.examples]
    pairs += [(t, r) for t, r in examples if r in known or r == NO_REASON]
    classes = [*names, NO_REASON]
    docs: dict[str, list[set[str]]] = {c: [] for c in classes}
    for text, reason in pairs:
        docs[reason].append(set(stems(text)))
    weights = _weights(classes, docs)
    kept = {r: _kept(r, pairs) for r in names}
    return ReasonModel(
        names,
        weights,
        queries={r.name: r.query for r in reasons if r.query},
        examples=kept,
        counts={c: len(d) for c, d in docs.items()},
        threshold=threshold,
    )


def _weights(classes: Sequence[str], docs: Mapping[str, list[set[str]]]) -> dict[str, list[float]]:
    """Per stem and class: the log-count ratio of the class's examples against all others, for
    the stems the class's examples hold (and only when positive: a stem says what it is, not
    what it is not; the other classes' scores compete with it through the argmax)."""
    total = Counter(s for held in docs.values() for d in held for s in d)
    size = sum(len(d) for d in docs.values())
    out: dict[str, list[float]] = {s: [0.0] * len(classes) for s in total}
    for i, c in enumerate(classes):
        mine = Counter(s for d in docs[c] for s in d)
        n, rest = len(docs[c]), size - len(docs[c])
        for stem, k in mine.items():
            inside = (k + SMOOTHING) / (n + 2 * SMOOTHING)
            # An m-estimate: with few other examples (none, for a workspace of one reason),
            # a stem is taken as about as rare elsewhere as a content word is in posts.
            outside = (total[stem] - k + ELSEWHERE * PRIOR) / (rest + PRIOR)
            out[stem][i] = max(0.0, math.log(inside / outside))
    return {s: ws for s, ws in out.items() if any(ws)}


def _kept(reason: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """The reason's first examples (its own, from the settings, come first), each once."""
    return list(dict.fromkeys(t for t, r in pairs if r == reason))[:KEPT_EXAMPLES]


def for_workspace(workspace: Any, stored: bytes | None = None) -> ReasonModel:
    """The reason model of a workspace that defines its reasons (`workspace.reasons`, settings
    objects): the one `rumeur models adapt` stored (`stored`) while it knows the same reasons,
    else one built from the settings' examples. Its queries are matched by the settings'
    matchers. Built once per process for the same reasons (a fraction of a second)."""
    names = tuple(r.name for r in workspace.reasons)
    model = None
    if stored is not None:
        try:
            model = ReasonModel.from_bytes(stored)
        except ReasonModelError:
            model = None  # written by another rumeur: the settings' examples still teach
        if model is not None and model.reasons != names:
            model = None  # the reasons changed since: the stored model would give old names
    if model is None:
        key = json.dumps([r.model_dump() for r in workspace.reasons], sort_keys=True)
        model = _from_settings(key)
    return model.with_matcher(workspace.reason_matcher)


@lru_cache(maxsize=32)
def _from_settings(key: str) -> ReasonModel:
    reasons = [_Spec(r["name"], tuple(r["examples"]), r.get("query")) for r in json.loads(key)]
    return train_reason_model(reasons)


@dataclass(frozen=True)
class _Spec:
    name: str
    examples: Sequence[str]
    query: str | None
