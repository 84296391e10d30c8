"""Each kind of alert read as a sentence, in English and French, with its exact words: shares as
percentages, a viral post by its author and text, baselines named for people, and the log with
the detectors' updates folded. The explanations have the shapes the detectors write
(alerts/detectors.py, alerts/explain.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rumeur import i18n
from rumeur.alerts.sentences import Facts, figures, log_lines, sentence, short, title

PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2015, 2, 22, 10, tzinfo=UTC)  # 11:00 in Paris, a Sunday
NBSP = "\xa0"


def _alert(kind: str, subject: str, observed: float, expected: float, **why: Any) -> Facts:
    return Facts(kind, subject, observed, expected, AT, AT + timedelta(hours=3), why)


VOLUME = _alert(
    "volume_spike", "American", 118.0, 21.5,
    method="hour-of-day+weekday", points=9, ratio=5.49,
    since=AT.isoformat(), until=(AT + timedelta(hours=3)).isoformat(),
)  # fmt: skip
NEGATIVE = _alert("negative_surge", "United", 0.8, 0.6, window_posts=300, negative=240)
VIRAL = _alert(
    "viral_post", "post:x:569927", 340.0, 28.0,
    ratio=12.14, engagement=1190, likes=800, reposts=300, replies=80, quotes=10, age_hours=3.5,
    posts=[{"id": 7, "text": "@united lost my bag   AGAIN, third time this month and nobody "
            "answers the phone at the desk", "engagement": 1190}],
    authors=["jo_flies"],
)  # fmt: skip
INFLUENCER = _alert(
    "influencer", "Delta", 1_250_000.0, 100_000.0, reach=1_250_000, lookback_days=30,
    influencers=[{"handle": "bignews", "followers": 1_000_000},
                 {"handle": "travelpro", "followers": 250_000}],
)  # fmt: skip
WATCH = _alert("watch_word", "lost-bags", 12.0, 0.0, query="lost-bags")

SENTENCES = {
    "en": {
        "volume": "Volume about American is 5.5 times its usual level for a Sunday between "
        "11:00 and 14:00 (118 posts against about 22), since 22 Feb 11:00",
        "negative": "Posts about United are 80% negative against about 60% usually (240 of 300 "
        "posts), since 22 Feb 11:00",
        "viral": "A post by @jo_flies is gathering engagement 12 times faster than a usual post "
        "(340 an hour against about 28), since 22 Feb 11:00: “@united lost my bag AGAIN, third "
        "time this month and nobody answers the phone…”",
        "influencer": "2 large accounts that had not named Delta in the previous 30 days now "
        "do, 1,250,000 followers in all: @bignews (1,000,000 followers), @travelpro (250,000 "
        "followers); since 22 Feb 11:00",
        "watch": "The watch query lost-bags matched 12 posts since 22 Feb 11:00",
    },
    "fr": {
        "volume": "Le volume sur American est 5,5 fois son niveau habituel pour un dimanche "
        "entre 11:00 et 14:00 (118 publications contre environ 22), depuis le 22 févr. 11:00",
        "negative": f"Les publications sur United sont négatives à 80{NBSP}% contre environ "
        f"60{NBSP}% d’habitude (240 sur 300 publications), depuis le 22 févr. 11:00",
        "viral": "Une publication de @jo_flies suscite de l’engagement 12 fois plus vite qu’une "
        "publication habituelle (340 par heure contre environ 28), depuis le 22 févr. 11:00 : "
        "« @united lost my bag AGAIN, third time this month and nobody answers the phone… »",
        "influencer": "2 grands comptes qui n’avaient pas cité Delta dans les 30 jours "
        "précédents le font, 1\u202f250\u202f000 abonnés en tout : @bignews "
        "(1\u202f000\u202f000 abonnés), @travelpro (250\u202f000 abonnés) ; depuis le "
        "22 févr. 11:00",
        "watch": "La requête surveillée lost-bags a trouvé 12 publications depuis le "
        "22 févr. 11:00",
    },
}
ALERTS = {
    "volume": VOLUME,
    "negative": NEGATIVE,
    "viral": VIRAL,
    "influencer": INFLUENCER,
    "watch": WATCH,
}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("kind", list(ALERTS))
def test_each_kind_reads_as_one_sentence(kind: str, lang: str) -> None:
    with i18n.using(lang):
        assert sentence(ALERTS[kind], PARIS) == SENTENCES[lang][kind]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Viral post · @jo_flies: “@united lost my bag AGAIN, third time this month and "
               "nobody answers the phone…”"),
        ("fr", "Publication virale · @jo_flies : « @united lost my bag AGAIN, third time this "
               "month and nobody answers the phone… »"),
    ],
)  # fmt: skip
def test_a_viral_post_is_named_by_its_author_and_text(lang: str, expected: str) -> None:
    with i18n.using(lang):
        assert title(VIRAL) == expected


def test_the_other_titles_name_the_kind_and_subject() -> None:
    every = Facts("volume_spike", "*", 50, 10, AT, AT, {})
    with i18n.using("fr"):
        assert title(VOLUME) == "Pic de volume · American"
        assert title(every) == "Pic de volume · toutes les mentions"
        assert sentence(every, PARIS).startswith("Le volume de toutes les mentions est 5,0 fois")
    with i18n.using("en"):
        assert title(NEGATIVE) == "Negative surge · United"


def test_one_match_and_one_voice_are_singular() -> None:
    one = _alert("watch_word", "delays", 1.0, 0.0)
    voice = _alert("influencer", "Delta", 2e5, 1e5, reach=200_000, lookback_days=30,
                   influencers=[{"handle": "bignews", "followers": 200_000}])  # fmt: skip
    with i18n.using("en"):
        assert sentence(one, PARIS) == "The watch query delays matched one post since 22 Feb 11:00"
        assert sentence(voice, PARIS).startswith(
            "A large account that had not named Delta in the previous 30 days now does, "
            "200,000 followers: @bignews (200,000 followers); since"
        )


def test_a_baseline_is_named_for_people() -> None:
    figures_en = dict(figures(VOLUME, PARIS))
    assert figures_en["Compared with"] == "the usual level for these hours on this weekday"
    assert figures_en["Usual level"] == "about 22"
    assert figures_en["Window counted"] == "22 Feb 11:00 – 22 Feb 14:00"
    trailing = Facts("volume_spike", "United", 40, 8, AT, AT, {"method": "trailing"})
    silent = Facts("volume_spike", "United", 40, 0.2, AT, AT, {"method": "trailing"})
    with i18n.using("fr"):
        rows = dict(figures(trailing, PARIS))
        assert rows["Comparé avec"] == "le niveau habituel des heures précédentes"
        assert rows["Rapport"] == "5,0 fois le niveau habituel"
        assert sentence(trailing, PARIS) == (
            "Le volume sur United est 5,0 fois son niveau habituel des heures précédentes "
            "(40 publications contre environ 8), depuis le 22 févr. 11:00"
        )
        # "200 times" a level of nothing says nothing: no ratio where there was no level
        assert sentence(silent, PARIS) == (
            "Le volume sur United a atteint 40 publications du 22 févr. 10:00 à 11:00, contre "
            "presque aucune d’habitude, depuis le 22 févr. 11:00"
        )
        rows = dict(figures(silent, PARIS))
        assert rows["Niveau habituel"] == "presque aucune d’habitude" and "Rapport" not in rows


def test_shares_are_percentages_in_the_figures() -> None:
    with i18n.using("en"):
        assert figures(NEGATIVE, PARIS) == [
            ("Negative share", "80%"),
            ("Usual negative share", "about 60%"),
            ("Negative posts", "240 of 300"),
        ]
    with i18n.using("fr"):
        assert dict(figures(VIRAL, PARIS))["Engagement"] == (
            "1\u202f190 (800 j’aime, 300 partages, 80 réponses, 10 citations)"
        )


def test_short_cuts_at_a_word() -> None:
    assert short("a  b\nc", 10) == "a b c"
    assert short("one two three four five", 12) == "one two…"


def _event(hour: int, what: str, by: str | None = None, **detail: Any) -> dict[str, Any]:
    return {"at": AT + timedelta(hours=hour), "what": what, "by": by, "detail": detail}


def test_the_detectors_updates_fold_between_peoples_actions() -> None:
    newest_first = [
        _event(9, "updated", observed=0.7, expected=0.6),
        _event(8, "acked", "ana"),
        *[_event(h, "updated", observed=0.8, expected=0.6) for h in range(7, 0, -1)],
        _event(0, "opened", observed=0.75, expected=0.6),
    ]
    with i18n.using("en"):
        lines = log_lines(newest_first, "negative_surge", PARIS)
        assert [(line.by, line.text) for line in lines] == [
            (None, "updated: 70% negative against about 60% usually"),
            ("ana", "acknowledged"),
            (None, "updated the figures 7 times between 22 Feb 12:00 and 22 Feb 18:00; "
                   "latest: 80% negative against about 60% usually"),
            (None, "opened: 75% negative against about 60% usually"),
        ]  # fmt: skip
    with i18n.using("fr"):
        assert log_lines(newest_first, "negative_surge", PARIS)[2].text == (
            "chiffres mis à jour 7 fois entre le 22 févr. 12:00 et le 22 févr. 18:00 ; "
            f"derniers : 80{NBSP}% de négatif contre environ 60{NBSP}% d’habitude"
        )


def test_a_copied_statement_is_named_by_its_title() -> None:
    copied = _event(1, "statement_copied", "cyril", statement="delays", language="fr")
    muted = _event(1, "muted", "cyril", until=(AT + timedelta(hours=3)).isoformat())
    titles = {"delays": "Retards et annulations"}
    with i18n.using("fr"):
        (line,) = log_lines([copied], "volume_spike", PARIS, titles)
        assert line.text == "a copié « Retards et annulations » (FR)"
        assert log_lines([muted], "volume_spike", PARIS)[0].text == (
            "en sourdine jusqu’à 22 févr. 14:00"
        )
