"""`AlertMessage`: what every channel says about one alert, and its plain-text, HTML and JSON
renderings.

An alert that grows is sent again with a higher `revision`; `idempotency_key` names one
revision, so a receiver that sees the same key twice knows it is a resend. An escalation (the
same revision, sent to the escalation targets) has `escalated` set, and every rendering's
heading starts with `Escalated: ` (`Escalade : `, from the catalogue). Post texts, terms
and author names come from strangers: the HTML rendering escapes every one of them, and each
chat format escapes them in its own way (slack.py, mattermost.py, teams.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from rumeur.alerts.kinds import KINDS
from rumeur.alerts.kinds import label as kind_label
from rumeur.alerts.sentences import in_short
from rumeur.i18n import _, pgettext, using

AlertKind = str  # one of rumeur.alerts.kinds.KINDS, where each kind is named


def _words() -> dict[str, str]:
    """The few words the channels add around an alert, in the current language (the message's:
    `AlertMessage.label` reads them inside `i18n.using(language)`)."""
    return {
        "posts": _("Top posts"),
        "terms": _("Top terms"),
        # The web's "Top authors" (its leaders) reads otherwise in French: a context apart.
        "authors": pgettext("alert", "Top authors"),
        "open": _("Open the crisis room"),
    }


MAX_POST_CHARS = 280  # a chat line, not an essay: the crisis room shows the whole post


@dataclass(frozen=True, slots=True)
class AlertMessage:
    alert_id: int
    revision: int
    kind: AlertKind
    workspace: str
    subject: str  # the brand, saved query or `post:PLATFORM:ID` the alert is about (a code)
    title: str  # what it is about, for people: a brand, a viral post's author and text
    summary: str  # why it fired, one sentence (alerts/sentences.py)
    observed: float
    expected: float
    started_at: datetime  # aware, UTC
    updated_at: datetime  # aware, UTC
    top_posts: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    top_terms: list[str] = field(default_factory=list)
    top_authors: list[str] = field(default_factory=list)
    url: str | None = None  # the crisis room
    language: str = "fr"
    # Sent to the escalation targets because nobody acknowledged the alert in time.
    escalated: bool = False

    def __post_init__(self) -> None:
        for name in ("started_at", "updated_at"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"AlertMessage.{name} must be an aware datetime")

    @property
    def idempotency_key(self) -> str:
        return f"rumeur-alert-{self.alert_id}-{self.revision}"

    def label(self, key: str) -> str:
        """A word around the alert (posts, terms, authors, open) in the message's language."""
        with using(self.language):
            return _words()[key]

    def heading(self) -> str:
        """`[Volume spike] title`, plus `(update 2)` once the alert has grown, after
        `Escalated: ` when it is sent to the escalation targets."""
        with using(self.language):
            head = f"[{kind_label(self.kind)}] {one_line(self.title)}"
            if self.revision > 1:
                head += " " + _("(update {revision})").format(revision=self.revision)
            if not self.escalated:
                return head
            return _("Escalated: {heading}").format(heading=head)

    def figures(self) -> str:
        """The latest figures in short (`80% negative against about 60% usually`), in the
        message's language; empty for a message that is no alert (a settings test)."""
        if self.kind not in KINDS:
            return ""
        with using(self.language):
            return in_short(self.kind, self.observed, self.expected)

    def as_dict(self) -> dict[str, Any]:
        """The whole alert as JSON-ready data (the generic webhook's body)."""
        return {
            "id": self.alert_id,
            "revision": self.revision,
            "idempotency_key": self.idempotency_key,
            "kind": self.kind,
            "workspace": self.workspace,
            "subject": self.subject,
            "title": self.title,
            "summary": self.summary,
            "observed": self.observed,
            "expected": self.expected,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "top_posts": [{"text": text, "url": url} for text, url in self.top_posts],
            "top_terms": list(self.top_terms),
            "top_authors": list(self.top_authors),
            "url": self.url,
            "language": self.language,
            "escalated": self.escalated,
        }


def one_line(text: str, limit: int | None = None) -> str:
    """Whitespace, newlines included, folded to single spaces: a stranger's line breaks must not
    start a heading, a list or a header of their own. Cut at `limit` characters."""
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def is_web_url(url: str) -> bool:
    """Only http(s) links are shown as links: a stranger's `javascript:` stays text."""
    return url.startswith(("https://", "http://"))


def render_text(message: AlertMessage) -> str:
    """The plain-text rendering (the email's text part, and the chat formats' fallback)."""
    lines = [message.heading(), one_line(message.summary)]
    lines += [message.figures()] if message.figures() else []
    if message.top_posts:
        lines += ["", f"{message.label('posts')}:"]
        lines += [f"- {one_line(t, MAX_POST_CHARS)} {one_line(u)}" for t, u in message.top_posts]
    if message.top_terms:
        lines += ["", f"{message.label('terms')}: {', '.join(map(one_line, message.top_terms))}"]
    if message.top_authors:
        authors = ", ".join(map(one_line, message.top_authors))
        lines += ["", f"{message.label('authors')}: {authors}"]
    if message.url:
        lines += ["", f"{message.label('open')}: {message.url}"]
    return "\n".join(lines) + "\n"


def render_html(message: AlertMessage) -> str:
    """The email's HTML part. Every value is escaped by markupsafe: only the tags written here
    are markup."""
    parts = [
        Markup("<h2>{}</h2>").format(message.heading()),
        Markup("<p>{}</p>").format(one_line(message.summary)),
    ]
    if message.figures():
        parts.append(Markup("<p>{}</p>").format(message.figures()))
    if message.top_posts:
        items = Markup("").join(_html_post(text, url) for text, url in message.top_posts)
        parts.append(Markup("<h3>{}</h3><ul>{}</ul>").format(message.label("posts"), items))
    for key, values in (("terms", message.top_terms), ("authors", message.top_authors)):
        if values:
            shown = ", ".join(one_line(v) for v in values)
            parts.append(Markup("<p><strong>{}:</strong> {}</p>").format(message.label(key), shown))
    if message.url and is_web_url(message.url):
        parts.append(
            Markup('<p><a href="{}">{}</a></p>').format(message.url, message.label("open"))
        )
    body = Markup("\n").join(parts)
    return str(
        Markup('<!DOCTYPE html>\n<html lang="{}"><body>\n{}\n</body></html>\n').format(
            message.language, body
        )
    )


def _html_post(text: str, url: str) -> Markup:
    shown = one_line(text, MAX_POST_CHARS)
    if is_web_url(url):
        return Markup('<li>{} <a href="{}">↗</a></li>').format(shown, url)
    return Markup("<li>{} {}</li>").format(shown, escape(url))
