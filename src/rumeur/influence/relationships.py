"""The relationship file (docs/influence.md, "The relationship file"): a record per influencer,
ambassador, employee or loyal customer the team works with, its history and its reminders.

Every value is checked here, once, before the store sees it: a kind and a status from their
lists, an owner who is a rumeur user, an email and a phone of a plain shape, texts of a bounded
length without control characters. A refusal is one `PeopleError` line naming the field.

Personal data is kept minimal (a name only for someone without an account, an email, a phone,
the consent), exported whole by `export` and erased by `erase` for a GDPR request; the erasure
is logged and recorded without any of it. The person's public posts stay in the listening:
only the record that linked them to a person goes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.store import Store
from rumeur.store import relationships as rows
from rumeur.store.accounts import all_users
from rumeur.store.relationships import Person

log = structlog.get_logger(__name__)

KINDS = ("influencer", "ambassador", "employee", "customer")
STATUSES = ("spotted", "contacted", "partner", "ambassador", "paused")
# The statuses whose people the team owes news: reminded when not contacted for a while.
KEPT_UP = ("partner", "ambassador")
CONTACT_AGAIN_DAYS = 30  # the default of `[workspaces.influence] contact_again_days`
NOTE_LENGTH = 5000
NAME_LENGTH = 200
HOW_LENGTH = 200
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9 ().-]{6,31}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PeopleError(RumeurError):
    """A record cannot be found or changed as asked: the one line says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One line of a person's history: their post, the brand's reply, or the team's event."""

    at: datetime
    kind: str  # post, reply, created, note, status, owner, contact
    by: str | None  # the author of a post, the rumeur user of a reply or an event
    text: str | None
    value: str | None = None  # an event's new status or owner; a post's sentiment
    ref: int | None = None  # the post's id, the reply's conversation


@dataclass(frozen=True, slots=True)
class Due:
    person: Person
    last_contact: datetime | None  # None: never contacted since they entered the file


# Values, checked once ----------------------------------------------------------------------------


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise PeopleError(
            _("--kind {kind}: one of {known}").format(kind=kind, known=", ".join(KINDS))
        )
    return kind


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise PeopleError(
            _("--status {status}: one of {known}").format(status=status, known=", ".join(STATUSES))
        )
    return status


def check_owner(store: Store, owner: str | None) -> str | None:
    """The owner's name as stored, or None; a name no account has is refused."""
    if owner is None or not owner.strip():
        return None
    names = {row["name"].casefold(): row["name"] for row in all_users(store)}
    found = names.get(owner.strip().casefold())
    if found is None:
        raise PeopleError(_("--owner {owner}: no such user").format(owner=owner))
    return found


def user_names(store: Store) -> list[str]:
    """The names a record's owner may take: the rumeur users'."""
    return sorted((row["name"] for row in all_users(store)), key=str.casefold)


def check_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise PeopleError(_("--email: not an email address"))
    return email


def check_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    phone = phone.strip()
    if not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 6:
        raise PeopleError(_("--phone: not a phone number (digits, spaces, + - . ( ) only)"))
    return phone


def check_text(field: str, text: str | None, limit: int) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > limit:
        raise PeopleError(_("{field}: at most {limit} characters").format(field=field, limit=limit))
    if _CONTROL.search(text):
        raise PeopleError(_("{field}: holds a control character").format(field=field))
    return text


def split_author(store: Store, workspace: str, author: str) -> tuple[str, str]:
    """(platform, handle) of `author`, written `platform:handle`, or a handle (with or without
    its @) that one author of the workspace's listening has."""
    author = author.strip()
    platform, colon, handle = author.partition(":")
    if colon and platform and handle and " " not in platform:
        handle = check_text("AUTHOR", handle.removeprefix("@"), 255) or ""
        return platform.lower(), handle
    handle = author.removeprefix("@")
    found = rows.authors_named(store, workspace, handle) if handle else []
    if len(found) == 1:
        return found[0]
    if not found:
        raise PeopleError(
            _("{author}: no such author in the listening; write platform:handle").format(
                author=author
            )
        )
    raise PeopleError(
        _("{author}: several authors have this handle ({which}); write platform:handle").format(
            author=author, which=", ".join(f"{p}:{h}" for p, h in found)
        )
    )


# Finding and changing a record ---------------------------------------------------------------


def find(store: Store, workspace: str, who: str) -> Person:
    """The record named by its id, by `platform:handle` or by a handle."""
    who = who.strip()
    if who.isdigit():
        found = rows.person(store, workspace, int(who))
    else:
        platform, handle = split_author(store, workspace, who)
        found = rows.person_of(store, workspace, platform, handle)
    if found is None:
        raise PeopleError(
            _("{who}: not in the relationship file of {ws}").format(who=who, ws=workspace)
        )
    return found


