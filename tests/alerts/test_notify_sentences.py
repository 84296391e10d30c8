"""A notification says what the pages say (alerts/sentences.py), in the workspace's language: a
viral post by its author and text, never by its `post:x:` id; a share as a percentage; the
time zone of its times."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from rumeur.alerts.dispatch import build_message
from rumeur.alerts.notify import render_html, render_text
from rumeur.config import Workspace, load_settings

AT = datetime(2015, 2, 23, 18, 30, tzinfo=UTC)
TEXT = "STOP. USING.THIS.WORD. IF. YOU'RE. A. COMPANY. <b>RT</b> @JetBlue: Our fleet's on fleek."


def _workspace(locale: str) -> Workspace:
    ws = load_settings().workspace()
    return ws.model_copy(update={"locale": locale, "timezone": "Europe/Paris"})


def _row(kind: str, subject: str, observed: float, expected: float, **why: object) -> object:
    return SimpleNamespace(
        id=19, revision=3, kind=kind, subject=subject, observed=observed, expected=expected,
        started_at=AT, updated_at=AT, explanation=why,
    )  # fmt: skip


VIRAL = _row(
    "viral_post", "post:x:569927288751587328", 62.0, 1.0, ratio=62.0,
    posts=[{"id": 5, "text": TEXT, "engagement": 31}], authors=["TatianaKing"],
)  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "heading", "summary"),
    [
        ("en", "[Viral post] @TatianaKing: “STOP. USING.THIS.WORD. IF. YOU'RE. A. COMPANY. "
         "<b>RT</b> @JetBlue: Our fleet's…” (update 3)",
         "A post by @TatianaKing is gathering engagement 62 times faster than a usual post "
         "(62 an hour against about 1), since 23 Feb 19:30: “STOP. USING.THIS.WORD. IF. YOU'RE. "
         "A. COMPANY. <b>RT</b> @JetBlue: Our fleet's…” (times in Europe/Paris)"),
        ("fr", "[Publication virale] @TatianaKing : « STOP. USING.THIS.WORD. IF. YOU'RE. A. "
         "COMPANY. <b>RT</b> @JetBlue: Our fleet's… » (mise à jour 3)",
         "Une publication de @TatianaKing suscite de l’engagement 62 fois plus vite qu’une "
         "publication habituelle (62 par heure contre environ 1), depuis le 23 févr. 19:30 : "
         "« STOP. USING.THIS.WORD. IF. YOU'RE. A. COMPANY. <b>RT</b> @JetBlue: Our fleet's… » "
         "(heures de Europe/Paris)"),
    ],
)  # fmt: skip
def test_a_viral_post_is_told_by_its_author_and_text(
    locale: str, heading: str, summary: str
) -> None:
    message = build_message(VIRAL, _workspace(locale))
    assert message.heading() == heading
    assert message.summary == summary
    for rendered in (render_text(message), render_html(message)):
        assert "post:x:" not in rendered and "viral_post" not in rendered
    assert "&lt;b&gt;RT&lt;/b&gt;" in render_html(message) and "<b>RT" not in render_html(message)


def test_a_negative_surge_is_told_in_percentages() -> None:
    row = _row("negative_surge", "Delta", 0.65, 0.45, window_posts=200, negative=130)
    text = render_text(build_message(row, _workspace("en")))
    assert text.splitlines()[:3] == [
        "[Negative surge] Delta (update 3)",
        "Posts about Delta are 65% negative against about 45% usually (130 of 200 posts), "
        "since 23 Feb 19:30 (times in Europe/Paris)",
        "65% negative against about 45% usually",
    ]
