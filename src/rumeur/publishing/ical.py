"""A team's publishing calendar as an iCalendar feed (RFC 5545; docs/publish.md, "The
iCalendar feed"), for the calendar apps that subscribe to an address.

One VEVENT per item: its UID names the item and the workspace, so that it is the same event
from one read to the next however the item moves; DTSTART is in UTC (a calendar app shows it in
its own zone, daylight saving included); the SUMMARY and DESCRIPTION are text values escaped as
section 3.3.11 says (backslash, comma, semicolon, newline); every content line is folded at 75
octets of UTF-8 (section 3.1), never inside a character; lines end with CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from rumeur.i18n import _
from rumeur.model import platform_name
from rumeur.publishing.approvals import status_word
from rumeur.store.publishing import Item

LINE_OCTETS = 75
DURATION = timedelta(minutes=15)  # an item is a moment; calendar apps want a span to draw
SUMMARY_CHARS = 80
STATUS = {  # RFC 5545 3.8.1.11: an event's own status
    "draft": "TENTATIVE", "pending_approval": "TENTATIVE", "scheduled": "CONFIRMED",
    "sending": "CONFIRMED", "published": "CONFIRMED", "unknown": "CONFIRMED",
    "failed": "CANCELLED", "late": "CANCELLED",
}  # fmt: skip


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): `\\`, `;`, `,` escaped, newlines as `\\n`; the other
    control characters, which no TEXT may hold, dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\n", "\\n")
    return "".join(c for c in text if c == "\t" or (ord(c) >= 0x20 and ord(c) != 0x7F))


def fold(line: str) -> str:
    """A content line folded at 75 octets: CRLF and a space before each further part, cut
    between characters only (a continuation's space counts in its 75)."""
    parts: list[str] = []
    current, size, limit = [], 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def summary(item: Item) -> str:
    """`[scheduled] lyon (Bluesky): the text's first 80 characters…`."""
    words = " ".join(item.text.split())
    short = words if len(words) <= SUMMARY_CHARS else words[: SUMMARY_CHARS - 1] + "…"
    return f"[{status_word(item.status)}] {item.account} ({platform_name(item.platform)}): {short}"


def description(item: Item) -> str:
    lines = [item.text, "", _("Status: {status}").format(status=status_word(item.status))]
    if item.error:
        lines.append(_("Reason: {reason}").format(reason=item.error))
    if item.native_url:
        lines.append(item.native_url)
    return "\n".join(lines)


def event(item: Item, host: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:item-{item.id}@{host}",
        f"DTSTAMP:{stamp(item.updated_at)}",
        f"LAST-MODIFIED:{stamp(item.updated_at)}",
        f"DTSTART:{stamp(item.at)}",
        f"DTEND:{stamp(item.at + DURATION)}",
        f"SUMMARY:{escape(summary(item))}",
        f"DESCRIPTION:{escape(description(item))}",
        f"STATUS:{STATUS.get(item.status, 'CONFIRMED')}",
        f"CATEGORIES:{escape(item.platform)}",
    ]
    if item.native_url and item.native_url.startswith(("https://", "http://")):
        lines.append(f"URL:{item.native_url}")
    return [*lines, "END:VEVENT"]


def feed(items: Iterable[Item], *, workspace: str, name: str, team: str) -> str:
    """The VCALENDAR of `items`: a text of CRLF-ended, folded lines."""
    host = f"{workspace}.rumeur"
    title = f"{name} · {team}" if team else name
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//rumeur//publishing calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(title)}",
    ]
    for item in items:
        lines += event(item, host)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
