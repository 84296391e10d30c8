"""Microsoft Teams' incoming webhooks (and Power Automate "Workflows" webhooks): a message with
one Adaptive Card attachment. Teams reads a TextBlock's text as Markdown, so strangers' text
goes into RichTextBlock TextRuns instead, which are never parsed: a post's `[click](...)` stays
those characters. Teams has no idempotency header; `deliver` never sends a delivered revision
twice."""

from __future__ import annotations

from typing import Any

import httpx

from rumeur.alerts.notify.http import json_body, post
from rumeur.alerts.notify.message import MAX_POST_CHARS, AlertMessage, is_web_url, one_line
from rumeur.settings.notify import TeamsTarget

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"  # what Teams' webhooks render everywhere, mobile included


def plain(text: str, **style: Any) -> dict[str, Any]:
    """A block of text that Teams shows as is, without reading Markdown in it."""
    return {
        "type": "RichTextBlock",
        "inlines": [{"type": "TextRun", "text": text, **style}],
    }


def _posts(message: AlertMessage) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [plain(message.label("posts"), weight="Bolder")]
    for text, url in message.top_posts:
        run: dict[str, Any] = {"type": "TextRun", "text": "• " + one_line(text, MAX_POST_CHARS)}
        inlines = [run]
        if is_web_url(url):
            # A TextRun's selectAction opens the post; its URL is shown by Teams on hover.
            inlines.append(
                {
                    "type": "TextRun",
                    "text": " ↗",
                    "selectAction": {"type": "Action.OpenUrl", "url": url},
                }
            )
        out.append({"type": "RichTextBlock", "inlines": inlines})
    return out


def card(message: AlertMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        plain(message.heading(), size="Large", weight="Bolder"),
        plain(one_line(message.summary)),
        plain(message.figures(), isSubtle=True),
    ]
    if message.top_posts:
        body += _posts(message)
    for key, values in (("terms", message.top_terms), ("authors", message.top_authors)):
        if values:
            body.append(plain(f"{message.label(key)}: {', '.join(map(one_line, values))}"))
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }
    if message.url and is_web_url(message.url):
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": message.label("open"), "url": message.url}
        ]
    return content


def payload(message: AlertMessage) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card(message)}],
    }


def send(message: AlertMessage, target: TeamsTarget, client: httpx.Client) -> None:
    post("teams", target.resolve_url(), json_body(payload(message)), client)
