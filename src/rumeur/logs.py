"""Structured logging. Secrets are redacted by the logger itself, never by hand at call sites."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = re.compile(
    r"token|password|passwd|secret|cookie|authorization|api_?key|session", re.I
)
# Secrets that hide inside free text: URL credentials, bearer tokens, key=value pairs.
SECRET_PATTERNS = [
    (re.compile(r"(\w+://[^:/@\s]+:)[^@\s]+@"), r"\1[redacted]@"),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.I), r"\1[redacted]"),
    (
        re.compile(r"\b((?:access_|refresh_)?token|password|secret|api_?key)=([^&\s]+)", re.I),
        r"\1=[redacted]",
    ),
]
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact(value: Any, key: str = "") -> Any:
    if key and SECRET_KEYS.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v) for v in value)
    return value


def redact_processor(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    return {k: _redact(v, k) if k != "event" else redact_text(str(v)) for k, v in event.items()}


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # sys.stderr is looked up when a logger is made, not when logging is configured, so that a
    # test's or a server's replacement of it is honoured.
    return structlog.PrintLogger(sys.stderr)


def configure(level: str | None = None, fmt: str | None = None) -> None:
    """Log to stderr; `RUMEUR_LOG_LEVEL` (default WARNING), `RUMEUR_LOG_FORMAT` (console|json)."""
    level = (level or os.environ.get("RUMEUR_LOG_LEVEL") or "WARNING").upper()
    fmt = fmt or os.environ.get("RUMEUR_LOG_FORMAT") or "console"
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level, logging.WARNING)
        ),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
