"""Saved templates (docs/publish.md, "Templates"): a message kept by name, to start from, in one
of the dialogue formats of the brief's community managers:

- `message`: a plain message (a newsjacking post, a teaser);
- `poll`: a question with 2 to 4 answers, a Mastodon poll where the network has one; elsewhere
  the answers are counted from the replies that name them;
- `battle`: two products, the customers vote: a Mastodon poll of the two, and elsewhere the
  votes counted from the replies naming A or B;
- `question`: an open question, whose answers are gathered from the replies and counted.

A template is read once, here, at the boundary (`read_template`), and starting from one gives a
message in the file's format (`message_of`), which the composer, `rumeur publish FILE` (its
`template` key) and the API then expand and check as any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rumeur.i18n import _
from rumeur.publishing.spec import POLL_EXPIRES, SpecError, _poll, _string
from rumeur.store import publish_templates as rows
from rumeur.store.publish_templates import StoredTemplate
from rumeur.store.store import Store

KINDS = ("message", "poll", "battle", "question")
NAME = re.compile(r"^[\w][\w .'-]{0,63}$")
TEMPLATE_KEYS = frozenset({"name", "kind", "text", "options", "expires_in", "type"})
TEXT_LENGTH = 10_000


class TemplateError(SpecError):
    """A template that cannot be read or found: one line naming the field (a message naming
    a template that does not exist is refused as a message that does not read)."""


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    kind: str
    text: str
    options: tuple[str, ...] = ()  # a poll's answers, a battle's two products
    expires_in: int = POLL_EXPIRES
    content_type: str | None = None

    def body(self) -> dict[str, Any]:
        return {"text": self.text, "options": list(self.options),
                "expires_in": self.expires_in, "type": self.content_type}  # fmt: skip


def read_template(data: Any) -> Template:
    """A template from its JSON (the composer's form, the API); TemplateError otherwise."""
    if not isinstance(data, Mapping):
        raise TemplateError(_("a template is a JSON object"))
    unknown = sorted(set(data) - TEMPLATE_KEYS)
    if unknown:
        raise TemplateError(_("template: unknown key {key!r}").format(key=unknown[0]))
    name = data.get("name")
    if not isinstance(name, str) or not NAME.match(name.strip()):
        raise TemplateError(_("name: 1 to 64 letters, digits, spaces, - or _"))
    kind = data.get("kind") or "message"
    if kind not in KINDS:
        raise TemplateError(_("kind: one of {kinds}").format(kinds=", ".join(KINDS)))
    try:
        text = _string(data.get("text"), "text", required=True, limit=TEXT_LENGTH)
        content_type = _string(data.get("type"), "type", limit=64) or None
        options, expires = _options(kind, data)
    except SpecError as exc:
        raise TemplateError(str(exc)) from None
    return Template(name.strip(), kind, text, options, expires, content_type or _type(kind))


def _options(kind: str, data: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    raw = [o for o in data.get("options") or [] if not (isinstance(o, str) and not o.strip())]
    if kind in ("message", "question"):
        if raw:
            raise TemplateError(_("options: a {kind} has none").format(kind=kind))
        return (), POLL_EXPIRES
    poll = _poll({"options": raw or [""], "expires_in": data.get("expires_in", POLL_EXPIRES)},
                 "options")  # fmt: skip
    wanted = (2, 2) if kind == "battle" else (2, 4)
    if not wanted[0] <= len(poll["options"]) <= wanted[1]:
        line = (_("options: a battle names two products") if kind == "battle"
                else _("options: a poll has 2 to 4 answers"))  # fmt: skip
        raise TemplateError(line)
    return tuple(o.strip() for o in poll["options"]), poll["expires_in"]


def _type(kind: str) -> str | None:
    """The content type a format tags its messages with (the results per type)."""
    return None if kind == "message" else kind


def message_of(template: Template, accounts: list[str], at: str) -> dict[str, Any]:
    """A message in the file's format, started from `template`: its text, content type and,
    for a poll or a battle, the poll Mastodon shows (the other networks show the text)."""
    message: dict[str, Any] = {"text": template.text, "accounts": accounts, "at": at,
                               "template": template.name}  # fmt: skip
    if template.content_type:
        message["type"] = template.content_type
    if template.options:
        message["poll"] = {"options": list(template.options), "expires_in": template.expires_in}
    return message


def of_stored(stored: StoredTemplate) -> Template:
    body = stored.body
    return Template(
        stored.name, stored.kind, str(body.get("text") or ""),
        tuple(str(o) for o in body.get("options") or ()),
        int(body.get("expires_in") or POLL_EXPIRES), body.get("type") or None,
    )  # fmt: skip


def save(store: Store, workspace: str, template: Template, author: str | None,
         now: datetime) -> Template:  # fmt: skip
    stored = rows.save(store, workspace, template.name, template.kind, template.body(), author,
                       now)  # fmt: skip
    return of_stored(stored)


def find(store: Store, workspace: str, name: str) -> Template:
    stored = rows.find(store, workspace, name)
    if stored is None:
        raise TemplateError(_("no template named {name!r} in this workspace").format(name=name))
    return of_stored(stored)


def listed(store: Store, workspace: str) -> list[Template]:
    return [of_stored(s) for s in rows.listed(store, workspace)]


def started_from(store: Store, workspace: str, data: Any) -> Any:
    """A message of a file or a request with its `template` filled in: what the message does
    not say (its text, its type, its poll) is the stored template's. A message without a
    `template`, or that is not an object, is given back as it is (spec.read judges it)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("template"), str):
        return data
    template = find(store, workspace, data["template"])
    base = message_of(template, [], "")
    return {k: v for k, v in base.items() if k not in ("accounts", "at")} | dict(data)
