"""An alert's renderings: the idempotency key, and strangers' text kept as text in HTML."""

from __future__ import annotations

from datetime import datetime

import pytest
from notify_support import HOSTILE, alert

from rumeur.alerts.notify import render_html, render_text


def test_the_idempotency_key_names_the_alert_and_its_revision() -> None:
    assert alert().idempotency_key == "rumeur-alert-42-1"
    assert alert(revision=3).idempotency_key == "rumeur-alert-42-3"


def test_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        alert(started_at=datetime(2026, 3, 2, 14, 5))


def test_the_html_escapes_every_strangers_text() -> None:
    html = render_html(alert())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>remboursement</b>" not in html
    assert "&lt;b&gt;remboursement&lt;/b&gt;" in html
    # A stranger's javascript: URL is never a link.
    assert 'href="javascript:' not in html
    assert 'href="https://social.example/@mallory/1"' in html
    assert 'href="https://rumeur.example/acme/crisis/42"' in html


def test_the_text_says_what_in_the_workspaces_language() -> None:
    french = render_text(alert())
    assert french.startswith("[Poussée négative] Poussée négative sur Acme\n")
    assert "\n80\xa0% de négatif contre environ 60\xa0% d’habitude\n" in french
    assert "Ouvrir la salle de crise: https://rumeur.example/acme/crisis/42" in french
    english = render_text(alert(revision=2, language="en"))
    assert english.startswith("[Negative surge] Poussée négative sur Acme (update 2)\n")


def test_a_strangers_line_breaks_stay_inside_its_line() -> None:
    text = render_text(alert())
    [line] = [x for x in text.splitlines() if "alert(1)" in x]
    assert line.startswith("- ") and line.endswith("https://social.example/@mallory/1")
    assert HOSTILE.split("\n")[1] in line
