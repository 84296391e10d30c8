"""Slack's incoming webhooks: a `text` fallback (notifications, old clients) and Block Kit
`blocks`. Strangers' text goes into mrkdwn with `&`, `<` and `>` escaped, as Slack asks: without
it, `<!channel>` would ping everyone and `<https://evil|your bank>` would be a disguised link.
Slack has no idempotency header; `deliver` never sends a delivered revision twice."""

from __future__ import annotations

from typing import Any

import httpx

from rumeur.alerts.notify.http import json_body, post
from rumeur.alerts.notify.message import (
    MAX_POST_CHARS,
    AlertMessage,
    is_web_url,
    one_line,
)
from rumeur.settings.notify import SlackTarget

MAX_HEADER = 150  # Slack refuses a header block's plain text beyond 150 characters
MAX_SECTION = 3000  # and a section's text beyond 3,000


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """`<url|label>`, or the escaped URL as text when it is not http(s). `|` and `>` in the URL
    are percent-encoded, as they would end the link early."""
    if not is_web_url(url):
        return escape(one_line(url))
    safe = escape(url).replace("|", "%7C").replace(" ", "%20")
    return f"<{safe}|{escape(label)}>"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]}}


def _posts(message: AlertMessage) -> str:
    lines = [f"*{escape(message.label('posts'))}*"]
    for text, url in message.top_posts:
        lines.append(f"• {escape(one_line(text, MAX_POST_CHARS))} {link(url, '↗')}")
    return "\n".join(lines)


def blocks(message: AlertMessage) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": message.heading()[:MAX_HEADER]},
        },
        _section(f"{escape(one_line(message.summary))}\n{escape(message.figures())}"),
    ]
    if message.top_posts:
        out.append(_section(_posts(message)))
    facts = [
        f"*{escape(message.label(key))}:* {escape(', '.join(map(one_line, values)))}"
        for key, values in (("terms", message.top_terms), ("authors", message.top_authors))
        if values
    ]
    if facts:
        out.append(_section("\n".join(facts)))
    if message.url and is_web_url(message.url):
        out.append(_section(link(message.url, message.label("open"))))
    return out


def payload(message: AlertMessage) -> dict[str, Any]:
    # The fallback, shown in notifications, is read as mrkdwn too: escaped the same way.
    fallback = f"{message.heading()} — {one_line(message.summary)}"
    return {"text": escape(fallback)[:MAX_SECTION], "blocks": blocks(message)}


def send(message: AlertMessage, target: SlackTarget, client: httpx.Client) -> None:
    post("slack", target.resolve_url(), json_body(payload(message)), client)
