"""Train, choose by cross-validation and ship the linear models: `python -m rumeur.nlp.train`.

Reads `../shared/data/` and the customer-care development set (`data/care-dev.jsonl`) only.
Every task measures a plain baseline (TF-IDF word 1–2 grams and a logistic regression) and a
few recipes on the hashed features of `rumeur.nlp.features` by 5-fold cross-validation over
its train data (`rumeur.nlp.crossval`); the simplest recipe within the best one's spread is
refitted on all of it, compressed to float16, measured once on val and written to the package
with its model card, which keeps the figures. `docs/models.md` is written from the cards, so a
run of some tasks (`--tasks`) keeps the others' sections. Needs scikit-learn (training only;
inference needs numpy and scipy).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import pickle
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from rumeur.nlp import crossval
from rumeur.nlp.airline import AIRLINE_REASONS
from rumeur.nlp.careset import read_care_set
from rumeur.nlp.features import Featuriser
from rumeur.nlp.linear import NONE, LinearModel

SEED = 20260601
VERSION = "1.0.0"
# The name a reader sees (the post page's "why these labels"), in each language of the app: a
# card is data shipped beside its weights, so it carries its own translations.
TITLES = {
    "language": {
        "en": "Rumeur language detector (linear)",
        "fr": "Détecteur de langue Rumeur (linéaire)",
    },
    "sentiment": {
        "en": "Rumeur sentiment model (linear)",
        "fr": "Modèle de sentiment Rumeur (linéaire)",
    },
    "emotion": {
        "en": "Rumeur emotion model (linear)",
        "fr": "Modèle d'émotions Rumeur (linéaire)",
    },
    "reason": {
        "en": "Rumeur complaint-reason model (linear)",
        "fr": "Modèle des motifs de réclamation Rumeur (linéaire)",
    },
}
LANGUAGES = {
    "french": "fr",
    "english": "en",
    "arabic": "ar",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
SENTIMENT = ("negative", "neutral", "positive")
EMOTION = ("anger", "joy", "optimism", "sadness")
REASONS = AIRLINE_REASONS
AIRLINE_VAL_PERCENT = 15
LANGUAGE_AIRLINE = 2000  # airline train tweets added to the language model's English
NONE_SAMPLE = 1000  # neutral posts that calibrate emotion's "none"


# --- data ----------------------------------------------------------------------------------


@dataclass
class Split:
    texts: list[str]
    labels: np.ndarray
    meta: list[str]  # language code (sentiment) or source name
    groups: list[str] = field(default_factory=list)  # what cross-validation reports apart

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = list(self.meta)

    def __add__(self, other: Split) -> Split:
        labels = np.concatenate([self.labels, other.labels])
        return Split(
            self.texts + other.texts, labels, self.meta + other.meta, self.groups + other.groups
        )

    def subset(self, mask: np.ndarray) -> Split:
        idx = np.flatnonzero(mask) if mask.dtype == bool else mask
        return Split(
            [self.texts[i] for i in idx],
            self.labels[idx],
            [self.meta[i] for i in idx],
            [self.groups[i] for i in idx],
        )


@dataclass
class Task:
    name: str
    classes: tuple[str, ...]
    train: Split
    vals: dict[str, Split]  # every val set, reported; `choose` says which ones decide
    choose: Callable[[dict[str, dict[str, Any]]], float]
    data: list[str] = field(default_factory=list)
    source: LinearModel | None = None  # a model whose logits a recipe may read (transfer)
    none_set: Split | None = None  # texts with no emotion: calibrate the "none" threshold


def read_jsonl(path: Path, meta: str, group: str = "") -> Split:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    labels = np.array([r["label"] for r in rows], dtype=object)
    groups = [group or meta] * len(rows)
    return Split([r["text"] for r in rows], labels, [meta] * len(rows), groups)


def care_split() -> Split:
    """The customer-care development set, grouped by language for the figures."""
    posts = read_care_set()
    labels = np.array([p.sentiment for p in posts], dtype=object)
    langs = [p.lang for p in posts]
    return Split([p.text for p in posts], labels, langs, [f"care-{x}" for x in langs])


def airline_rows(data: Path) -> list[dict[str, str]]:
    """The airline tweets, one per tweet_id (first kept), each marked train or val by a hash."""
    seen: dict[str, dict[str, str]] = {}
    with (data / "airline-tweets" / "tweets.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            seen.setdefault(row["tweet_id"], row)
    for tweet_id, row in seen.items():
        bucket = zlib.crc32(tweet_id.encode()) % 100
        row["split"] = "val" if bucket < AIRLINE_VAL_PERCENT else "train"
    return list(seen.values())


def airline_split(rows: list[dict[str, str]], split: str, column: str) -> Split:
    chosen = [r for r in rows if r["split"] == split and r[column]]
    labels = np.array([r[column] for r in chosen], dtype=object)
    n = len(chosen)
    return Split([r["text"] for r in chosen], labels, ["en"] * n, ["airline"] * n)


def xlmt(data: Path, split: str) -> dict[str, Split]:
    folder = data / "xlmt-sentiment"
    return {
        code: read_jsonl(folder / f"{lang}-{split}.jsonl", code, f"xlmt-{code}")
        for lang, code in LANGUAGES.items()
    }


def sentiment_task(data: Path, airline: list[dict[str, str]]) -> Task:
    train = airline_split(airline, "train", "airline_sentiment")
    for part in xlmt(data, "train").values():
        train = train + part
    train = train + care_split()
    vals = {f"xlmt-{code}": s for code, s in xlmt(data, "val").items()}
    vals["airline"] = airline_split(airline, "val", "airline_sentiment")
    vals["tweeteval"] = _unseen(read_jsonl(data / "tweeteval" / "sentiment-val.jsonl", "en"), train)
    data_used = [
        "xlmt-sentiment/*-train.jsonl (8 languages)",
        f"airline-tweets/tweets.csv airline_sentiment, train part ({100 - AIRLINE_VAL_PERCENT} %)",
        "the customer-care development set (rumeur/nlp/data/care-dev.jsonl)",
    ]
    return Task("sentiment", SENTIMENT, train, vals, _choose_sentiment, data_used)


def _unseen(split: Split, train: Split) -> Split:
    """`split` without the texts that are also in `train`: TweetEval's sentiment val shares
    1,430 of its 2,000 tweets with xlmt's English train."""
    seen = {" ".join(t.split()) for t in train.texts}
    keep = np.array([" ".join(t.split()) not in seen for t in split.texts])
    return split.subset(keep)


