"""Every alert kind is named once (rumeur.alerts.kinds), in the notifications and on the web
pages alike, in both languages; the words the two translate differently keep apart."""

from __future__ import annotations

import pytest

from rumeur import i18n
from rumeur.alerts.kinds import KINDS, label
from rumeur.web.render import environment

FRENCH = {
    "volume_spike": "Pic de volume",
    "negative_surge": "Poussée négative",
    "viral_post": "Publication virale",
    "influencer": "Influenceur",
    "watch_word": "Mot surveillé",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_name_in_both_languages(kind: str) -> None:
    with i18n.using("en"):
        assert label(kind) != kind
    with i18n.using("fr"):
        assert label(kind) == FRENCH[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_the_web_macro_names_every_kind(kind: str) -> None:
    macros = environment().get_template("_alert_macros.html").module
    with i18n.using("fr"):
        assert str(macros.kind(kind)) == FRENCH[kind]


def test_an_unknown_kind_reads_as_its_code() -> None:
    assert label("new_kind") == "new_kind"


def test_a_context_keeps_the_alerts_word_apart_from_the_webs() -> None:
    with i18n.using("fr"):
        assert i18n.gettext("Top authors") == "Auteurs les plus actifs"
        assert i18n.pgettext("alert", "Top authors") == "Auteurs principaux"
