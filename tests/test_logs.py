"""Tokens, passwords and cookies are redacted by the logger itself."""

from __future__ import annotations

import json

import pytest
import structlog

from rumeur import logs


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]):
    logs.configure(level="DEBUG", fmt="json")
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    structlog.reset_defaults()


def test_secret_fields_and_secrets_inside_text_never_reach_the_log(json_logs) -> None:
    log = structlog.get_logger("test")
    log.info(
        "connecting to postgresql://rumeur:s3cr3t@db.local/prod with Bearer abc.DEF-123",
        access_token="tok-123",
        headers={"Authorization": "Bearer xyz", "Accept": "json"},
        url="https://api.example/?q=edf&access_token=leaked&page=2",
        app_password="hunter2",
        session_cookie="sid=42",
    )
    [event] = json_logs()
    flat = json.dumps(event)
    for secret in ("s3cr3t", "abc.DEF-123", "tok-123", "xyz", "leaked", "hunter2", "sid=42"):
        assert secret not in flat
    assert event["access_token"] == "[redacted]"
    assert event["headers"] == {"Authorization": "[redacted]", "Accept": "json"}
    assert event["url"] == "https://api.example/?q=edf&access_token=[redacted]&page=2"
    assert "postgresql://rumeur:[redacted]@db.local/prod" in event["event"]
    assert event["level"] == "info"


def test_the_level_filters(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(level="WARNING", fmt="json")
    try:
        structlog.get_logger("test").info("quiet")
        structlog.get_logger("test").warning("loud")
        lines = [json.loads(x)["event"] for x in capsys.readouterr().err.splitlines()]
    finally:
        structlog.reset_defaults()
    assert lines == ["loud"]
