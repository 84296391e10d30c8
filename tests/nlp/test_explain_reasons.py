"""An explanation names words and phrases a reader reads: negations said as "not … (negated)",
a bigram as its two words, and no placeholder, punctuation mark, number or function word ever
shown as a reason, while the weights shown stay the model's own."""

from __future__ import annotations

import numpy as np
import pytest

from rumeur.i18n import using
from rumeur.nlp.explain import Reason, explanation, reason, said
from rumeur.nlp.linear import _per_feature
from rumeur.nlp.registry import shipped


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        ("déçu", Reason("déçu", False)),
        ("NEG_satisfied", Reason("satisfied", True)),
        ("NEG_very NEG_happy", Reason("very happy", True)),
        ("not NEG_happy", Reason("not happy", False)),  # the phrase says its negation
        ("NEG_jamais", Reason("jamais", False)),  # "ne jamais": a negation word is itself
        ("pas", Reason("pas", False)),  # a negation word is a reason, short or not
        ("lost luggage", Reason("lost luggage", False)),
        ("the flight", Reason("the flight", False)),  # one word that means something is enough
        ("30 minutes", Reason("30 minutes", False)),
        ("😡", Reason("😡", False)),
        (":(", Reason(":(", False)),
    ],
)
def test_what_a_reader_reads(feature: str, expected: Reason) -> None:
    assert reason(feature) == expected


@pytest.mark.parametrize(
    "feature",
    [
        # placeholders: mentions, links, the language token, inside a negation or a bigram
        "_user", "_url", "__fr", "NEG__user", "it __en", "_user and", "merci _url",
        # punctuation, alone or beside a word
        ".", ",", "!!", "?!", "...", ". i", "déçu !", "; amp",
        # function words, short words and numbers, alone or two together
        "the", "de", "The", "i", "s", "it s", "and it", "a really", "NEG_suis", "30", "amp",
    ],
)  # fmt: skip
def test_noise_is_no_reason(feature: str) -> None:
    assert reason(feature) is None


def test_the_wording_in_each_language() -> None:
    with using("en"):
        assert said("NEG_satisfied") == "not satisfied (negated)"
        assert said("NEG_very NEG_happy") == "not very happy (negated)"
        assert said("not NEG_happy") == "not happy"
        assert said("lost luggage") == "lost luggage"
    with using("fr"):
        assert said("NEG_satisfait") == "pas satisfait (négation)"
        assert said("NEG_jamais") == "jamais"
        assert said("déçu") == "déçu"


def test_the_top_is_made_of_reasons_and_their_weights_are_untouched() -> None:
    weights = {"the": 5.0, "_user": 2.0, "déçu": 1.25, "retard": 0.5, ".": -3.0}
    weights |= {"NEG_content": -0.75, "__fr": -0.1}
    found = explanation("negative", 0.9, weights, top=2)
    assert found.supporting == [("déçu", 1.25), ("retard", 0.5)]
    assert found.opposing == [("NEG_content", -0.75)]
    assert (found.label, found.score) == ("negative", 0.9)


TEXTS = [
    ("@SNCF je ne suis jamais satisfait, colis perdu... https://t.co/x #nul", "fr"),
    ("@united the flight was not good at all!!! lost my luggage :( 2 hours", "en"),
]


@pytest.mark.parametrize(("text", "language"), TEXTS)
@pytest.mark.parametrize("task", ["sentiment", "emotion", "reason"])
def test_a_shipped_model_shows_reasons_only_with_their_exact_weights(
    task: str, text: str, language: str
) -> None:
    model = shipped(task)
    why = model.explain(text, top=50, meta=language)
    shown = why.supporting + why.opposing
    if why.label == "none":  # no clear emotion: no class to argue for
        assert not shown
        return
    assert shown, "the model has reasons to show"
    assert all(reason(feature) is not None for feature, _ in shown), shown
    # Each weight is the feature's contribution as the model computes it, noise or not.
    everything = _contributions(model, text, language, why.label)
    for feature, weight in shown:
        assert weight == pytest.approx(everything[feature], abs=1e-9)
    # What was left out is noise only: every reason of the text is shown (top is large).
    left_out = {f for f, w in everything.items() if w and f not in dict(shown)}
    assert left_out and all(reason(f) is None for f in left_out), left_out


def _contributions(model, text: str, language: str, label: str) -> dict[str, float]:
    """Every feature's weight for `label`, read from the model's arrays, as explain reads them."""
    x = model.features([text], [language])
    k = model.classes.index(label)
    column = model._column(model.weights, k)
    if language in model.parts:
        column = (1.0 - model.mix) * column + model.mix * model._column(model.parts[language][0], k)
    meta = language if model.use_meta else None
    values = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    found = _per_feature(model.featuriser.units(text, meta), values, np.asarray(column))
    for name, col, value in model.featuriser.cue_units(text, meta):
        found[name] = found.get(name, 0.0) + value * float(column[col])
    return found


@pytest.mark.parametrize(("text", "language"), TEXTS)
def test_the_contributions_add_up_to_the_logit(text: str, language: str) -> None:
    """Every feature's share, the lexicon's cues among them, adds up to what the model
    computes: the explanation leaves nothing out of the sum but noise it names elsewhere."""
    model = shipped("sentiment")
    x = model.features([text], [language])
    z = model.logits(x, [language])[0]
    label = model.classes[int(z.argmax())]
    k = model.classes.index(label)
    total = sum(_contributions(model, text, language, label).values())
    bias = model.bias - model.bias.mean()
    if language in model.parts:
        own = model.parts[language][1]
        bias = (1.0 - model.mix) * bias + model.mix * (own - own.mean())
    assert total + bias[k] == pytest.approx(z[k] - z.mean(), abs=1e-3)


def test_the_language_explanation_leaves_function_words_out() -> None:
    from rumeur.nlp.language import LanguageDetector

    detector = LanguageDetector(["en", "fr"], fast=shipped("language"))
    why = detector.explain("The flight was delayed and the crew was rude to all of us", top=20)
    words = [w for w, _ in why.supporting + why.opposing]
    assert why.label == "en" and "flight" in words
    assert not {"The", "the", "and", "was", "to", "of", "us", "all"} & set(words), words


def test_a_model_that_cannot_explain_says_nothing_rather_than_failing() -> None:
    from rumeur.nlp.guard import Guarded

    class Transformer:  # a Hugging Face model's shape: it predicts, it does not explain
        task, model, version, classes = "sentiment", "transformer:camembert", "abc", ("positive",)

    guarded = Guarded(Transformer())
    assert not guarded.explains and guarded.explain("Colis perdu, service nul") is None
    assert Guarded(shipped("sentiment")).explains
