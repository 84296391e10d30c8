"""The lexicon's cues as features: negation and its scope, intensifiers, contrast, elision,
emoji and question cues, each hit named as a reader reads it and carrying its exact share."""

from __future__ import annotations

import numpy as np
import pytest

from rumeur.i18n import using
from rumeur.nlp import cues
from rumeur.nlp.explain import Reason, reason, said
from rumeur.nlp.features import Featuriser, tokenise


def hits(text: str, lang: str | None = "fr") -> list[tuple[str, str, float]]:
    found = cues.named_hits(tokenise(text), lang)
    return [(cues.COLUMNS[h.column], h.name, h.value) for h in found]


def test_a_negative_word_and_its_intensifier() -> None:
    assert hits("La livraison a pris du retard, vraiment déçu") == [
        ("negative word", "retard (negative word)", 2.0),
        ("negative word", "vraiment déçu (negative word)", 3.0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "je ne suis pas satisfait",
        "je ne suis pas du tout satisfait",
        "jamais satisfait",
        "je n'étais plus satisfait",
    ],
)
def test_a_positive_word_inside_a_negation_is_negated(text: str) -> None:
    found = hits(text)
    assert ("negated positive", "satisfait (negated)", 2.0) in found, found
    assert not [h for h in found if h[0] == "positive word"]


def test_the_negation_ends_at_punctuation_and_after_three_tokens() -> None:
    assert hits("pas de souci. Parfait")[-1][0] == "positive word"
    assert hits("sans être parfait")[-1][0] == "negated positive"
    assert hits("pas de colis depuis une semaine parfait")[-1][0] == "positive word"


def test_plus_alone_is_no_negation() -> None:
    assert hits("plus rapide que prévu")[0][0] == "positive word"
    assert hits("ne marche plus, nul")[-1][0] == "negative word"


def test_english_contractions_negate() -> None:
    assert hits("I'm not satisfied", "en")[0][:2] == ("negated positive", "satisfied (negated)")
    assert hits("it doesn't work, never happy", "en")[-1][0] == "negated positive"


def test_the_clause_before_a_contrast_counts_half() -> None:
    found = hits("Le personnel est gentil mais déçu du retard")
    assert found[0] == ("positive word", "gentil (positive word)", 1.0)
    assert found[1][0] == "negative word" and found[1][2] == 2.0


def test_elisions_are_split_as_the_text_is() -> None:
    assert hits("j'suis déçue")[0][:2] == ("negative word", "déçue (negative word)")
    assert hits("c'est nul")[0][:2] == ("negative word", "nul (negative word)")


def test_emoji_and_emoticons_whatever_the_language() -> None:
    assert hits("😡😡", "de") == [("negative emoji", "😡 (negative emoji)", 2.0)] * 2
    assert hits("merci :)", "es") == [("positive emoji", ":) (positive emoji)", 1.0)]


def test_questions_are_cues() -> None:
    found = hits("Quels sont les horaires d'ouverture le samedi ?")
    assert {h[0] for h in found} == {"question"} and len(found) >= 2
    assert ("question", "est ce que (question)", 1.0) in hits("est-ce que le guichet est ouvert")


def test_words_without_their_accents_are_found() -> None:
    assert hits("tres decu")[0][:2] == ("negative word", "tres decu (negative word)")


def test_each_language_reads_its_own_words() -> None:
    assert hits("service nul", "fr") and not hits("service nul", "es")
    assert hits("awful service", "en") and hits("awful service", None)


def test_the_cue_block_and_the_explanation_shares_agree() -> None:
    feat = Featuriser(word_bits=4, char_bits=4, cues=True, cue_weight=0.5)
    texts = ["Vraiment déçu, colis perdu et pas satisfait 😡", "Merci, très aimable !"]
    x = feat.transform(texts, ["fr", "fr"]).toarray()
    assert x.shape[1] == feat.n_features == 16 + 16 + len(cues.COLUMNS)
    for row, text in enumerate(texts):
        shares = np.zeros(feat.n_features)
        for _name, column, value in feat.cue_units(text, "fr"):
            shares[column] += value
        np.testing.assert_allclose(x[row, feat.n_hashed :], shares[feat.n_hashed :], rtol=1e-5)
        assert shares[feat.n_hashed :].any()


def test_a_featuriser_without_cues_reads_as_before() -> None:
    plain = Featuriser()
    assert "cues" not in plain.settings() and plain.n_features == plain.n_hashed
    assert plain.cue_units("vraiment déçu", "fr") == []


@pytest.mark.parametrize(
    ("feature", "expected", "en", "fr"),
    [
        ("vraiment déçu (negative word)", Reason("vraiment déçu", False, "negative word"),
         "vraiment déçu (negative word)", "vraiment déçu (mot négatif)"),
        ("satisfied (negated)", Reason("satisfied", True), "not satisfied (negated)",
         "pas satisfied (négation)"),
        ("😀 (positive emoji)", Reason("😀", False, "positive emoji"), "😀 (positive emoji)",
         "😀 (émoji positif)"),
        ("quels sont (question)", Reason("quels sont", False, "question"),
         "quels sont (question)", "quels sont (question)"),
    ],
)  # fmt: skip
def test_a_cue_is_a_reason_said_in_each_language(
    feature: str, expected: Reason, en: str, fr: str
) -> None:
    assert reason(feature) == expected
    with using("en"):
        assert said(feature) == en
    with using("fr"):
        assert said(feature) == fr
