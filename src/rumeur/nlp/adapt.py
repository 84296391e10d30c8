"""A workspace's own adapter: a small correction learnt from its analysts' labels on top of a
shipped model, for sentiment and emotion.

The shipped model stays as it is; the adapter adds to its log-probabilities a linear term over
the same hashed features, learnt from a workspace's corrections:

    z = log p_shipped(text) + x · W + b        adapted label = argmax softmax(z)

W has a row only for the feature columns the corrections contained (a few thousand at most)
and is pulled towards zero by an L2 penalty, as is b (harder: analysts correct what was wrong,
so the corrections' label shares say nothing of the stream's). So a few dozen corrections move
the words of the workspace's domain ("lag", "nerf", "une tuerie") and not what they do not
contain: a text with none of those features keeps the shipped model's answer, give or take b.

The penalty is chosen by 5-fold cross-validation on the corrections among a few strengths: the
strongest whose accuracy is within one standard error of the best one's (the spread over the
folds over the root of their number). Each fit runs over the examples rather than the columns
(see `_fit`): the whole choice takes a fraction of a second for a few dozen corrections. The
explanation is exact: the adapter's term is linear, so each word's share of it for the label is
read off W, as the shipped model's explanation reads its own weights.

An adapter is stored as bytes (`to_bytes`): a NumPy ``.npz`` of plain arrays, its description
in a JSON array of bytes, read back with ``allow_pickle=False`` (no pickle from a database).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from rumeur.errors import InputError
from rumeur.i18n import _
from rumeur.model import EnrichmentResult
from rumeur.nlp.explain import Explanation, explanation

# L2 penalties on W tried by cross-validation, against a mean cross-entropy (so the penalty
# weighs less as corrections grow in number); STRENGTH when too few corrections to compare.
STRENGTHS = (0.0003, 0.001, 0.003, 0.01)
STRENGTH = 0.001
BIAS_STRENGTH = 10.0  # corrections are not a sample of the stream: b must stay small
FOLDS = 5
CHUNK = 2048  # texts featurised at once, as the shipped models do
FORMAT = 1  # of the stored bytes; a later format keeps reading this one
MAX_DUAL = 3000  # examples up to which the fit searches over them (see _fit)
NONE = "none"  # the label of no clear class, as the shipped model gives it (emotion)
_FLOOR = 1e-6  # a shipped probability of exactly zero would give an infinite prior


@dataclass(slots=True)
class Adapter:
    """What a workspace learnt for one task: a weight row per feature column it saw."""

    task: str
    version: int
    classes: tuple[str, ...]
    base_model: str
    base_version: str
    columns: np.ndarray  # int32, sorted: the feature columns the corrections contained
    weights: np.ndarray  # float32, one row per column, one column per class
    bias: np.ndarray  # float32, one per class
    _matrix: sp.csr_matrix | None = field(default=None, repr=False)

    def shift(self, x: sp.csr_matrix) -> np.ndarray:
        """x · W + b for each row of the shipped model's features."""
        if self._matrix is None:
            # W laid out over every feature column, zero where it has no row: one product.
            rows = np.repeat(self.columns, len(self.classes))
            cols = np.tile(np.arange(len(self.classes)), len(self.columns))
            shape = (x.shape[1], len(self.classes))
            self._matrix = sp.csr_matrix((self.weights.ravel(), (rows, cols)), shape=shape)
        return np.asarray((x @ self._matrix).todense(), dtype=np.float64) + self.bias

    def moved(self, k: int) -> dict[int, float]:
        """Each column's weight for class k, less its mean over the classes: what one unit of
        the feature adds to the label's odds against the others (softmax: only differences
        between classes count)."""
        centred = self.weights[:, k] - self.weights.mean(axis=1)
        return dict(zip(self.columns.tolist(), centred.tolist(), strict=True))

    def to_bytes(self) -> bytes:
        head = {
            "format": FORMAT,
            "task": self.task,
            "classes": list(self.classes),
            "base_model": self.base_model,
            "base_version": self.base_version,
        }
        out = io.BytesIO()
        np.savez_compressed(
            out,
            head=np.frombuffer(json.dumps(head).encode("utf-8"), dtype=np.uint8),
            columns=self.columns.astype(np.int32),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, version: int) -> Adapter:
        """An adapter stored by `to_bytes`; anything else is one line (InputError), never
        unpickled nor unpacked past MAX_BYTES. The version is the store's (a row's number,
        given once it is stored)."""
        try:
            head, columns, weights, bias = _unpacked(blob)
            _check(head, columns, weights, bias)
        except _Unreadable as exc:
            message = _("a stored adapter cannot be read: {why}")
            raise InputError(message.format(why=str(exc)[:200])) from None
        return cls(
            head["task"], version, tuple(head["classes"]), head["base_model"],
            head["base_version"], columns.astype(np.int32), weights.astype(np.float32),
            bias.astype(np.float32),
        )  # fmt: skip


