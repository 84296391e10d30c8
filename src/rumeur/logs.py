"""Structured logging. Secrets are redacted by the logger itself, never by hand at call sites,
and a traceback is written without the values of its frames' variables (a `Viewer` holding a
session token, a form's password): only its lines of code and its message, redacted too."""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

SECRET_KEYS = re.compile(
    r"token|password|passwd|secret|cookie|authorization|api_?key|session", re.I
)
REDACTED = "[redacted]"
_NAMES = (
    r"(?:\w*_)?(?:token|password|passwd|pwd|secret|signature|sig|api_?key|apikey|key|auth|csrf)"
)
# A path segment that looks like a token: a run of 16 letters and digits mixing both, a UUID,
# or a known token prefix. Only inside a path (after a "/"), so that ids in prose stay.
_SEGMENT = re.compile(r"(?<=/)[\w~.+=-]{16,}(?=[/?#@\s\"'<>),;]|$)")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9]{16,}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_PREFIXES = ("rmr_", "sk_", "pk_", "ghp_", "gho_", "github_pat_", "xoxb-", "xoxp-", "glpat-")
# Secrets that hide inside free text: URL credentials, bearer tokens, key=value pairs, the
# secret paths of known webhook shapes.
SECRET_PATTERNS = [
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.I), rf"\1{REDACTED}@"),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.I), rf"\1{REDACTED}"),
    (
        re.compile(rf"\b({_NAMES})=('[^']*'|\"[^\"]*\"|[^&\s#\"',)]+)", re.I),
        rf"\1={REDACTED}",
    ),
    (
        re.compile(
            r"\b(authorization|cookie|set-cookie|x-api-key|password|passwd|secret|api_?key)"
            r"(\"?\s*:\s*\"?)(?!\[redacted\])[^\"\s,}]+",
            re.I,
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(hooks\.slack\.com/)[^\s\"'<>]+", re.I), rf"\1{REDACTED}"),
    (
        re.compile(r"(/(?:hooks|webhooks|webhookb2|workflows|triggers)/)[^\s\"'<>?#]+", re.I),
        rf"\1{REDACTED}",
    ),
]


def _looks_secret(segment: str) -> bool:
    if segment.lower().startswith(_PREFIXES) or _UUID.search(segment):
        return True
    return any(
        any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
        for run in _TOKEN_RUN.findall(segment)
    )


def redact_text(text: str) -> str:
    """`text` with every secret it may hold replaced by `[redacted]`: the one redaction applied
    to logs, to the errors rumeur prints and to the errors it stores."""
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return _SEGMENT.sub(lambda m: REDACTED if _looks_secret(m.group()) else m.group(), text)


def redact_url(url: str) -> str:
    """A URL as it may be shown: no password, no token in its query or path."""
    return redact_text(url)


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


def plain_traceback(exc_info: Any) -> str:
    """The traceback as Python prints it: code and message, never a frame's local variables
    (structlog's default, Rich's, shows them, and they hold session tokens and passwords)."""
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    elif not isinstance(exc_info, tuple):
        exc_info = sys.exc_info()
    if exc_info[0] is None:
        return ""
    return "".join(traceback.format_exception(*exc_info)).rstrip("\n")


def exception_processor(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """Turns `exc_info` into an `exception` text before redaction, so that a traceback is
    redacted like everything else and no renderer can format it with locals."""
    exc_info = event.pop("exc_info", None)
    if exc_info:
        text = plain_traceback(exc_info)
        if text:
            event["exception"] = text
    return event


def _plain(sio: TextIO, exc_info: Any) -> None:
    sio.write("\n" + redact_text(plain_traceback(exc_info)))


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # sys.stderr is looked up when a logger is made, not when logging is configured, so that a
    # test's or a server's replacement of it is honoured.
    return structlog.PrintLogger(sys.stderr)


def configure(
    level: str | None = None, fmt: str | None = None, stream: TextIO | None = None
) -> None:
    """Log to stderr (or `stream`); `RUMEUR_LOG_LEVEL` (default WARNING), `RUMEUR_LOG_FORMAT`
    (console|json)."""
    level = (level or os.environ.get("RUMEUR_LOG_LEVEL") or "WARNING").upper()
    fmt = fmt or os.environ.get("RUMEUR_LOG_FORMAT") or "console"
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=_plain)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            exception_processor,
            redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level, logging.WARNING)
        ),
        logger_factory=_stderr_logger if stream is None else structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def ensure_configured() -> None:
    """Configure logging unless the program already did: structlog's own defaults print
    tracebacks with their frames' variables."""
    if not structlog.is_configured():
        configure()