def _choose_sentiment(figures: dict[str, dict[str, Any]]) -> float:
    """Mean of the 8-language mean macro-F1, the airline accuracy and, in cross-validation,
    the customer-care set's accuracy (French and English): the goals."""
    langs = [f["macro_f1"] for k, f in figures.items() if k.startswith("xlmt-")]
    parts = [float(np.mean(langs)), figures["airline"]["accuracy"]]
    care = [f for k, f in figures.items() if k.startswith("care-")]
    if care:
        right = sum(f["accuracy"] * f["n"] for f in care)
        parts.append(right / sum(f["n"] for f in care))
    return float(np.mean(parts))


def language_task(data: Path, airline: list[dict[str, str]]) -> Task:
    """The language of a post, learnt from the eight tweet sets (each file's language is the
    label) and a seeded sample of the airline set's train part as more English: without it,
    short English customer-care tweets read as romanised Hindi. Its features are sentiment's,
    so detection shares their cost (see nlp/language.py)."""
    english = airline_split(airline, "train", "airline_sentiment")
    sample = np.random.default_rng(SEED).permutation(len(english.texts))[:LANGUAGE_AIRLINE]
    parts = xlmt(data, "train") | {}
    parts["en"] = parts["en"] + english.subset(np.isin(np.arange(len(english.texts)), sample))
    train, vals = _language_split(parts), {}
    for code, part in xlmt(data, "val").items():
        vals[f"xlmt-{code}"] = _language_split({code: part})
    vals["airline"] = _language_split({"en": airline_split(airline, "val", "airline_sentiment")})
    data_used = [
        "xlmt-sentiment/*-train.jsonl (8 languages; the file's language is the label)",
        f"airline-tweets/tweets.csv, {LANGUAGE_AIRLINE} tweets of the train part, as English",
    ]
    return Task("language", tuple(LANGUAGES.values()), train, vals, _choose_language, data_used)


