"""Train, compare on val and ship the linear models: `python -m rumeur.nlp.train`.

Reads `../shared/data/` only. Every task trains a plain baseline (TF-IDF word 1–2 grams and a
logistic regression) and a set of candidates on the hashed features of `rumeur.nlp.features`;
the candidate with the best val figure is refitted as is, compressed to float16, checked on val
once more and written to the package with its model card. The experiment table goes to
`docs/models.md`. Needs scikit-learn (training only; inference needs numpy and scipy).
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import json
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from rumeur.nlp.features import Featuriser
from rumeur.nlp.linear import LinearModel

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
REASONS = (
    "Bad Flight",
    "Can't Tell",
    "Cancelled Flight",
    "Customer Service Issue",
    "Damaged Luggage",
    "Flight Attendant Complaints",
    "Flight Booking Problems",
    "Late Flight",
    "Lost Luggage",
    "longlines",
)
AIRLINE_VAL_PERCENT = 15
LANGUAGE_AIRLINE = 2000  # airline train tweets added to the language model's English


# --- data ----------------------------------------------------------------------------------


@dataclass
class Split:
    texts: list[str]
    labels: np.ndarray
    meta: list[str]  # language code (sentiment) or source name

    def __add__(self, other: Split) -> Split:
        labels = np.concatenate([self.labels, other.labels])
        return Split(self.texts + other.texts, labels, self.meta + other.meta)

    def subset(self, mask: np.ndarray) -> Split:
        idx = np.flatnonzero(mask)
        return Split([self.texts[i] for i in idx], self.labels[idx], [self.meta[i] for i in idx])


@dataclass
class Task:
    name: str
    classes: tuple[str, ...]
    train: Split
    vals: dict[str, Split]  # every val set, reported; `choose` says which ones decide
    choose: Callable[[dict[str, dict[str, Any]]], float]
    data: list[str] = field(default_factory=list)
    source: LinearModel | None = None  # a model whose logits a recipe may read (transfer)


def read_jsonl(path: Path, meta: str) -> Split:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    labels = np.array([r["label"] for r in rows], dtype=object)
    return Split([r["text"] for r in rows], labels, [meta] * len(rows))


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
    return Split([r["text"] for r in chosen], labels, ["en"] * len(chosen))


def xlmt(data: Path, split: str) -> dict[str, Split]:
    folder = data / "xlmt-sentiment"
    return {
        code: read_jsonl(folder / f"{lang}-{split}.jsonl", code) for lang, code in LANGUAGES.items()
    }


def sentiment_task(data: Path, airline: list[dict[str, str]]) -> Task:
    train = airline_split(airline, "train", "airline_sentiment")
    for part in xlmt(data, "train").values():
        train = train + part
    vals = {f"xlmt-{code}": s for code, s in xlmt(data, "val").items()}
    vals["airline"] = airline_split(airline, "val", "airline_sentiment")
    vals["tweeteval"] = read_jsonl(data / "tweeteval" / "sentiment-val.jsonl", "en")
    data_used = [
        "xlmt-sentiment/*-train.jsonl (8 languages)",
        f"airline-tweets/tweets.csv airline_sentiment, train part ({100 - AIRLINE_VAL_PERCENT} %)",
    ]
    return Task("sentiment", SENTIMENT, train, vals, _choose_sentiment, data_used)


def _choose_sentiment(figures: dict[str, dict[str, Any]]) -> float:
    """Mean of the 8-language mean macro-F1 and the airline accuracy: the two goals."""
    langs = [f["macro_f1"] for k, f in figures.items() if k.startswith("xlmt-")]
    return (float(np.mean(langs)) + figures["airline"]["accuracy"]) / 2


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
    return Split(texts, np.array(codes, dtype=object), codes)


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
    train = read_jsonl(folder / "emotion-train.jsonl", "en")
    vals = {"tweeteval": read_jsonl(folder / "emotion-val.jsonl", "en")}
    choose = lambda f: f["tweeteval"]["macro_f1"]  # noqa: E731
    data_used = ["tweeteval/emotion-train.jsonl"]
    if sentiment is not None:
        data_used.append(
            f"for the transfer recipes, the shipped sentiment model's shared weights "
            f"({sentiment.card.get('weights_sha256', '')[:12]})"
        )
    task = Task("emotion", EMOTION, train, vals, choose, data_used)
    task.source = sentiment
    return task


def _shipped(task: str, folder: Path) -> LinearModel | None:
    """The model `task` as this run (or an earlier one) wrote it, without its language parts."""
    try:
        model = LinearModel.load(task, folder)
    except FileNotFoundError:
        return None
    model.parts = {}
    return model


def reason_task(airline: list[dict[str, str]]) -> Task:
    negative = [r for r in airline if r["airline_sentiment"] == "negative"]
    negative = [r for r in negative if r["negativereason"] in REASONS]
    train = airline_split(negative, "train", "negativereason")
    vals = {"airline": airline_split(negative, "val", "negativereason")}
    data_used = ["airline-tweets/tweets.csv negativereason, negative rows, train part"]
    choose = lambda f: f["airline"]["macro_f1"]  # noqa: E731
    return Task("reason", REASONS, train, vals, choose, data_used)


# --- models --------------------------------------------------------------------------------


class Candidate:
    """A recipe: how to featurise and fit. `fit` returns a LinearModel or a probability fn."""

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        self.options = options

    def featuriser(self) -> Featuriser:
        keys = (
            "word_bits",
            "char_bits",
            "char_min",
            "char_max",
            "char_weight",
            "sublinear",
            "word_ngrams",
        )
        return Featuriser(**{k: self.options[k] for k in keys if k in self.options})


def figures(task: Task, predict: Callable[[Split], np.ndarray]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, split in task.vals.items():
        pred = predict(split)
        per_class = f1_score(
            split.labels, pred, labels=list(task.classes), average=None, zero_division=0
        )
        out[name] = {
            "n": len(split.texts),
            "macro_f1": float(f1_score(split.labels, pred, average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(split.labels, pred)),
            "f1_per_class": {
                c: round(float(v), 4) for c, v in zip(task.classes, per_class, strict=True)
            },
        }
    return out


def baseline(task: Task) -> tuple[dict[str, dict[str, Any]], float]:
    start = time.perf_counter()
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    model = LogisticRegression(max_iter=2000, random_state=SEED)
    model.fit(vectoriser.fit_transform(task.train.texts), task.train.labels)
    seconds = time.perf_counter() - start
    return figures(task, lambda s: model.predict(vectoriser.transform(s.texts))), seconds


def fit_linear(task: Task, cand: Candidate, train: Split | None = None) -> LinearModel:
    train = train or task.train
    feat = cand.featuriser()
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
    if source is None or source.featuriser.settings() != feat.settings():
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
    classes = np.array(task.classes, dtype=object)

    def score(offsets: np.ndarray) -> float:
        return float(f1_score(y, classes[(z + offsets).argmax(axis=1)], average="macro"))

    offsets = np.zeros(len(task.classes))
    for _ in range(3):  # coordinate ascent over a fixed grid, deterministic
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


WORD_ONLY = {"char_min": 99}
WORD_NAME, CHAR_NAME = "hashed word 1-2 only, LR C=3", "hashed char 2-5 only, LR C=3"
CHAR_ONLY = {"word_ngrams": 0}
PARTS_NAME = (
    "same + language token, + one model per language: mean of the shared and the language's logits"
)
OFFSETS_NAME = "NB-LR, C=3, + per-class logit offsets chosen by 5-fold CV on train"
TRANSFER_NAME = "NB-LR, C=3, + the sentiment model's 3 logits as inputs (folded into the weights)"


def candidates(task: str) -> list[Candidate]:
    """The recipes compared on val. Only single linear models can be shipped.

    The grid is smaller for sentiment, whose fits take minutes; C=1 and balanced weights lost
    on the emotion and reason sets, and xlmt is balanced already.
    """
    grid = [
        Candidate("hashed word 1-2 + char 2-5, LR C=3", C=3.0),
        Candidate("same, C=10", C=10.0),
        Candidate("same, C=3, char 1-4", C=3.0, char_min=1, char_max=4),
        Candidate("NB-LR (log-count ratio), C=3", C=3.0, nb=True),
        Candidate("NB-LR, C=3, char 1-4", C=3.0, nb=True, char_min=1, char_max=4),
        Candidate(WORD_NAME, C=3.0, **WORD_ONLY),
        Candidate(CHAR_NAME, C=3.0, **CHAR_ONLY),
    ]
    if task == "language":
        # Sentiment's features exactly (no option changes them): detection reuses them.
        return [grid[0], grid[1], grid[5], grid[6]]
    if task == "sentiment":
        return [
            *grid,
            Candidate("same, C=3, + language token", C=3.0, meta=True),
            Candidate(PARTS_NAME, C=3.0, meta=True, per_language=True, mix=0.5),
            Candidate(
                "same, the language's logits weighing 0.3 (the shared model's 0.7)",
                C=3.0,
                meta=True,
                per_language=True,
                same_fit_as=PARTS_NAME,
                mix=0.3,
            ),
        ]
    small = [
        Candidate("hashed word 1-2 + char 2-5, LR C=1", C=1.0),
        *grid,
        Candidate("same, C=3, balanced class weights", C=3.0, class_weight="balanced"),
        Candidate("same, C=3, idf weighting", C=3.0, idf=True),
        Candidate("NB-LR, C=1", C=1.0, nb=True),
        Candidate("NB-LR, C=10", C=10.0, nb=True),
        Candidate(OFFSETS_NAME, C=3.0, nb=True, cv_offsets=True),
    ]
    if task != "emotion":
        return small
    # Emotion only: the sentiment model it reads was trained on texts of the same kind.
    return [
        *small,
        Candidate(TRANSFER_NAME, C=3.0, nb=True, transfer=True),
        Candidate(
            "same + per-class offsets (5-fold CV on train)",
            C=3.0,
            nb=True,
            transfer=True,
            cv_offsets=True,
        ),
    ]


@dataclass
class Row:
    name: str
    figures: dict[str, dict[str, Any]]
    score: float
    seconds: float
    shippable: bool = True


def evaluate(
    task: Task, cand: Candidate, fitted: dict[str, tuple[LinearModel, Candidate]] | None = None
) -> tuple[Row, LinearModel]:
    start = time.perf_counter()
    same = cand.options.get("same_fit_as")
    if same and fitted and same in fitted:
        # The same fitted models, mixed otherwise: no new fit.
        model = copy.copy(fitted[same][0])
        model.mix = cand.options.get("mix", model.mix)
    else:
        model = fit_linear(task, cand)
    seconds = time.perf_counter() - start
    meta = bool(cand.options.get("meta"))
    figs = figures(task, lambda s: _labels(model, s, meta))
    wrong = misread(task, model)
    name = cand.name + (f" (not shipped: misreads {len(wrong)} clear example(s))" if wrong else "")
    return Row(name, figs, task.choose(figs), seconds, shippable=not wrong), model


# Posts whose label is not in doubt (the shipped-model tests read the same): a recipe that
# misreads one is not shipped, whatever its val figure. The xlmt val sets hold no customer-care
# posts; the product reads mostly those.
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
    classes, proba = model.predict_proba([t for t, _, _ in examples], [m for _, m, _ in examples])
    found = [classes[k] for k in proba.argmax(axis=1)]
    return [t for (t, _, want), got in zip(examples, found, strict=True) if got != want]


def _labels(model: LinearModel, split: Split, meta: bool = False) -> np.ndarray:
    classes, proba = model.predict_proba(split.texts, split.meta if meta else None)
    return np.array(classes, dtype=object)[proba.argmax(axis=1)]


def ensemble_row(task: Task, parts: list[LinearModel], name: str) -> Row:
    def predict(split: Split) -> np.ndarray:
        proba = np.mean([m.predict_proba(split.texts)[1] for m in parts], axis=0)
        return np.array(task.classes, dtype=object)[proba.argmax(axis=1)]

    figs = figures(task, predict)
    return Row(name, figs, task.choose(figs), 0.0, shippable=False)


def per_language_row(task: Task, cand: Candidate) -> Row:
    """One sentiment model per language (English adds the airline tweets)."""
    start, models = time.perf_counter(), {}
    for code in LANGUAGES.values():
        part = task.train.subset(np.array([m == code for m in task.train.meta]))
        models[code] = fit_linear(task, cand, part)
    seconds = time.perf_counter() - start

    def predict(split: Split) -> np.ndarray:
        return _labels(models[split.meta[0]], split)

    figs = figures(task, predict)
    return Row(f"per-language models ({cand.name})", figs, task.choose(figs), seconds, False)


def run_task(task: Task) -> tuple[list[Row], Row, LinearModel, Candidate]:
    base_figs, base_seconds = baseline(task)
    rows = [
        Row(
            "baseline: TF-IDF word 1-2 + LR", base_figs, task.choose(base_figs), base_seconds, False
        )
    ]
    fitted: dict[str, tuple[LinearModel, Candidate]] = {}
    for cand in candidates(task.name):
        row, model = evaluate(task, cand, fitted)
        rows.append(row)
        fitted[cand.name] = (model, cand)
        print(f"  {task.name}: {row.name}: {row.score:.4f} ({row.seconds:.0f} s)", flush=True)
    word, char = (
        fitted["hashed word 1-2 only, LR C=3"][0],
        fitted["hashed char 2-5 only, LR C=3"][0],
    )
    rows.append(ensemble_row(task, [word, char], "ensemble: mean of word-only and char-only"))
    if task.name == "sentiment":
        rows.append(per_language_row(task, fitted["hashed word 1-2 + char 2-5, LR C=3"][1]))
    best = max((r for r in rows if r.shippable), key=lambda r: r.score)
    return rows, rows[0], *fitted[best.name]


# --- shipping ------------------------------------------------------------------------------


def ship(task: Task, model: LinearModel, cand: Candidate, rows: list[Row], out: Path) -> Row:
    """Write the chosen model (float16), reload it and measure val again: the shipped figures."""
    name = f"{task.name}"
    best = next(r for r in rows if r.name == cand.name)
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
        "training_seconds": round(best.seconds, 1),
        "baseline_val": rows[0].figures,
    }
    model.save(out, name, card | {"val": {}})
    shipped = LinearModel.load(name, out)
    meta = bool(cand.options.get("meta"))
    figs = figures(task, lambda s: _labels(shipped, s, meta))
    model.save(out, name, card | {"val": figs})
    return Row(f"shipped ({cand.name}, float16)", figs, task.choose(figs), best.seconds, False)


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
        "emotion": lambda: emotion_task(args.data, _shipped("sentiment", args.out)),
        "reason": lambda: reason_task(airline),
    }
    report = []
    for name in args.tasks.split(","):
        task = builders[name]()
        rows, base, model, cand = run_task(task)
        rows.append(ship(task, model, cand, rows, args.out))
        report.append((task, rows))
        print(f"{name}: baseline {base.score:.4f}, shipped {rows[-1].score:.4f}", flush=True)
    args.docs.write_text(render(report, args.out), encoding="utf-8")


# --- report --------------------------------------------------------------------------------


def render(report: list[tuple[Task, list[Row]]], out: Path) -> str:
    lines = [HEADER.strip(), ""]
    for task, rows in report:
        lines += _task_section(task, rows)
    size = sum(p.stat().st_size for p in out.glob("*.npz")) / 1e6
    lines += ["## Size", "", f"Shipped weights: {size:.1f} MB in all (`{out.as_posix()}`).", ""]
    return "\n".join(lines)


def _task_section(task: Task, rows: list[Row]) -> list[str]:
    sets = list(task.vals)
    head = ["recipe", "choice score", *[_set_title(s) for s in sets], "train s"]
    lines = [
        f"## {task.name}",
        "",
        f"Train: {len(task.train.texts)} texts from "
        f"{'; '.join(task.data)}. Choice score: {_choice_text(task.name)}.",
        "",
    ]
    lines += [_row(head), _row(["---"] * len(head))]
    for r in rows:
        cells = [f"{r.figures[s]['macro_f1']:.3f} / {r.figures[s]['accuracy']:.3f}" for s in sets]
        lines.append(_row([r.name, f"{r.score:.4f}", *cells, f"{r.seconds:.0f}"]))
    lines += ["", "Cells: macro-F1 / accuracy on val. Per class F1, baseline vs shipped:", ""]
    lines += _class_table(task, rows[0], rows[-1])
    return [*lines, ""]


def _class_table(task: Task, base: Row, shipped: Row) -> list[str]:
    head = ["val set", "model", *task.classes]
    lines = [_row(head), _row(["---"] * len(head))]
    for s in task.vals:
        for label, r in (("baseline", base), ("shipped", shipped)):
            f1 = r.figures[s]["f1_per_class"]
            lines.append(_row([_set_title(s), label, *[f"{f1[c]:.3f}" for c in task.classes]]))
    return lines


def _set_title(name: str) -> str:
    return name.replace("xlmt-", "") + (" (xlmt)" if name.startswith("xlmt-") else "")


def _choice_text(task: str) -> str:
    if task == "sentiment":
        return "mean of (mean macro-F1 over the 8 xlmt languages, airline accuracy)"
    if task == "language":
        return "mean accuracy over the 7 languages in their own script (romanised Hindi aside)"
    return "macro-F1 on val"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


HEADER = """
# Models

