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


def _crash_holding(secret: str) -> None:
    held = {"token": secret}  # a frame variable, as a `Viewer` holds its session token
    raise RuntimeError(f"failed with {len(held)} item")


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_logged_traceback_shows_the_code_but_never_a_frame_s_variables(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure(level="WARNING", fmt=fmt)
    try:
        try:
            _crash_holding("-".join(["planted", "session", "value", "51"]))
        except RuntimeError:
            structlog.get_logger("test").exception("request failed")
        err = capsys.readouterr().err
    finally:
        structlog.reset_defaults()
    assert "planted-session-value-51" not in err
    assert "_crash_holding" in err and "RuntimeError: failed with 1 item" in err


def test_a_traceback_s_message_is_redacted_like_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure(level="WARNING", fmt="console")
    try:
        try:
            raise ValueError("cannot reach postgresql://rumeur:pw-in-url@db/prod")
        except ValueError:
            structlog.get_logger("test").exception("failed")
        err = capsys.readouterr().err
    finally:
        structlog.reset_defaults()
    assert "pw-in-url" not in err
    assert "postgresql://rumeur:[redacted]@db/prod" in err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "https://hooks.slack.com/services/T0AAA/B0BBB/xoxSECRETxox",
            "https://hooks.slack.com/[redacted]",
        ),
        (
            "https://chat.example/hooks/k3j4h5g6f7d8s9a0q1w2e3r4t5",
            "https://chat.example/hooks/[redacted]",
        ),
        (
            "/feeds/private/sk_live_4eC39HqLyjWDarjtT1zdp7dc/rss timed out",
            "/feeds/private/[redacted]/rss timed out",
        ),
        (
            "https://blog.example/feed/550e8400-e29b-41d4-a716-446655440000",
            "https://blog.example/feed/[redacted]",
        ),
        (
            "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/x",
            "https://[redacted]@github.com/x",
        ),
        ("Viewer(csrf='abc', token='def')", "Viewer(csrf=[redacted], token=[redacted])"),
        ('{"password": "hunter2"}', '{"password": "[redacted]"}'),
        # what is not a secret stays: ids, dated slugs, file paths, a user name in a URL
        ("x:569587140490866689", "x:569587140490866689"),
        (
            "/2015/02/22/delayed-flights-at-the-airport",
            "/2015/02/22/delayed-flights-at-the-airport",
        ),
        (
            "postgresql+psycopg://postgres@127.0.0.1:5432/rumeur",
            "postgresql+psycopg://postgres@127.0.0.1:5432/rumeur",
        ),
        (
            "/work/main/.venv/lib/python3.11/site-packages/starlette/routing.py",
            "/work/main/.venv/lib/python3.11/site-packages/starlette/routing.py",
        ),
    ],
)
def test_redact_text_hides_secret_looking_url_parts_and_keeps_the_rest(
    text: str, shown: str
) -> None:
    assert logs.redact_text(text) == shown
    assert logs.redact_url(text) == shown


def test_a_viewer_s_repr_holds_neither_its_session_token_nor_its_form_token() -> None:
    from rumeur.web.auth import Viewer

    shown = repr(Viewer(None, "en", "form-token-value", "session-token-value"))  # type: ignore[arg-type]
    assert "form-token-value" not in shown and "session-token-value" not in shown
    assert "language='en'" in shown


def test_the_web_app_configures_logging_when_the_program_did_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rumeur.config import load_settings
    from rumeur.store import Store
    from rumeur.web.app import create_app

    structlog.reset_defaults()  # structlog's own defaults: Rich tracebacks with their locals
    store = Store.open(str(tmp_path / "w.db"))
    try:
        create_app(load_settings(), store)
        assert structlog.is_configured()
        renderer = structlog.get_config()["processors"][-1]
        assert logs.exception_processor in structlog.get_config()["processors"]
        assert getattr(renderer, "exception_formatter", logs._plain) is logs._plain
    finally:
        store.close()
        structlog.reset_defaults()