def add_person(
    store: Store,
    workspace: str,
    author: str | None,
    *,
    name: str | None = None,
    kind: str = "influencer",
    status: str = "spotted",
    owner: str | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> tuple[Person, bool]:
    """The record of `author` (or of `name`, someone without an account), made when the file
    lacks it: (record, True when made now)."""
    values: dict[str, Any] = {
        "kind": check_kind(kind), "status": check_status(status),
        "owner": check_owner(store, owner), "name": check_text("--name", name, NAME_LENGTH),
        "platform": None, "handle": None,
    }  # fmt: skip
    if author:
        values["platform"], values["handle"] = split_author(store, workspace, author)
    elif values["name"] is None:
        raise PeopleError(_("give an author (platform:handle) or a --name"))
    try:
        return rows.add(store, workspace, values, by, now or _now()), True
    except rows.PersonExists as exists:
        return exists.person, False


def note(
    store: Store,
    workspace: str,
    person: Person,
    text: str,
    *,
    contact: bool = False,
    by: str | None = None,
    now: datetime | None = None,
) -> Person:
    """A timestamped note, signed; `contact` says it records a contact (a call, a message)."""
    words = check_text(_("the note"), text, NOTE_LENGTH)
    if words is None:
        raise PeopleError(_("a note needs some text"))
    kind = "contact" if contact else "note"
    return rows.change(
        store, workspace, person.id, {}, [(kind, None, words)], by, now or _now(), contact
    )


def update(
    store: Store,
    workspace: str,
    person: Person,
    *,
    status: str | None = None,
    owner: str | None = None,
    kind: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> Person:
    """Change what is given; a status or owner change is an event of the history, and moving
    someone to `contacted` counts as a contact."""
    values: dict[str, Any] = {}
    events: list[tuple[str, str | None, str | None]] = []
    if status is not None and check_status(status) != person.status:
        values["status"] = status
        events.append(("status", status, None))
    if owner is not None:
        chosen = check_owner(store, owner)
        if chosen != person.owner:
            values["owner"] = chosen
            events.append(("owner", chosen, None))
    if kind is not None:
        values["kind"] = check_kind(kind)
    if email is not None:
        values["email"] = check_email(email)
    if phone is not None:
        values["phone"] = check_phone(phone)
    contact = values.get("status") == "contacted"
    return rows.change(store, workspace, person.id, values, events, by, now or _now(), contact)


def consent(
    store: Store,
    workspace: str,
    person: Person,
    given: bool,
    how: str | None,
    *,
    by: str | None = None,
    now: datetime | None = None,
) -> Person:
    """Record that the person gave (or withdrew) their consent, when and how."""
    at = now or _now()
    values = {
        "consent": given,
        "consent_at": at,
        "consent_how": check_text("--how", how, HOW_LENGTH),
    }
    event = ("consent", "given" if given else "withdrawn", None)
    return rows.change(store, workspace, person.id, values, [event], by, at)


# Reading ---------------------------------------------------------------------------------------


def contact_again_days(ws: Workspace) -> int:
    """After how many days without contact a partner is listed to contact again."""
    return ws.influence.contact_again_days


def listed(store: Store, workspace: str, status: str | None = None) -> list[Person]:
    """The workspace's records (of one status), by status then handle or name."""
    return rows.listed(store, workspace, None if status is None else check_status(status))


def history(store: Store, workspace: str, person: Person, limit: int = 50) -> list[HistoryItem]:
    """Every interaction, newest first: the person's posts in the listening, the brand's
    replies to them from the inbox, and the team's notes, status changes and contacts."""
    items = [
        HistoryItem(e.at, e.kind, e.by, e.text, e.value) for e in rows.events(store, person.id)
    ]
    if person.platform and person.handle:
        for post in rows.author_posts(store, workspace, person.platform, person.handle, limit):
            items.append(
                HistoryItem(
                    post.created_at, "post", person.handle, post.text, post.sentiment, post.id
                )
            )
        for reply in rows.replies_to(store, workspace, person.platform, person.handle, limit):
            items.append(
                HistoryItem(
                    reply.at,
                    "reply",
                    reply.author,
                    reply.text,
                    reply.account,
                    reply.conversation_id,
                )
            )
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def last_contacts(store: Store, workspace: str, people: list[Person]) -> dict[int, datetime | None]:
    """Each person's last contact: the later of the team's last recorded contact and the
    brand's last reply to them in the inbox."""
    keys = [(p.platform, p.handle) for p in people if p.platform and p.handle]
    replied = rows.last_replies(store, workspace, keys)  # type: ignore[arg-type]
    found: dict[int, datetime | None] = {}
    for p in people:
        times = [t for t in (p.last_contact_at, replied.get((p.platform, p.handle))) if t]  # type: ignore[arg-type]
        found[p.id] = max(times) if times else None
    return found


def due(
    store: Store, workspace: str, days: int = CONTACT_AGAIN_DAYS, now: datetime | None = None
) -> list[Due]:
    """The partners and ambassadors not contacted for `days` days (or never, once in the file
    that long): to contact again, the longest waiting first."""
    limit = (now or _now()) - timedelta(days=days)
    kept = [p for status in KEPT_UP for p in rows.listed(store, workspace, status)]
    contacts = last_contacts(store, workspace, kept)
    waiting = [Due(p, contacts[p.id]) for p in kept if (contacts[p.id] or p.created_at) <= limit]
    return sorted(waiting, key=lambda d: (d.last_contact or d.person.created_at, d.person.id))


LIST_FIELDS = (
    "id", "author", "platform", "handle", "name", "kind", "status", "owner", "last_contact",
    "due",
)  # fmt: skip


def list_json(person: Person, last_contact: datetime | None, is_due: bool) -> dict[str, Any]:
    """A record as `rumeur people list --json` and the API's list give it (`LIST_FIELDS`):
    no contact field, which only the record itself shows."""
    values = {
        "id": person.id, "author": who(person) if person.handle else None,
        "platform": person.platform, "handle": person.handle, "name": person.name,
        "kind": person.kind, "status": person.status, "owner": person.owner,
        "last_contact": _json(last_contact), "due": is_due,
    }  # fmt: skip
    return {key: values[key] for key in LIST_FIELDS}


def record_json(person: Person) -> dict[str, Any]:
    """The record's fields as JSON values (times in UTC ISO 8601)."""
    return {key: _json(value) for key, value in asdict(person).items()}


def export(store: Store, workspace: str, person: Person) -> dict[str, Any]:
    """Everything the file holds about the person, for a GDPR access request: the record,
    its history (the team's events, the brand's replies, their posts in the listening)."""
    return {
        "person": record_json(person),
        "history": [
            {key: _json(value) for key, value in asdict(item).items()}
            for item in history(store, workspace, person, limit=10_000)
        ],
    }


def erase(
    store: Store,
    workspace: str,
    person: Person,
    *,
    by: str | None = None,
    now: datetime | None = None,
) -> None:
    """Erase the record, its notes, events and contact fields for a GDPR request. The posts
    stay in the listening; the erasure is logged and kept without any personal data."""
    if not rows.erase(store, workspace, person.id, by, now or _now()):
        raise PeopleError(
            _("{who}: not in the relationship file of {ws}").format(who=person.id, ws=workspace)
        )
    log.info("person erased", workspace=workspace, person_id=person.id, by=by)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _now() -> datetime:
    return datetime.now(UTC)


# Words for people ------------------------------------------------------------------------------


def status_word(status: str) -> str:
    words = {
        "spotted": _("spotted"), "contacted": _("contacted"), "partner": _("partner"),
        "ambassador": _("ambassador"), "paused": _("paused"),
    }  # fmt: skip
    return words.get(status, status)


def kind_word(kind: str) -> str:
    words = {
        "influencer": _("influencer"), "ambassador": _("ambassador"), "employee": _("employee"),
        "customer": _("loyal customer"),
    }  # fmt: skip
    return words.get(kind, kind)


def event_word(kind: str) -> str:
    """What a line of the history is, for people."""
    words = {
        "post": _("their post"), "reply": _("our reply"), "created": _("added to the file"),
        "note": _("note"), "status": _("status"), "owner": _("owner"), "contact": _("contact"),
        "consent": _("consent"),
    }  # fmt: skip
    return words.get(kind, kind)


def value_word(kind: str, value: str | None) -> str:
    """An event's value for people: a status by its name, a consent given or withdrawn."""
    if value is None:
        return ""
    if kind in ("created", "status"):
        return status_word(value)
    if kind == "consent":
        return _("given") if value == "given" else _("withdrawn")
    return value


def who(person: Person) -> str:
    """How the person is named: platform:handle, else their name."""
    if person.platform and person.handle:
        return f"{person.platform}:{person.handle}"
    return person.name or f"#{person.id}"
