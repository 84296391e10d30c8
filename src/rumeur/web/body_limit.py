"""A ceiling on what one request may send: a body over it is refused with 413 before it is
read further, so no form or upload can fill the disk or the memory.

Starlette reads a whole form (and spools its files to disk) before a route runs, so a route
cannot protect itself: the limit has to sit in front of it. The composer's form carries up to
four images, so its path gets room for them; every other request is bounded much lower."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rumeur.i18n import _, number

MIB = 1024 * 1024
# Far above any settings form, API batch or 120-variant message the app takes today.
DEFAULT_LIMIT = 8 * MIB
# Four images at Mastodon's 8 MiB each, and the form's fields beside them.
COMPOSE_LIMIT = 4 * 8 * MIB + MIB
LARGER = ((re.compile(r"^/w/[^/]+/compose$"), COMPOSE_LIMIT),)


class TooLarge(Exception):
    """The body went past the limit while it was being read."""


def limit_for(path: str) -> int:
    for pattern, limit in LARGER:
        if pattern.match(path):
            return limit
    return DEFAULT_LIMIT


def _declared(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


@dataclass
class _Counted:
    """The request's receive, counting the body's bytes against the limit."""

    receive: Receive
    limit: int
    seen: int = field(default=0)

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                raise TooLarge
        return message


class BodyLimit:
    """Refuses a request whose body is larger than its path allows (declared or counted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = _declared(scope)
        if declared is not None and declared > limit:
            await _refuse(limit)(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _Counted(receive, limit), watched)
        except TooLarge:
            if started:
                raise
            await _refuse(limit)(scope, receive, send)


def _refuse(limit: int) -> PlainTextResponse:
    if limit >= MIB:
        text = _("The request is too large: at most {size} MiB.").format(size=number(limit // MIB))
    else:
        text = _("The request is too large: at most {size} bytes.").format(size=number(limit))
    return PlainTextResponse(text, status_code=413, headers={"Connection": "close"})
