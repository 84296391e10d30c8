"""Small builders of posts for store and pipeline tests."""

from __future__ import annotations

from datetime import UTC, datetime

from rumeur.model import Author, Label, Metrics, Post


def make_post(
    native_id: str = "1",
    text: str = "Bonjour @laposte, mon colis est perdu",
    *,
    platform: str = "x",
    handle: str = "alice",
    when: datetime = datetime(2015, 2, 22, 14, 30, tzinfo=UTC),
    likes: int = 0,
    reposts: int = 0,
    brands: list[str] | None = None,
    sentiment: str | None = None,
    language: str | None = None,
) -> Post:
    return Post(
        platform=platform,
        native_id=native_id,
        text=text,
        created_at=when,
        author=Author(handle=handle),
        metrics=Metrics(likes=likes, reposts=reposts),
        brands=list(brands or []),
        labels=[Label("sentiment", sentiment)] if sentiment else [],
        language=language,
        raw={"id": native_id},
    )