# An adapter has a row per feature column its corrections held: a few thousand, a few hundred
# kilobytes. Bytes past these bounds are no adapter of ours, whatever they claim.
MAX_BYTES = 64 * 2**20
MAX_COLUMNS = 2**22


class _Unreadable(Exception):
    """Why stored bytes are not an adapter (in from_bytes's one line)."""


def _unpacked(blob: bytes) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """The head and the arrays of `blob`, checked for size before anything is unpacked."""
    if len(blob) > MAX_BYTES:
        raise _Unreadable(_("over {n} bytes").format(n=MAX_BYTES))
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as packed:  # a zip bomb stops here
            if sum(item.file_size for item in packed.infolist()) > MAX_BYTES:
                raise _Unreadable(_("over {n} bytes").format(n=MAX_BYTES))
        with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
            head = json.loads(arrays["head"].tobytes().decode("utf-8"))
            return head, arrays["columns"], arrays["weights"], arrays["bias"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise _Unreadable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _check(head: Any, columns: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
    """That the head describes an adapter of this format and the arrays fit it: sorted
    columns within a feature space, finite weights, one column of them per class."""
    names = ("task", "base_model", "base_version")
    if (
        not isinstance(head, dict)
        or head.get("format") != FORMAT
        or not all(isinstance(head.get(n), str) for n in names)
        or not isinstance(head.get("classes"), list)
        or not head["classes"]
        or not all(isinstance(c, str) for c in head["classes"])
    ):
        raise _Unreadable(_("unknown format"))
    k = len(head["classes"])
    if (
        columns.ndim != 1
        or columns.dtype.kind not in "iu"
        or len(columns) > MAX_COLUMNS
        or weights.shape != (len(columns), k)
        or bias.shape != (k,)
        or weights.dtype.kind != "f"
        or bias.dtype.kind != "f"
    ):
        raise _Unreadable(_("arrays that do not fit"))
    if len(columns) and (columns[0] < 0 or columns[-1] >= 2**31 or np.any(np.diff(columns) <= 0)):
        raise _Unreadable(_("arrays that do not fit"))
    if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
        raise _Unreadable(_("weights that are not numbers"))


@dataclass(slots=True)
class Examples:
    """Labelled texts for one task, with each text's language (the shipped models read it)."""

    texts: list[str]
    labels: list[str]
    meta: list[str] | None = None


class _Read:
    """What the shipped model reads of the examples, once for every fit of a cross-validation:
    their features, its log-probabilities, and each label's class number."""

    def __init__(self, base: Any, examples: Examples) -> None:
        classes = tuple(base.classes)
        check_labels(classes, examples.labels)
        self.base = base
        self.x = base.features(examples.texts, examples.meta)
        self.prior = _log_proba(base, self.x, examples.meta)
        self.y = np.array([classes.index(label) for label in examples.labels], dtype=int)

    def train(self, rows: np.ndarray, version: int, strength: float) -> Adapter:
        x = self.x[rows]
        columns = _domain_columns(self.base, x)
        xs = sp.csr_matrix(x[:, columns], dtype=np.float64)
        weights, bias = _fit(xs, self.prior[rows], self.y[rows], len(self.base.classes), strength)
        base = self.base
        return Adapter(
            base.task, version, tuple(base.classes), base.model, base.version, columns,
            weights, bias,
        )  # fmt: skip


def _domain_columns(base: Any, x: sp.csr_matrix) -> np.ndarray:
    """The columns an adapter may move: the hashed words and character n-grams the examples
    contain, not the shipped model's cue block (lexicon counts, negation, questions). Cues fire
    on most texts of every domain, so moving them moved the shipped model everywhere: a games
    adapter's 40 corrections cost 6 points on xlmt's French val and 10 on the airline val."""
    columns = np.unique(x.indices).astype(np.int32)
    hashed = getattr(base.featuriser, "n_hashed", x.shape[1])
    return columns[columns < hashed]


def train(base: Any, examples: Examples, version: int, strength: float = STRENGTH) -> Adapter:
    """An adapter of `base` (a shipped `LinearModel`) learnt from `examples`, whose labels
    must all be classes of the model (`check_labels`)."""
    return _Read(base, examples).train(np.arange(len(examples.labels)), version, strength)


def check_labels(classes: Sequence[str], labels: Sequence[str]) -> None:
    unknown = sorted(set(labels) - set(classes))
    if unknown:
        raise InputError(
            _("{label!r} is not a label of the model: expected one of {classes}").format(
                label=unknown[0], classes=", ".join(classes)
            )
        )


def _fit(
    xs: sp.csr_matrix, prior: np.ndarray, y: np.ndarray, k: int, strength: float
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise the mean cross-entropy of softmax(prior + xs·W + b) plus the penalties.

    With an L2 penalty the best W is xsᵀ·A for some A, one row per example (the representer
    theorem), so the search runs over A and the examples' Gram matrix: a few hundred numbers
    instead of one per feature column and class, many times faster. Past MAX_DUAL examples the
    Gram matrix would outgrow the search it saves, and W is searched for directly."""
    n = xs.shape[0]
    gram = (xs @ xs.T).toarray() if n <= MAX_DUAL else None
    from threadpoolctl import threadpool_limits

    # One BLAS thread: on matrices this small, BLAS's threads only wait for each other, and on
    # a busy machine they burned eight times the CPU of the fit itself.
    with threadpool_limits(1, user_api="blas"):
        found = minimize(
            _objective,
            np.zeros((n if gram is not None else xs.shape[1]) * k + k),
            jac=True,
            method="L-BFGS-B",
            args=(xs, gram, prior, np.eye(k)[y], strength),
        )
    a, b = found.x[:-k].reshape(-1, k), found.x[-k:]
    w = xs.T @ a if gram is not None else a
    return np.asarray(w, dtype=np.float32), b.astype(np.float32)


def _objective(
    flat: np.ndarray,
    xs: sp.csr_matrix,
    gram: np.ndarray | None,
    prior: np.ndarray,
    onehot: np.ndarray,
    strength: float,
) -> tuple[float, np.ndarray]:
    """The penalised loss and its gradient, over A (with `gram`) or over W."""
    n, k = onehot.shape
    a, b = flat[:-k].reshape(-1, k), flat[-k:]
    z = prior + (gram @ a if gram is not None else xs @ a) + b
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    error = (np.exp(logp) - onehot) / n
    value = -(onehot * logp).sum() / n + 0.5 * BIAS_STRENGTH * (b * b).sum()
    if gram is not None:  # ||W||² = tr(Aᵀ·G·A); its gradient and the loss's both go through G
        ga = gram @ a
        value += 0.5 * strength * (a * ga).sum()
        grad = gram @ error + strength * ga
    else:
        value += 0.5 * strength * (a * a).sum()
        grad = np.asarray(xs.T @ error) + strength * a
    return float(value), np.concatenate([grad.ravel(), error.sum(axis=0) + BIAS_STRENGTH * b])


def _log_proba(base: Any, x: sp.csr_matrix, meta: Sequence[str] | None) -> np.ndarray:
    p = np.asarray(base.proba_from_features(x, meta), dtype=np.float64)
    return np.log(np.clip(p, _FLOOR, 1.0))


# --- cross-validation ----------------------------------------------------------------------


@dataclass(slots=True)
class Scores:
    """Accuracy on the corrections, by cross-validation: the shipped model's and the adapter's
    (each fold's adapter learnt from the other folds), mean and spread (standard deviation)
    over the folds."""

    folds: int
    before: float
    before_spread: float
    after: float
    after_spread: float

    @classmethod
    def of(cls, before: Sequence[float], after: Sequence[float]) -> Scores:
        """The scores of one accuracy per fold, before and after."""
        return cls(
            len(before), float(np.mean(before)), float(np.std(before)),
            float(np.mean(after)), float(np.std(after)),
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "accuracy_before": round(self.before, 4),
            "accuracy_before_spread": round(self.before_spread, 4),
            "accuracy_after": round(self.after, 4),
            "accuracy_after_spread": round(self.after_spread, 4),
        }


def cross_validate(
    base: Any, examples: Examples, folds: int = FOLDS, strength: float = STRENGTH
) -> Scores | None:
    """`folds`-fold accuracy before and after, folds stratified by label and fixed (the same
    corrections give the same figures); None when a class has fewer examples than folds."""
    return _cross_validate(_Read(base, examples), folds, strength)


def _cross_validate(read: _Read, folds: int, strength: float) -> Scores | None:
    counts = np.bincount(read.y)
    if len(read.y) < folds or counts[counts > 0].min() < folds:
        return None
    before, after = [], []
    for fold in folds_of(read.y.tolist(), folds):
        adapter = read.train(np.setdiff1d(np.arange(len(read.y)), fold), 0, strength)
        prior, truth = read.prior[fold], read.y[fold]
        before.append(float((prior.argmax(axis=1) == truth).mean()))
        shifted = prior + adapter.shift(read.x[fold])
        after.append(float((shifted.argmax(axis=1) == truth).mean()))
    return Scores.of(before, after)


def folds_of(labels: Sequence[Any], folds: int) -> list[np.ndarray]:
    """Each label's examples dealt in turn to the folds, in their order: stratified, and the
    same for the same examples."""
    out: list[list[int]] = [[] for _ in range(folds)]
    seen: dict[Any, int] = defaultdict(int)
    for i, label in enumerate(labels):
        out[seen[label] % folds].append(i)
        seen[label] += 1
    return [np.array(fold, dtype=int) for fold in out]


@dataclass(slots=True)
class Learnt:
    adapter: Adapter
    strength: float
    scores: Scores | None  # None: too few corrections per class to cross-validate


def learn(base: Any, examples: Examples, version: int = 0) -> Learnt:
    """The adapter of `examples`, its penalty chosen by cross-validation (see the module)."""
    read = _Read(base, examples)
    every = np.arange(len(examples.labels))
    tried = [(s, _cross_validate(read, FOLDS, s)) for s in STRENGTHS]
    scored = [(s, found) for s, found in tried if found is not None]
    if not scored:
        return Learnt(read.train(every, version, STRENGTH), STRENGTH, None)
    best = max(found.after for _, found in scored)
    # The one-standard-error rule: the spread over the folds, over the square root of their
    # number (the whole spread let the strongest penalty win with no gain at all).
    spread = next(found.after_spread for _, found in scored if found.after == best)
    floor = best - spread / np.sqrt(FOLDS)
    strength, scores = max(
        ((s, found) for s, found in scored if found.after >= floor), key=lambda t: t[0]
    )
    return Learnt(read.train(every, version, strength), strength, scores)


# --- the adapted model ---------------------------------------------------------------------


@dataclass
class AdaptedExplanation(Explanation):
    """An adapted label's explanation: the words whose adapter weights moved the text to its
    label or away from it (exact: the adapter's term is linear), which adapter decided, and
    what the shipped model said, with its own explanation."""

    adapter: int = 0
    model_label: str = ""
    model_score: float = 0.0
    model: Explanation | None = None

    def decided_by(self) -> str:
        return _("workspace adapter v{version}").format(version=self.adapter)

    def as_dict(self) -> dict[str, Any]:
        shipped = None if self.model is None else self.model.as_dict()
        return super().as_dict() | {
            "adapter": {
                "version": self.adapter,
                "decided_by": self.decided_by(),
                "model_label": self.model_label,
                "model_score": round(self.model_score, 4),
                "model_explanation": shipped,
            }
        }


class Adapted:
    """A shipped linear model with a workspace's adapter: the `Classifier` interface."""

    def __init__(self, base: Any, adapter: Adapter, workspace: str) -> None:
        # The base's feature columns: an adapter's past them would fail at the first batch.
        width = base.weights.shape[0] if hasattr(base, "weights") else 2**31
        last = int(adapter.columns[-1]) if len(adapter.columns) else -1
        if tuple(base.classes) != adapter.classes or base.task != adapter.task or last >= width:
            message = _("the {task} adapter does not fit the model {model}")
            raise InputError(message.format(task=adapter.task, model=base.model))
        self.base, self.adapter = base, adapter
        self.task, self.classes = base.task, tuple(base.classes)
        # Named apart from the shipped model, per workspace, so the store keeps both answers.
        self.model = f"{base.model}+adapter:{workspace}"
        self.version = f"{adapter.version}:{base.version}"

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        parts = []
        for i in range(0, len(texts), CHUNK):
            # The list itself when it is one chunk: its features are shared with the batch's
            # other models (features.shared_features).
            chunk = texts if len(texts) <= CHUNK else texts[i : i + CHUNK]
            part = None if meta is None else meta[i : i + CHUNK]
            parts.append(self._proba(self.base.features(chunk, part), part))
        matrix = np.vstack(parts) if parts else np.zeros((0, len(self.classes)))
        return self.classes, matrix

    def _proba(self, x: sp.csr_matrix, meta: Sequence[str] | None) -> np.ndarray:
        z = _log_proba(self.base, x, meta) + self.adapter.shift(x)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        proba = self.predict_proba(texts, meta)[1]
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        labels = np.array(self.classes, dtype=object)[best]
        scores = proba[np.arange(len(proba)), best]
        # The shipped model's threshold of no clear class (emotion), if it has one, holds here.
        labels[scores < self.none_below] = NONE
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    @property
    def none_below(self) -> float:
        """The shipped model's threshold of no clear class (0: none), as `Guarded` may read it."""
        return float(getattr(self.base, "none_below", 0.0))

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> AdaptedExplanation:
        metas = None if meta is None else [meta]
        x = self.base.features([text], metas)
        shipped = np.exp(_log_proba(self.base, x, metas)[0])
        proba = self._proba(x, metas)[0]
        k, m = int(proba.argmax()), int(shipped.argmax())
        if proba[k] < self.none_below:
            said = explanation(NONE, float(proba[k]), {}, top)  # no class to argue for
        else:
            words = contributions(self.base.featuriser, text, meta if self.base.use_meta else None,
                                  x, self.adapter.moved(k))  # fmt: skip
            said = explanation(self.classes[k], float(proba[k]), words, top)
        return AdaptedExplanation(
            said.label, said.score, said.supporting, said.opposing,
            adapter=self.adapter.version, model_label=self.classes[m],
            model_score=float(shipped[m]), model=self.base.explain(text, top, meta),
        )  # fmt: skip


def contributions(
    featuriser: Any, text: str, meta: str | None, x: sp.csr_matrix, moved: dict[int, float]
) -> dict[str, float]:
    """Each word's, phrase's and lexicon cue's share of the adapter's term for one text (its
    features `x`): added up with the bias, the term itself."""
    found = _per_word(featuriser.units(text, meta), x, moved)
    cue_units = getattr(
        featuriser, "cue_units", None
    )  # the lexicon's cues, when the model has them
    for name, col, value in cue_units(text, meta) if cue_units is not None else ():
        if col in moved:
            found[name] = found.get(name, 0.0) + value * moved[col]
    return found


def _per_word(
    units: list[tuple[str, str, int]], x: sp.csr_matrix, moved: dict[int, float]
) -> dict[str, float]:
    """Each word's share of the adapter's term: a column's value times its weight, a column
    several features hash to shared evenly between them (as the shipped explanation does)."""
    values = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    shares: dict[int, int] = defaultdict(int)
    for _feature, _group, col in units:
        shares[col] += 1
    out: dict[str, float] = defaultdict(float)
    for _feature, group, col in units:
        if col in moved:
            out[group] += values.get(col, 0.0) * moved[col] / shares[col]
    return dict(out)
