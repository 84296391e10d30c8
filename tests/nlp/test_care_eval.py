"""scripts/care_eval.py: its figures are right on posts whose answers are known, and it reads
real answers from `rumeur classify`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sklearn.metrics import f1_score

from rumeur.nlp.careset import SENTIMENTS, CarePost

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "care_eval.py"


@pytest.fixture(scope="module")
def care_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("care_eval", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _post(n: int, lang: str, kind: str, sentiment: str) -> CarePost:
    return CarePost(f"{lang}-{n:04d}", lang, "rail", kind, sentiment, f"text {n}")


POSTS = [
    _post(1, "fr", "complaint", "negative"),
    _post(2, "fr", "complaint", "negative"),
    _post(3, "fr", "question", "neutral"),
    _post(4, "fr", "thanks", "positive"),
    _post(5, "en", "thanks", "positive"),
    _post(6, "en", "question", "neutral"),
]
FOUND = ["negative", "positive", "negative", "positive", "positive", "negative"]


def test_macro_f1_is_scikit_learns(care_eval: ModuleType) -> None:
    want = [p.sentiment for p in POSTS]
    expected = f1_score(want, FOUND, labels=list(SENTIMENTS), average="macro", zero_division=0)
    assert care_eval.macro_f1(zip(want, FOUND, strict=True)) == pytest.approx(expected)


def test_rows_count_each_language_kind_and_domain(care_eval: ModuleType) -> None:
    table = {name: (n, accuracy) for _, name, n, accuracy, _ in care_eval.rows(POSTS, FOUND)}
    assert table["fr"] == (4, 0.5)
    assert table["fr kind complaint"] == (2, 0.5)
    assert table["fr kind question"] == (1, 0.0)
    assert table["en"] == (2, 0.5)
    assert table["en domain rail"] == (2, 0.5)
    assert "en kind complaint" not in table
    lines = care_eval.markdown(care_eval.rows(POSTS, FOUND))
    assert lines[0] == "| posts | fr | en |"
    assert "| kind complaint | 0.500 (2) | — |" in lines


def test_the_labels_come_from_rumeur_classify(care_eval: ModuleType) -> None:
    posts = [
        CarePost("en-0001", "en", "post", "complaint", "negative", "Worst service ever, furious"),
        CarePost("fr-0001", "fr", "post", "thanks", "positive", "Merci beaucoup, parfait !"),
    ]
    labels = care_eval.classify(posts, [])
    assert len(labels) == 2 and set(labels) <= set(SENTIMENTS)
    assert labels[0] == "negative"


def test_a_failing_classify_stops_with_its_one_line(care_eval: ModuleType) -> None:
    posts = [CarePost("en-0001", "en", "post", "complaint", "negative", "Worst service ever")]
    with pytest.raises(SystemExit, match="no workspace 'nosuch'"):
        care_eval.classify(posts, ["-w", "nosuch"])
