"""Mattermost's incoming webhooks: one Markdown `text`, and optionally the `username` and
`icon_url` the post is shown under. Strangers' text has every Markdown character escaped with a
backslash, its line breaks folded, and its `@` mentions broken by a word joiner, so that a post
reading `@channel` or `@all` cannot ping the whole channel. Mattermost has no idempotency header;
`deliver` never sends a delivered revision twice."""

from __future__ import annotations

import re
from typing import Any

import httpx

from rumeur.alerts.notify.http import json_body, post
from rumeur.alerts.notify.message import MAX_POST_CHARS, AlertMessage, is_web_url, one_line
from rumeur.settings.notify import MattermostTarget

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:])")
WORD_JOINER = "\u2060"  # invisible, and it stops `@all` from being read as a mention
MAX_TEXT = 16383  # Mattermost's limit for a post's message


def escape(text: str) -> str:
    flat = _MARKDOWN.sub(r"\\\1", one_line(text))
    return flat.replace("@", "@" + WORD_JOINER)


def link(url: str, label: str) -> str:
    if not is_web_url(url):
        return escape(url)
    # Parentheses, spaces and angle brackets would end a Markdown link's target early.
    safe = (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
    )
    return f"[{escape(label)}]({safe})"


def markdown(message: AlertMessage) -> str:
    lines = [
        f"#### {escape(message.heading())}",
        escape(message.summary),
        escape(message.figures()),
    ]
    if message.top_posts:
        lines += ["", f"**{escape(message.label('posts'))}**"]
        lines += [
            f"- {escape(one_line(text, MAX_POST_CHARS))} {link(url, '↗')}"
            for text, url in message.top_posts
        ]
    for key, values in (("terms", message.top_terms), ("authors", message.top_authors)):
        if values:
            lines += ["", f"**{escape(message.label(key))}:** {', '.join(map(escape, values))}"]
    if message.url and is_web_url(message.url):
        lines += ["", link(message.url, message.label("open"))]
    return "\n".join(lines)[:MAX_TEXT]


def payload(message: AlertMessage, target: MattermostTarget) -> dict[str, Any]:
    out: dict[str, Any] = {"text": markdown(message)}
    if target.username:
        out["username"] = target.username
    if target.icon_url:
        out["icon_url"] = target.icon_url
    return out


def send(message: AlertMessage, target: MattermostTarget, client: httpx.Client) -> None:
    post("mattermost", target.resolve_url(), json_body(payload(message, target)), client)
