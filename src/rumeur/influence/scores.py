"""The influence score and its explanation, from an author's window of statistics.

Raw followers are no part of the score: the engagement part is the percentile of the author's
engagement rate among the authors of the same tier and platform (HypeAuditor's and Markerly's
studies show rates fall as followers grow, so authors are compared within a tier, not across
tiers). Every other part is a share between 0 and 1. A part that cannot be known for an author
is left out and the others share its weight: the score stays between 0 and 100.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rumeur.settings.influence import ScoreWeights

GROWTH_FULL = 0.2  # follower growth over the window that takes the growth part to 1 (or 0)
LOCALITY = {"city": 1.0, "region": 0.6, "country": 0.3}  # how close to the place asked for


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a score: what was measured (`value`, 0..1), how much it weighs, how many
    of the score's points it gave, and a sentence key with its figures (influence/sentences.py
    turns them into words)."""

    name: str
    value: float
    weight: float
    contribution: float
    sentence: str
    figures: dict[str, Any] = field(default_factory=dict)
    posts: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "weight": self.weight,
            "contribution": round(self.contribution, 2),
            "sentence": self.sentence,
            "figures": self.figures,
            "posts": list(self.posts),
        }


@dataclass(frozen=True, slots=True)
class Measure:
    """A part before weighing: its value, sentence and figures."""

    name: str
    value: float
    sentence: str
    figures: dict[str, Any] = field(default_factory=dict)
    posts: tuple[int, ...] = ()


def weigh(measures: Sequence[Measure], weights: ScoreWeights) -> tuple[float, list[Part]]:
    """The score (0..100) and its parts, heaviest contribution first. The weights of the parts
    present are shared out again so that they sum to 1."""
    present = [(m, float(getattr(weights, m.name))) for m in measures]
    total = sum(w for _, w in present) or 1.0
    parts = [
        Part(m.name, m.value, w, 100 * w * m.value / total, m.sentence, m.figures, m.posts)
        for m, w in present
    ]
    score = sum(p.contribution for p in parts)
    parts.sort(key=lambda p: (-p.contribution, p.name))
    return round(score, 2), parts


def percentiles(values: dict[int, float]) -> dict[int, float]:
    """Each key's mid-rank percentile among `values` (0..1): the share of the others below it,
    ties counted half. One value alone sits at 0.5."""
    ordered = sorted(values.values())
    n = len(ordered)
    found = {}
    for key, value in values.items():
        below = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - below
        found[key] = (below + 0.5 * equal) / n
    return found


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def sentiment_value(positive: int, negative: int, posts: int) -> float:
    """0 all negative, 0.5 as many positive as negative (or none of either), 1 all positive."""
    return 0.5 + 0.5 * share(positive - negative, posts)


def growth_value(first: int, last: int) -> float:
    """0.5 for a flat count; GROWTH_FULL more followers gives 1, as many fewer gives 0."""
    growth = share(last - first, first)
    return min(1.0, max(0.0, 0.5 + 0.5 * growth / GROWTH_FULL))


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
