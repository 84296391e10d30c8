"""Why a model gave its label: the features that weighed most for and against it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Explanation:
    label: str
    score: float
    supporting: list[tuple[str, float]]  # features that raise the label, largest first
    opposing: list[tuple[str, float]]  # features that lower it, most negative first

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": round(self.score, 4),
            "for": [[f, round(w, 4)] for f, w in self.supporting],
            "against": [[f, round(w, 4)] for f, w in self.opposing],
        }
