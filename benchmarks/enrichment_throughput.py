"""Enrichment throughput: rumeur's language + sentiment + emotion, batched on one core, against
VADER on the same English texts in the same run, with speed and accuracy side by side on the
airline val texts (the split `make models` holds out).

Run it with `make bench`. It reports, it does not judge: the exit status is 0 whether the goal
is met or not."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import find_data, machine, print_machine

GOAL = 5_000  # posts per second for language + sentiment + emotion on one core
BATCH = 1_000  # posts per enrichment batch, the pipeline's default
VADER_THRESHOLD = 0.05  # VADER's documented cut-offs on the compound score


@dataclass
class Measure:
    name: str
    seconds: float
    posts: int
    accuracy: float | None = None
    macro_f1: float | None = None
    cpu_seconds: float = 0.0  # the process's CPU time: on a loaded machine, the fairer figure

    @property
    def rate(self) -> float:
        return self.posts / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.posts / self.cpu_seconds if self.cpu_seconds else 0.0


def one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return "pinned to one core"
    return "not pinned (no sched_setaffinity here)"


def airline_val(data: Path) -> tuple[list[str], list[str]]:
    from rumeur.nlp.train import airline_rows, airline_split

    split = airline_split(airline_rows(data), "val", "airline_sentiment")
    return list(split.texts), [str(x) for x in split.labels]


def timed(name: str, run: Callable[[], Sequence[str] | None], posts: int) -> tuple[Measure, list]:
    run()  # warm up: models loaded, caches filled
    start, cpu = time.perf_counter(), time.process_time()
    labels = run()
    measure = Measure(name, time.perf_counter() - start, posts)
    measure.cpu_seconds = time.process_time() - cpu
    return measure, list(labels or [])


def scores(measure: Measure, predicted: Sequence[str], gold: Sequence[str]) -> Measure:
    pred, true = np.array(predicted[: len(gold)]), np.array(gold)
    measure.accuracy = float((pred == true).mean())
    f1s = []
    for label in sorted(set(gold)):
        tp = float(((pred == label) & (true == label)).sum())
        precision = tp / max(1, (pred == label).sum())
        recall = tp / max(1, (true == label).sum())
        f1s.append(0.0 if tp == 0 else 2 * precision * recall / (precision + recall))
    measure.macro_f1 = float(np.mean(f1s))
    return measure


def rumeur_runs(texts: list[str]) -> list[tuple[str, Callable[[], Sequence[str] | None]]]:
    from rumeur.config import load_settings
    from rumeur.model import Author, Post
    from rumeur.nlp.registry import enrichers
    from rumeur.pipeline.stages import enrich

    settings = load_settings()
    ws = settings.workspace()
    language, sentiment, emotion = enrichers(settings, ws, ("language", "sentiment", "emotion"))
    when = datetime(2015, 2, 20, tzinfo=UTC)
    posts = [Post("x", str(i), t, when, Author("a")) for i, t in enumerate(texts)]

    def all_three() -> list[str]:
        # In batches of 1,000 posts, as the pipeline runs them.
        labels: list[str] = []
        for start in range(0, len(posts), BATCH):
            labels += list(
                enrich(posts[start : start + BATCH], [language, sentiment, emotion])[1].labels
            )
        return labels

    return [
        ("rumeur language (linear + lingua)", lambda: list(language.predict(texts).labels)),
        ("rumeur sentiment", lambda: list(sentiment.predict(texts).labels)),
        ("rumeur emotion", lambda: list(emotion.predict(texts).labels)),
        ("rumeur language + sentiment + emotion", all_three),
    ]


def vader_run(texts: list[str]) -> Callable[[], list[str]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = analyser.polarity_scores(text)["compound"]
        if compound >= VADER_THRESHOLD:
            return "positive"
        return "negative" if compound <= -VADER_THRESHOLD else "neutral"

    return lambda: [label(t) for t in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000, help="texts per timed run")
    args = parser.parse_args(argv)
    pinned = one_core()
    texts, gold = airline_val(find_data().parent.parent)  # find_data gives the CSV itself
    corpus = (texts * (args.posts // len(texts) + 1))[: args.posts]
    vader, vader_labels = timed("VADER (baseline)", vader_run(corpus), len(corpus))
    results = [scores(vader, vader_labels, gold)]
    for name, run in rumeur_runs(corpus):
        measure, labels = timed(name, run, len(corpus))
        if "sentiment" in name:
            scores(measure, labels, gold)
        results.append(measure)
    print_results(results, vader, len(texts), pinned)
    print_machine(machine())
    combined = results[-1]
    verdict = "PASS" if combined.rate >= GOAL else "MISS"
    print(f"\ngoal: language + sentiment + emotion >= {GOAL:,} posts/s on one core: {verdict}")
    cpu_verdict = "PASS" if combined.cpu_rate >= GOAL else "MISS"
    print(f"per CPU second (what the core gave this process): {cpu_verdict}")
    return 0


def print_results(results: list[Measure], base: Measure, val: int, pinned: str) -> None:
    print(f"enrichment of {results[0].posts:,} airline val texts ({val:,} distinct), {pinned}")
    head = f"{'name':40} {'posts/s':>10} {'vs VADER':>9} {'per CPU s':>10} {'vs VADER':>9}"
    print(f"{head} {'accuracy':>9} {'macro-F1':>9}")
    for m in results:
        acc = f"{m.accuracy:.3f}" if m.accuracy is not None else "-"
        f1 = f"{m.macro_f1:.3f}" if m.macro_f1 is not None else "-"
        cpu = f"{m.cpu_rate:>10,.0f} {m.cpu_rate / base.cpu_rate:>8.2f}x"
        print(f"{m.name:40} {m.rate:>10,.0f} {m.rate / base.rate:>8.2f}x {cpu} {acc:>9} {f1:>9}")


if __name__ == "__main__":
    sys.exit(main())
