"""The customer-care development set: it loads, holds what its README promises, and a bad record
stops the reading with one line naming the file, the line and the field."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rumeur.i18n import using
from rumeur.nlp.careset import (
    DOMAINS,
    KINDS,
    SENTIMENTS,
    CarePost,
    CareSetError,
    dev_set_path,
    read_care_set,
)


@pytest.fixture(scope="module")
def posts() -> list[CarePost]:
    return read_care_set()


def test_the_shipped_set_lies_in_the_package_beside_its_licence_and_readme() -> None:
    folder = dev_set_path().parent
    assert dev_set_path().name == "care-dev.jsonl"
    assert "CC0 1.0 Universal" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "care-dev.jsonl" in (folder / "README.md").read_text(encoding="utf-8")


def test_at_least_400_french_and_200_english_posts(posts: list[CarePost]) -> None:
    counts = Counter(p.lang for p in posts)
    assert counts["fr"] >= 400
    assert counts["en"] >= 200
    assert set(counts) == {"fr", "en"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_sentiment_is_at_least_a_quarter_of_a_language(
    posts: list[CarePost], lang: str
) -> None:
    mine = [p for p in posts if p.lang == lang]
    counts = Counter(p.sentiment for p in mine)
    for sentiment in SENTIMENTS:
        assert counts[sentiment] / len(mine) >= 0.25, (sentiment, counts)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_domain_and_kind_is_present_in_both_languages(
    posts: list[CarePost], lang: str
) -> None:
    mine = [p for p in posts if p.lang == lang]
    assert {p.domain for p in mine} == set(DOMAINS)
    assert {p.kind for p in mine} == set(KINDS)
    per_domain = Counter(p.domain for p in mine)
    # No domain is a token presence: each holds at least a seventh of the language's posts.
    assert min(per_domain.values()) >= len(mine) / 7


def test_no_two_posts_share_a_text_or_an_id(posts: list[CarePost]) -> None:
    folded = Counter(" ".join(p.text.lower().split()) for p in posts)
    assert [t for t, n in folded.items() if n > 1] == []
    assert len({p.id for p in posts}) == len(posts)


def test_every_label_is_valid_and_sarcasm_is_negative(posts: list[CarePost]) -> None:
    for p in posts:
        assert p.id.startswith(f"{p.lang}-")
        assert p.domain in DOMAINS and p.kind in KINDS and p.sentiment in SENTIMENTS
        if p.kind == "sarcasm":
            assert p.sentiment == "negative", p.id
        if p.kind == "thanks":
            assert p.sentiment == "positive", p.id


def test_the_french_posts_carry_the_forms_the_issue_names(posts: list[CarePost]) -> None:
    french = " ".join(p.text.lower() for p in posts if p.lang == "fr")
    for form in ("j'suis", "c'est", "pas du tout", "jamais", "aucun", "rien", "mais", "pourtant"):
        assert form in french, form
    for form in ("svp", "mdr", "jpp", ":(", "😡", "🙃"):
        assert form in french, form


def _write(tmp_path: Path, records: list[object]) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "id": "fr-0001",
    "lang": "fr",
    "domain": "rail",
    "kind": "complaint",
    "sentiment": "negative",
    "text": "Train supprimé, encore",
}


def test_a_good_file_reads_back_as_posts(tmp_path: Path) -> None:
    other = GOOD | {"id": "en-0001", "lang": "en", "text": "Train cancelled again"}
    path = _write(tmp_path, [GOOD, "", other])
    assert read_care_set(path) == [CarePost(**GOOD), CarePost(**other)]


@pytest.mark.parametrize(
    ("second", "line", "field", "words"),
    [
        (GOOD | {"id": "fr-0002", "kind": "complain"}, 2, "kind", "'complain' is not one of"),
        (GOOD | {"id": "fr-0002", "sentiment": "bad"}, 2, "sentiment", "is not one of"),
        (GOOD | {"id": "fr-0002", "domain": "airline"}, 2, "domain", "is not one of"),
        (GOOD | {"id": "fr-0002", "lang": "de"}, 2, "lang", "is not one of"),
        (GOOD | {"id": "fr-2"}, 2, "id", "should read fr-NNNN"),
        (GOOD | {"id": "en-0002"}, 2, "id", "should read fr-NNNN"),
        (GOOD | {"id": "fr-0002", "text": "  "}, 2, "text", "a non-empty string is required"),
        ({k: v for k, v in GOOD.items() if k != "sentiment"} | {"id": "fr-0002"}, 2,
         "sentiment", "a non-empty string is required"),
        (GOOD | {"id": "fr-0002", "label": "x"}, 2, "label", "unexpected field"),
        (GOOD | {"id": "fr-0002", "kind": "sarcasm", "sentiment": "positive"}, 2, "sentiment",
         "a sarcastic post is negative"),
        (GOOD, 2, "id", "the same as line 1"),
        (GOOD | {"id": "fr-0002", "text": "train  SUPPRIMÉ, encore"}, 2, "text",
         "the same as line 1"),
        ('{"id": "fr-0002", ', 2, "-", "not valid JSON"),
        ("[1, 2]", 2, "-", "a JSON object was expected"),
    ],
)  # fmt: skip
def test_a_bad_record_is_one_line_naming_file_line_and_field(
    tmp_path: Path, second: object, line: int, field: str, words: str
) -> None:
    path = _write(tmp_path, [GOOD, second])
    with pytest.raises(CareSetError) as caught:
        read_care_set(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}, field {field}: ")
    assert words in message
    assert (caught.value.line, caught.value.field) == (line, field)


def test_the_one_line_error_reads_in_french_too(tmp_path: Path) -> None:
    bad = GOOD | {"id": "fr-0002", "kind": "sarcasm", "sentiment": "neutral"}
    path = _write(tmp_path, [GOOD, bad])
    with using("fr"), pytest.raises(CareSetError) as caught:
        read_care_set(path)
    assert str(caught.value) == (
        f"{path}, ligne 2, champ sentiment : un message sarcastique est négatif"
    )


def test_the_readme_gives_the_counts_the_set_holds(posts: list[CarePost]) -> None:
    readme = (dev_set_path().parent / "README.md").read_text(encoding="utf-8")
    for lang, name in (("fr", "French"), ("en", "English")):
        mine = [p for p in posts if p.lang == lang]
        counts = Counter(p.sentiment for p in mine)
        cells = [f"{counts[s]} ({round(100 * counts[s] / len(mine))} %)" for s in SENTIMENTS]
        assert f"| {name} | {' | '.join(cells)} | {len(mine)} |" in readme
        kinds = Counter(p.kind for p in mine)
        order = ("complaint", "sarcasm", "thanks", "question", "information")
        assert f"| {name} | {' | '.join(str(kinds[k]) for k in order)} |" in readme