def _language_split(parts: dict[str, Split]) -> Split:
    texts = [t for part in parts.values() for t in part.texts]
    codes = [code for code, part in parts.items() for _ in part.texts]
    return Split(texts, np.array(codes, dtype=object), codes, [f"xlmt-{c}" for c in codes])


def _choose_language(figures: dict[str, dict[str, Any]]) -> float:
    """Mean accuracy over the seven languages written in their own script (romanised Hindi
    aside, as in the goal)."""
    own_script = [
        f["accuracy"] for k, f in figures.items() if k.startswith("xlmt-") and k != "xlmt-hi"
    ]
    return float(np.mean(own_script))


def emotion_task(data: Path, sentiment: LinearModel | None = None) -> Task:
    """Emotion, from TweetEval's train split; `sentiment` (the shipped model, trained on its
    own train splits) lends its logits to the transfer recipes."""
    folder = data / "tweeteval"
    train = read_jsonl(folder / "emotion-train.jsonl", "en", "tweeteval")
    vals = {"tweeteval": read_jsonl(folder / "emotion-val.jsonl", "en")}
    choose = lambda f: f["tweeteval"]["macro_f1"]  # noqa: E731
    data_used = ["tweeteval/emotion-train.jsonl"]
    if sentiment is not None:
        data_used.append(
            f"for the transfer recipes, the shipped sentiment model's shared weights "
            f"({sentiment.card.get('weights_sha256', '')[:12]})"
        )
    data_used.append(
        f"for the 'none' threshold, {NONE_SAMPLE} neutral posts of the sentiment train data "
        "(airline, xlmt English and French, the customer-care set)"
    )
    task = Task("emotion", EMOTION, train, vals, choose, data_used)
    task.source = sentiment
    task.none_set = none_set(data)
    return task


def none_set(data: Path) -> Split:
    """Posts with no emotion to read: neutral ones (a seeded sample), labelled `none`."""
    neutral = airline_split(airline_rows(data), "train", "airline_sentiment")
    for code, part in xlmt(data, "train").items():
        if code in ("en", "fr"):
            neutral = neutral + part
    neutral = neutral + care_split()
    rows = np.flatnonzero(neutral.labels == "neutral")
    chosen = np.sort(np.random.default_rng(SEED).permutation(rows)[:NONE_SAMPLE])
    found = neutral.subset(chosen)
    found.labels = np.array([NONE] * len(chosen), dtype=object)
    return found


def reason_task(airline: list[dict[str, str]]) -> Task:
    negative = [r for r in airline if r["airline_sentiment"] == "negative"]
    negative = [r for r in negative if r["negativereason"] in REASONS]
    train = airline_split(negative, "train", "negativereason")
    vals = {"airline": airline_split(negative, "val", "negativereason")}
    train.groups = ["airline"] * len(train.texts)
    data_used = ["airline-tweets/tweets.csv negativereason, negative rows, train part"]
    choose = lambda f: f["airline"]["macro_f1"]  # noqa: E731
    return Task("reason", REASONS, train, vals, choose, data_used)


# --- models --------------------------------------------------------------------------------


class Candidate:
    """A recipe: how to featurise and fit. Listed simplest first: the choice prefers it."""

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        self.options = options

    def featuriser(self, task: Task) -> Featuriser:
        if self.options.get("source_features") and task.source is not None:
            # The transfer recipes read the sentiment model's logits over its own features.
            return Featuriser(**task.source.featuriser.settings())
        keys = (
            "word_bits",
            "char_bits",
            "char_min",
            "char_max",
            "char_weight",
            "sublinear",
            "word_ngrams",
            "cues",
            "cue_weight",
        )
        return Featuriser(**{k: self.options[k] for k in keys if k in self.options})