Written by `python -m rumeur.nlp.train` (`make models`); do not edit by hand. Every figure is
on **val** splits: xlmt-sentiment `*-val.jsonl`, TweetEval `sentiment-val.jsonl` and
`emotion-val.jsonl`, and the airline tweets' val part (15 % of tweet ids, chosen by CRC-32 of the
id; duplicates of a tweet id dropped). Models are trained on train splits only and chosen on
val; test splits are held back and were never read.

Features (`rumeur/nlp/features.py`): lowercase, links and mentions replaced by tokens,
elongations squeezed, emoji and emoticons kept as tokens, negation scopes marked (`NEG_` on the 3
tokens after *ne, pas, jamais, not, never, no, nicht, kein, non, não, nunca...*), hashed word 1–2
grams and character 2–5 grams within words, sublinear tf, each block L2-normalised.

A recipe that misreads one of a few clear posts (`CLEAR` in `rumeur/nlp/train.py`, the same as
the shipped-model tests: customer-care posts in French and English, which the xlmt val sets
lack) is marked "not shipped" whatever its val figure. Sentiment's "one model per language"
recipes keep one sparse weight matrix per language beside the shared one and mix their logits
for a post in that language (the language found by the language model at run time; the val
figures use the val file's language). Emotion's transfer recipes read the sentiment model
trained just before it, folded into the weights.

Also measured on val in scratch runs, not rerun here (too slow for `make models`, or worse):
sentiment, one joint model over shared and per-language copies of the features (feature
augmentation): fr 0.644, 8-language mean 0.575, airline accuracy 0.829, the same as the mean of
logits at 0.5, for 10 times the training time. Emotion: SGD with modified Huber loss 0.596–0.612;
complement and multinomial naive Bayes 0.17–0.37; NB-LR + LR probability mean 0.627–0.628;
NB-LR with char weight 0.5 0.616; NB-LR with 2^20 columns per block 0.612.
"""


if __name__ == "__main__":
    main()
