"""A request's body is bounded before any route reads it: declared or counted as it arrives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from rumeur.web import body_limit
from rumeur.web.app import RequestLanguage
from rumeur.web.body_limit import COMPOSE_LIMIT, DEFAULT_LIMIT, BodyLimit, limit_for


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    # A bare ASGI app: in rumeur the limit sits inside FastAPI's error middleware, as here.
    body = await Request(scope, receive).body()
    await PlainTextResponse(str(len(body)))(scope, receive, send)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(body_limit, "DEFAULT_LIMIT", 1_000)
    # Not entered as a context: the bare app has no lifespan to start.
    return TestClient(RequestLanguage(BodyLimit(_echo), default="en"))


def _chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // 100):
        yield b"x" * 100


def test_a_body_within_the_limit_reaches_the_route(client: TestClient) -> None:
    assert client.post("/anything", content=b"x" * 1_000).text == "1000"
    assert client.post("/anything", content=_chunks(900)).text == "900"


def test_a_declared_length_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    response = client.post("/anything", content=b"x" * 1_001)
    assert response.status_code == 413
    assert response.text == "The request is too large: at most 1,000 bytes."


def test_a_streamed_body_is_cut_off_when_it_passes_the_limit(client: TestClient) -> None:
    response = client.post("/anything", content=_chunks(5_000))
    assert response.status_code == 413


def test_the_refusal_is_in_the_request_s_language(client: TestClient) -> None:
    response = client.post("/anything", content=b"x" * 2_000, headers={"Accept-Language": "fr"})
    assert response.status_code == 413
    assert response.text == "La requête est trop volumineuse : 1\u202f000 octets au plus."


def test_the_composer_has_room_for_four_images_and_nothing_else_does() -> None:
    assert limit_for("/w/laposte/compose") == COMPOSE_LIMIT > 4 * 8 * 1024 * 1024
    assert limit_for("/w/laposte/compose/check") == DEFAULT_LIMIT
    assert limit_for("/api/w/laposte/publish") == DEFAULT_LIMIT