def val_figures(
    task: Task, predict: Callable[[Split], np.ndarray], classes: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Each val set's figures (read once, for the baseline and the shipped model)."""
    out = {}
    for name, split in task.vals.items():
        found = crossval.figures(
            classes or task.classes, split.labels, predict(split), [name] * len(split.texts)
        )
        out[name] = found[name]
    return out


class Baseline:
    """TF-IDF word 1–2 grams and a logistic regression, scikit-learn's defaults: the plain
    recipe every other one has to beat."""

    def __init__(self, task: Task, train: Split) -> None:
        self.vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self.model = LogisticRegression(max_iter=2000, random_state=SEED)
        self.model.fit(self.vectoriser.fit_transform(train.texts), train.labels)
        self.classes = task.classes

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        proba = self.model.predict_proba(self.vectoriser.transform(texts))
        return self.classes, _align(proba, list(self.model.classes_), self.classes)


def fit_linear(task: Task, cand: Candidate, train: Split | None = None) -> LinearModel:
    train = train or task.train
    feat = cand.featuriser(task)
    meta = train.meta if cand.options.get("meta") else None
    x = feat.transform(train.texts, meta)
    if cand.options.get("idf"):
        feat.idf = idf_weights(x)
        x = feat.transform(train.texts, meta)
    if cand.options.get("nb"):
        model = fit_nblr(task, cand, feat, x, train.labels)
        if cand.options.get("cv_offsets"):
            model.bias = model.bias + cv_offsets(task, cand, feat, x, train.labels)
        return model
    model = fit_lr(task, cand, feat, x, train.labels, bool(meta))
    if cand.options.get("per_language"):
        for code in LANGUAGES.values():
            rows = np.array([m == code for m in train.meta])
            own = fit_lr(task, cand, feat, x[rows], train.labels[rows], bool(meta))
            model.add_part(code, own.weights, own.bias)
        model.mix = cand.options.get("mix", 0.5)
    return model


def fit_lr(
    task: Task, cand: Candidate, feat: Featuriser, x: sp.csr_matrix, y: np.ndarray, meta: bool
) -> LinearModel:
    model = LogisticRegression(
        C=cand.options.get("C", 1.0),
        class_weight=cand.options.get("class_weight"),
        max_iter=3000,
        random_state=SEED,
    )
    model.fit(x, y)
    weights = _align(model.coef_.T, list(model.classes_), task.classes)
    bias = _align(model.intercept_[None, :], list(model.classes_), task.classes)[0]
    return LinearModel(task.classes, weights, bias, feat, link="softmax", use_meta=meta)


def _align(matrix: np.ndarray, have: list[str], want: Sequence[str]) -> np.ndarray:
    return matrix[:, [have.index(c) for c in want]]


def fit_nblr(
    task: Task, cand: Candidate, feat: Featuriser, x: sp.csr_matrix, y: np.ndarray
) -> LinearModel:
    """NB-LR: one-vs-rest logistic regressions on features scaled by their log-count ratio.

    The ratio folds into the weights (w_k * r_k), so the result is an ordinary linear model.
    With `transfer`, the source model's logits (sentiment's shared part, over the same
    features) are three more inputs; being linear in the features, they fold in too
    (w_k * r_k + W_source a_k), and the model stays one weight matrix.
    """
    source = _source(task, cand, feat)
    extra = None if source is None else np.asarray(x @ source.weights) + source.bias
    binary = x.copy()
    binary.data[:] = 1.0
    columns, bias = [], []
    for label in task.classes:
        pos = np.asarray(binary[y == label].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(binary[y != label].sum(axis=0)).ravel() + 1.0
        r = np.log((pos / pos.sum()) / (neg / neg.sum()))
        inputs = x @ sp.diags(r)
        if extra is not None:
            inputs = sp.hstack([inputs, sp.csr_matrix(extra)], format="csr")
        model = LogisticRegression(C=cand.options.get("C", 1.0), max_iter=3000, random_state=SEED)
        model.fit(inputs, (y == label).astype(int))
        coef, intercept = model.coef_[0], float(model.intercept_[0])
        column = coef[: x.shape[1]] * r
        if source is not None:
            a = coef[x.shape[1] :]
            column = column + source.weights @ a
            intercept += float(source.bias @ a)
        columns.append(column)
        bias.append(intercept)
    weights = np.stack(columns, axis=1)
    return LinearModel(task.classes, weights, np.array(bias), feat, link="ovr", use_meta=False)


def _source(task: Task, cand: Candidate, feat: Featuriser) -> LinearModel | None:
    if not cand.options.get("transfer"):
        return None
    source = task.source
    if source is None or source.featuriser.settings() != feat.settings():  # see Candidate
        raise ValueError(f"{cand.name}: needs the sentiment model, over the same features")
    return source


def cv_offsets(
    task: Task, cand: Candidate, feat: Featuriser, x: sp.csr_matrix, y: np.ndarray
) -> np.ndarray:
    """Per-class offsets of the logits that maximise macro-F1 over 5-fold out-of-fold logits
    of the same recipe on the train split (val is not read): a rare class gets its share."""
    z = np.zeros((len(y), len(task.classes)))
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for fit_rows, held in folds.split(np.zeros(len(y)), y):
        part = fit_nblr(task, cand, feat, x[fit_rows], y[fit_rows])
        z[held] = np.asarray(x[held] @ part.weights) + part.bias
    return best_offsets(z, y, task.classes)


def best_offsets(z: np.ndarray, y: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Coordinate ascent over a fixed grid (deterministic): the offsets of best macro-F1."""
    classes = np.array(labels, dtype=object)

    def score(offsets: np.ndarray) -> float:
        return float(f1_score(y, classes[(z + offsets).argmax(axis=1)], average="macro"))

    offsets = np.zeros(len(classes))
    for _ in range(3):
        for k in range(len(offsets)):
            best, value = score(offsets), offsets[k]
            for step in np.linspace(-1.5, 1.5, 31):
                trial = offsets.copy()
                trial[k] = step
                if score(trial) > best + 1e-9:
                    best, value = score(trial), step
            offsets[k] = value
    return (offsets - offsets.mean()).astype(np.float32)


def idf_weights(x: sp.csr_matrix) -> np.ndarray:
    df = np.bincount(x.indices, minlength=x.shape[1])
    return (np.log((1 + x.shape[0]) / (1 + df)) + 1.0).astype(np.float32)


# --- experiments ---------------------------------------------------------------------------


BASELINE = "baseline: TF-IDF word 1-2 + LR"
HASHED = "hashed word 1-2 + char 2-5, LR C=3"
CUES = "+ the lexicon's cues"
TOKEN = "+ language token"
PARTS = "+ one model per language (its logits weigh 0.3)"
NB = "NB-LR (log-count ratio), C=3"
TRANSFER = "+ the sentiment model's 3 logits as inputs (folded into the weights)"
OFFSETS_POSTHOC = "+ per-class logit offsets chosen on the out-of-fold logits"


def candidates(task: str) -> list[Candidate]:
    """The recipes compared by cross-validation, simplest first. Only single linear models can
    be shipped. Kept few: a sentiment fold takes minutes on two cores, and the wider grids of
    the earlier runs (C=1/10, char 1-4, idf, balanced weights, word-only, char-only) lost or tied
    on val."""
    if task == "language":
        # Sentiment's features without the cues: detection reuses the hashed blocks.
        return [Candidate(HASHED, C=3.0)]
    if task == "sentiment":
        # One model per language (its logits mixed in at 0.3), shipped before, is left out:
        # it doubles a fold's time, and on held-out French it lost to the plain baseline.
        return [
            Candidate(f"{HASHED}, {TOKEN}", C=3.0, meta=True),
            Candidate(f"{HASHED}, {TOKEN}, {CUES}", C=3.0, meta=True, cues=True),
        ]
    if task == "emotion":
        # Over the sentiment model's features (its cues among them), so its logits fold in.
        # The per-class offsets of the earlier runs (an inner 5-fold CV in each fit, six times
        # the time) are chosen here on this recipe's out-of-fold logits instead (see run_task).
        # The transfer recipes (the sentiment model's logits as inputs) wait for sentiment to
        # be trained first; on the shared two-core machine of issue 17 there was no time left.
        return [Candidate(f"{NB}, {CUES}", C=3.0, nb=True, cues=True, logits=True)]
    return [Candidate(HASHED, C=3.0), Candidate(NB, C=3.0, nb=True)]


def evaluate(
    task: Task, cands: list[Candidate]
) -> tuple[crossval.CVResult, list[crossval.CVResult], list[LinearModel], list[float]]:
    """The baseline and every recipe by 5-fold cross-validation over the train split, and each
    recipe fitted on all of it, every fit side by side (`crossval.jobs()`)."""
    train = task.train
    splits = crossval.folds([f"{g}|{y}" for g, y in zip(train.groups, train.labels, strict=True)])
    entries: list[Candidate | None] = [None, *cands]
    cached = [_cached(task, c) for c in entries]
    calls: list[tuple[int, np.ndarray | None, np.ndarray | None]] = []
    for i, found in enumerate(cached):
        if found is None:
            calls += [(i, fit, held) for fit, held in splits]
    calls += [(i + 1, None, None) for i in range(len(cands))]
    start = time.perf_counter()
    done = crossval.run([partial(_fit_job, task, entries[i], f, h) for i, f, h in calls])
    results = []
    for i, cand in enumerate(entries):
        result = cached[i]
        if result is None:
            outputs = [
                d for (j, f, _), d in zip(calls, done, strict=True) if j == i and f is not None
            ]
            name = BASELINE if cand is None else cand.name
            result = crossval.assemble(
                name, splits, outputs, task.classes, train.labels, train.groups, task.choose
            )
            _store(task, cand, result)
        print(f"  {task.name}: {result.name}: {result.score:.4f} ± {result.spread:.4f}", flush=True)
        results.append(result)
    finals = [d for (_, f, _), d in zip(calls, done, strict=True) if f is None]
    print(f"  {task.name}: {len(calls)} fits in {time.perf_counter() - start:.0f} s", flush=True)
    return results[0], results[1:], [m for m, _ in finals], [s for _, s in finals]


def _fit_job(
    task: Task, cand: Candidate | None, fit: np.ndarray | None, held: np.ndarray | None
) -> tuple[Any, float]:
    if fit is None or held is None:
        assert cand is not None
        start = time.process_time()
        model = fit_linear(task, cand)
        return model, time.process_time() - start
    return _fit_predict(task, cand, fit, held)


def _cached(task: Task, cand: Candidate | None) -> crossval.CVResult | None:
    path = _cache_path(task, cand)
    if path is None or not path.exists():
        return None
    with path.open("rb") as f:
        return pickle.load(f)  # our own file, written by _store


def _store(task: Task, cand: Candidate | None, result: crossval.CVResult) -> None:
    path = _cache_path(task, cand)
    if path is not None:
        with path.open("wb") as f:
            pickle.dump(result, f)


def _cache_path(task: Task, cand: Candidate | None) -> Path | None:
    """Where `RUMEUR_CV_CACHE` (a folder) keeps a finished cross-validation, so that a run
    stopped later (a crash while shipping) need not redo it. Keyed by everything it read."""
    folder = os.environ.get("RUMEUR_CV_CACHE")
    if not folder:
        return None
    options = {} if cand is None else cand.options
    source = "" if task.source is None else task.source.card.get("weights_sha256", "")
    key = json.dumps([task.name, None if cand is None else cand.name, options, source])
    digest = hashlib.sha256((key + "\n".join(task.train.texts)).encode()).hexdigest()[:16]
    return Path(folder) / f"{task.name}-{digest}.pickle"


def _fit_predict(
    task: Task, cand: Candidate | None, fit: np.ndarray, held: np.ndarray
) -> tuple[np.ndarray, float]:
    start = time.process_time()
    part, test = task.train.subset(fit), task.train.subset(held)
    model = Baseline(task, part) if cand is None else fit_linear(task, cand, part)
    seconds = time.process_time() - start
    meta = test.meta if cand is not None and cand.options.get("meta") else None
    if cand is not None and cand.options.get("logits"):
        # Out-of-fold logits, for the offsets chosen on them (the argmax is the same).
        return model.logits(model.features(test.texts, meta), meta), seconds
    return model.predict_proba(test.texts, meta)[1], seconds


# Posts whose label is not in doubt (the shipped-model tests read the same): a recipe that
# misreads one is not shipped, whatever its figures.
CLEAR: dict[str, list[tuple[str, str, str]]] = {
    "sentiment": [
        ("Vol annulé, bagages perdus et personne ne répond. Service nul, je suis furieux", "fr",
         "negative"),
        ("Merci beaucoup à tout l'équipage, vol parfait et personnel adorable !", "fr",
         "positive"),
        ("Colis perdu, livraison en retard, service client nul et incompétent", "fr", "negative"),
        ("@united worst airline ever, my flight was cancelled and nobody helps", "en", "negative"),
        ("@united thank you so much, the crew was amazing and we landed early!", "en",
         "positive"),
    ],
    "emotion": [
        ("I am so angry and furious, this is outrageous", "en", "anger"),
        ("So sad, I miss her and I cry", "en", "sadness"),
    ],
    "reason": [("@united you lost my luggage, bag still missing", "en", "Lost Luggage")],
}  # fmt: skip


def misread(task: Task, model: LinearModel) -> list[str]:
    examples = CLEAR.get(task.name, [])
    if not examples:
        return []
    found = model.predict([t for t, _, _ in examples], [m for _, m, _ in examples]).labels
    return [t for (t, _, want), got in zip(examples, found, strict=True) if got != want]


def none_threshold(task: Task, chosen: crossval.CVResult, model: LinearModel) -> dict[str, Any]:
    """The probability under which emotion says `none`: the one that gives the best macro-F1
    over the four emotions and `none`, on the train split's out-of-fold probabilities and the
    neutral posts (which no emotion model was trained on), among the thresholds that cost the
    emotional tweets no more macro-F1 (four classes, a `none` counted wrong) than the folds'
    spread: `none` is for posts without an emotion, not a way to skip hard ones."""
    assert task.none_set is not None
    oof, four = chosen.oof, task.train.labels
    proba = np.vstack([oof, model.predict_proba(task.none_set.texts)[1]])
    truth = np.concatenate([four, task.none_set.labels])
    classes = np.array(task.classes, dtype=object)

    def labels(p: np.ndarray, threshold: float) -> np.ndarray:
        pred = classes[p.argmax(axis=1)]
        pred[p.max(axis=1) < threshold] = NONE
        return pred

    def score(threshold: float) -> float:
        five = [*task.classes, NONE]
        pred = labels(proba, threshold)
        return float(f1_score(truth, pred, labels=five, average="macro", zero_division=0))

    def emotional(threshold: float) -> float:
        pred = labels(oof, threshold)
        return float(f1_score(four, pred, labels=list(task.classes), average="macro"))

    floor = emotional(0.0) - chosen.spread
    grid = [round(float(t), 2) for t in np.arange(0.25, 0.80, 0.01)]
    allowed = [t for t in grid if emotional(t) >= floor] or [0.0]
    best = max(allowed, key=lambda t: (score(t), -t))  # ties: the lowest, saying none least
    return {
        "threshold": best,
        "macro_f1_five": round(score(best), 4),
        "macro_f1_five_without": round(score(0.0), 4),
        "tweeteval_macro_f1_with": round(emotional(best), 4),
        "tweeteval_macro_f1_without": round(emotional(0.0), 4),
        "none_share_tweeteval": round(float(np.mean(labels(oof, best) == NONE)), 4),
        "none_texts": len(task.none_set.texts),
    }


def run_task(task: Task) -> dict[str, Any]:
    """Cross-validate, choose, keep the chosen recipe's fit on all of train: what `ship` writes."""
    cands = candidates(task.name)
    base, results, models, seconds = evaluate(task, cands)
    chosen = crossval.choose(results, lambda r: True)
    index = results.index(chosen)
    cand, model = cands[index], models[index]
    wrong = misread(task, model)
    if wrong:
        chosen.note = f"misreads {len(wrong)} clear example(s): {wrong}"
    if cand.options.get("logits"):
        offsets, chosen = posthoc_offsets(task, chosen)
        results.append(chosen)
        model.bias = model.bias + offsets
    found = {"baseline": base, "results": results, "chosen": chosen, "cand": cand}
    found |= {"model": model, "seconds": seconds[index], "base_model": Baseline(task, task.train)}
    if task.none_set is not None:
        found["none"] = none_threshold(task, chosen, model)
        model.none_below = found["none"]["threshold"]
    if task.name == "sentiment":
        found["care"] = care_cv(task, [base, chosen])
    return found


def posthoc_offsets(task: Task, result: crossval.CVResult) -> tuple[np.ndarray, crossval.CVResult]:
    """Per-class offsets of the logits that maximise macro-F1 over the out-of-fold logits, and
    the folds scored again with them (optimistic: chosen on the same logits). The result's
    `oof` holds probabilities again (the one-vs-rest link), for the `none` threshold."""
    offsets = best_offsets(result.oof, task.train.labels, task.classes)
    p = 1.0 / (1.0 + np.exp(-(result.oof + offsets)))
    p /= p.sum(axis=1, keepdims=True)
    name = f"{result.name}, {OFFSETS_POSTHOC}"
    found = crossval.rescored(
        result, name, p, task.classes, task.train.labels, task.train.groups, task.choose
    )
    found.note = "offsets chosen on these folds' logits: optimistic"
    return offsets, found


def care_cv(task: Task, results: list[crossval.CVResult]) -> dict[str, Any]:
    """The customer-care set's out-of-fold accuracy by language and kind of message."""
    posts = read_care_set()
    first = len(task.train.texts) - len(posts)  # the set comes last in the train split
    classes = np.array(task.classes, dtype=object)
    out: dict[str, Any] = {}
    for result in results:
        pred = classes[result.oof[first:].argmax(axis=1)]
        cells: dict[str, list[int]] = {}
        for post, got in zip(posts, pred, strict=True):
            for key in (post.lang, f"{post.lang} {post.kind}"):
                right, n = cells.get(key, [0, 0])
                cells[key] = [right + (got == post.sentiment), n + 1]
        out[result.name] = cells
    return out


# --- shipping ------------------------------------------------------------------------------


def ship(task: Task, found: dict[str, Any], out: Path) -> dict[str, Any]:
    """Write the chosen model (float16), reload it and measure val once: the shipped figures."""
    cand, model = found["cand"], found["model"]
    meta = bool(cand.options.get("meta"))
    card = {
        "name": f"rumeur-{task.name}-linear",
        "title": TITLES[task.name],
        "task": task.name,
        "version": VERSION,
        "date": dt.date.today().isoformat(),
        "recipe": cand.name,
        "options": cand.options,
        "seed": SEED,
        "data": task.data,
        "train_size": len(task.train.texts),
        "training_cpu_seconds": round(found["seconds"], 1),
        "cv": {
            "folds": crossval.FOLDS,
            "baseline": found["baseline"].summary(),
            "recipes": [r.summary() for r in found["results"]],
            "chosen": found["chosen"].name,
        },
    }
    for key in ("none", "care"):
        if key in found:
            card["cv"][key] = found[key]
    base = found["base_model"]
    card["baseline_val"] = val_figures(task, lambda s: _base_labels(base, s))
    model.save(out, task.name, card | {"val": {}})
    shipped = LinearModel.load(task.name, out)
    card["val"] = val_figures(task, lambda s: shipped.predict(s.texts, _meta(s, meta)).labels)
    if task.none_set is not None:
        model.none_below = 0.0
        card["val_without_none"] = val_figures(task, lambda s: _argmax(model, s, meta))
        model.none_below = shipped.none_below
    model.save(out, task.name, card)
    return card


def _meta(split: Split, meta: bool) -> list[str] | None:
    return split.meta if meta else None


def _argmax(model: LinearModel, split: Split, meta: bool) -> np.ndarray:
    classes, proba = model.predict_proba(split.texts, _meta(split, meta))
    return np.array(classes, dtype=object)[proba.argmax(axis=1)]


def _base_labels(base: Baseline, split: Split) -> np.ndarray:
    classes, proba = base.predict_proba(split.texts)
    return np.array(classes, dtype=object)[proba.argmax(axis=1)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rumeur.nlp.train", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("src/rumeur/nlp/models"))
    parser.add_argument("--docs", type=Path, default=Path("docs/models.md"))
    parser.add_argument("--tasks", default="language,sentiment,emotion,reason")
    args = parser.parse_args(argv)
    airline = airline_rows(args.data)
    builders = {
        "language": lambda: language_task(args.data, airline),
        "sentiment": lambda: sentiment_task(args.data, airline),
        "emotion": lambda: emotion_task(args.data),  # no transfer recipe (see candidates)
        "reason": lambda: reason_task(airline),
    }
    for name in args.tasks.split(","):
        if name:
            task = builders[name]()
            card = ship(task, run_task(task), args.out)
            print(f"{name}: shipped {card['recipe']}", flush=True)
    from rumeur.nlp.train_report import render

    args.docs.write_text(render(args.out), encoding="utf-8")


if __name__ == "__main__":
    main()
