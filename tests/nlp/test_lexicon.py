"""The polarity lexicon: built reproducibly from its base lists, it holds its categories,
inflections and misspellings, looks terms up folded, and a bad row is one line naming the file,
the line and the field."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from rumeur.errors import InputError
from rumeur.nlp import lexicon_build
from rumeur.nlp.lexicon import (
    CATEGORIES,
    COLUMNS,
    Entry,
    Lexicon,
    LexiconError,
    lexicon_path,
    load_lexicon,
    read_lexicon,
)


@pytest.fixture(scope="module")
def fr() -> Lexicon:
    return load_lexicon("fr")


@pytest.fixture(scope="module")
def en() -> Lexicon:
    return load_lexicon("en")


def _one(lexicon: Lexicon, term: str, category: str) -> Entry:
    found = [e for e in lexicon.lookup(term) if e.category == category]
    assert len(found) == 1, (term, category, lexicon.lookup(term))
    return found[0]


def test_the_shipped_file_is_what_the_base_lists_give() -> None:
    # The file is generated: editing it by hand, or the lists without rebuilding, fails here.
    built = lexicon_build.render(lexicon_build.build(lexicon_path().parent))
    assert lexicon_path().read_text(encoding="utf-8") == built


def test_the_build_writes_the_same_bytes_twice_and_check_tells_a_stale_file(
    tmp_path: Path,
) -> None:
    for name in ("lexicon-base-fr.txt", "lexicon-base-en.txt", "lexicon-base-emoji.txt"):
        shutil.copy(lexicon_path().parent / name, tmp_path / name)
    assert lexicon_build.main(["--data", str(tmp_path)]) == 0
    first = (tmp_path / "lexicon.tsv").read_bytes()
    assert lexicon_build.main(["--data", str(tmp_path)]) == 0
    assert (tmp_path / "lexicon.tsv").read_bytes() == first
    assert lexicon_build.main(["--data", str(tmp_path), "--check"]) == 0
    base = tmp_path / "lexicon-base-fr.txt"
    base.write_text(base.read_text(encoding="utf-8") + "@ adj word\nbancal -1\n", "utf-8")
    assert lexicon_build.main(["--data", str(tmp_path), "--check"]) == 1


def test_the_readme_gives_the_rows_the_file_holds() -> None:
    rows = read_lexicon(lexicon_path())
    readme = (lexicon_path().parent / "README.md").read_text(encoding="utf-8")
    assert f"It holds {len(rows):,} rows" in readme
    for lang, name in (("fr", "French"), ("en", "English")):
        forms = Counter(e.form for e in rows if e.lang == lang)
        words = f"{forms.total():,} {name} ones ({forms['lemma']:,} lemmas, "
        words += f"{forms['inflection']:,} inflections, {forms['misspelling']:,} misspellings)"
        assert " ".join(words.split()) in " ".join(readme.split()), words


def test_several_thousand_entries_in_every_category(fr: Lexicon, en: Lexicon) -> None:
    assert len(fr) + len(en) >= 3000
    assert len(fr) >= 2000 and len(en) >= 1000
    for lexicon in (fr, en):
        counts = Counter(e.category for e in lexicon)
        assert set(counts) == set(CATEGORIES)
        assert counts["word"] >= 800
    forms = Counter(e.form for e in fr)
    assert forms["inflection"] >= 500 and forms["misspelling"] >= 500


DECU = {
    "déçu": "lemma",
    "déçue": "inflection",
    "déçus": "inflection",
    "déçues": "inflection",
    "decu": "misspelling",
    "deçu": "misspelling",
    "décu": "misspelling",
    "decues": "misspelling",
}


@pytest.mark.parametrize(("term", "form"), DECU.items())
def test_the_inflections_and_misspellings_of_decu_are_negative(
    fr: Lexicon, term: str, form: str
) -> None:
    entry = _one(fr, term, "word")
    assert entry.polarity < 0
    assert (entry.lemma, entry.form) == ("déçu", form)


@pytest.mark.parametrize(
    ("lang", "term", "category", "sign"),
    [
        ("fr", "pas du tout", "negator", 0),
        ("fr", "jamais", "negator", 0),
        ("fr", "aucune", "negator", 0),
        ("fr", "mais", "contrast", 0),
        ("fr", "pourtant", "contrast", 0),
        ("fr", "?", "question", 0),
        ("fr", "est-ce que", "question", 0),
        ("fr", "svp", "question", 0),
        ("fr", "vraiment", "intensifier", 0),
        ("fr", "un peu", "diminisher", 0),
        ("fr", ":(", "emoticon", -1),
        ("fr", "😡", "emoticon", -1),
        ("fr", "merci", "word", 1),
        ("fr", "aimable", "word", 1),
        ("fr", "insupportable", "word", -1),
        ("fr", "jpp", "word", -1),
        ("en", "not at all", "negator", 0),
        ("en", "but", "contrast", 0),
        ("en", "?", "question", 0),
        ("en", "extremely", "intensifier", 0),
        ("en", "slightly", "diminisher", 0),
        ("en", ":(", "emoticon", -1),
        ("en", "dissapointed", "word", -1),
        ("en", "thanks", "word", 1),
    ],
)
def test_the_categories_the_issue_names(
    fr: Lexicon, en: Lexicon, lang: str, term: str, category: str, sign: int
) -> None:
    entry = _one(fr if lang == "fr" else en, term, category)
    assert (entry.polarity > 0) - (entry.polarity < 0) == sign
    assert entry.strength in (1, 2)


def test_lookup_folds_case_apostrophes_and_optionally_accents(fr: Lexicon) -> None:
    assert _one(fr, "DÉÇUE", "word").term == "déçue"
    assert _one(fr, "j’en peux plus", "word").term == "j'en peux plus"
    assert _one(fr, "❤️", "emoticon").term == "❤"  # the emoji variation selector is dropped
    assert _one(fr, "👍🏽", "emoticon").term == "👍"  # and the skin tone
    assert _one(fr, "DECUE", "word").term == "decue"  # a row of its own: a misspelling
    # A short word whose accent makes another word is never reached without it.
    assert [e.category for e in fr.lookup("où")] == ["question"]
    assert fr.lookup("ou") == ()
    assert fr.lookup("xylophone") == ()


def test_rules_inflect_french_adjectives_verbs_and_english_words(fr: Lexicon, en: Lexicon) -> None:
    for term in ("furieuse", "agressives", "trompeuse", "professionnelle", "mensongère"):
        assert _one(fr, term, "word").form == "inflection", term
    for term in ("adorons", "adorée", "détestaient", "agaçons", "agaçait", "rageait", "règlent"):
        assert _one(fr, term, "word").form == "inflection", term
    for term in ("horribly", "scams", "scammed", "hated", "recommending", "delays"):
        assert _one(en, term, "word").form == "inflection", term
    # An adverb that is also an intensifier is read as one only: `incredibly rude` is no praise.
    assert [e.category for e in en.lookup("incredibly")] == ["intensifier"]
    assert en.lookup("lately") == ()  # no rule makes an adverb of another meaning
    # A doubled consonant written single, and an irregular form given by hand.
    assert _one(en, "horible", "word").form == "misspelling"
    assert _one(fr, "nulles", "word").lemma == "nul"


def test_a_language_sees_the_emoticons_but_not_the_other_language(fr: Lexicon, en: Lexicon) -> None:
    assert fr.lookup("disappointed") == ()
    assert en.lookup("déçu") == ()
    assert {e.lang for e in fr} == {"fr", "*"}
    with pytest.raises(InputError, match="'de' is not one of"):
        load_lexicon("de")


def test_match_finds_the_longest_terms_left_to_right(fr: Lexicon) -> None:
    words = ["je", "ne", "suis", "pas", "du", "tout", "content", "mais", "bon"]
    found = [(start, end, entries[0].category) for start, end, entries in fr.match(words)]
    assert found == [
        (1, 2, "negator"),
        (3, 6, "negator"),
        (6, 7, "word"),
        (7, 8, "contrast"),
        (8, 9, "word"),
    ]


HEADER = "\t".join(COLUMNS)
GOOD = "fr\tdéçu\tword\t-2\t2\tdéçu\tlemma"


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (f"{HEADER}\n{GOOD}\nfr\tnul\tadjective\t-2\t2\tnul\tlemma\n", 3, "category",
         "'adjective' is not one of"),
        (f"{HEADER}\n{GOOD}\nfr\tnul\tword\t-3\t2\tnul\tlemma\n", 3, "polarity",
         "'-3' is not a whole number from -2 to 2"),
        (f"{HEADER}\n{GOOD}\nfr\tnul\tword\t-2\tx\tnul\tlemma\n", 3, "strength",
         "'x' is not a whole number from 1 to 2"),
        (f"{HEADER}\n{GOOD}\nde\tnul\tword\t-2\t2\tnul\tlemma\n", 3, "lang", "is not one of"),
        (f"{HEADER}\n{GOOD}\nfr\t\tword\t-2\t2\tnul\tlemma\n", 3, "term",
         "a non-empty string is required"),
        (f"{HEADER}\n{GOOD}\nfr\tnul\tword\t-2\t2\tnul\tguess\n", 3, "form", "is not one of"),
        (f"{HEADER}\nfr\tnul\tword\t-2\n", 2, "-", "4 columns where 7 were expected"),
        (f"term\tpolarity\n{GOOD}\n", 1, "-", "the header should read lang term"),
    ],
)  # fmt: skip
def test_a_bad_row_is_one_line_naming_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        read_lexicon(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}, field {field}: ")
    assert words in message


def test_a_good_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    assert read_lexicon(path) == [Entry("fr", "déçu", "word", -2, 2, "déçu", "lemma")]
    mine = load_lexicon("fr", path)
    # No row spells it so: the accent-free fallback finds the lemma, unless accents must match.
    assert [e.term for e in mine.lookup("DECU")] == ["déçu"]
    assert [e.term for e in mine.lookup("déçu", accents=True)] == ["déçu"]
    assert mine.lookup("decu", accents=True) == ()
