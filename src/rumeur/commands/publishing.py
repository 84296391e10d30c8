"""`rumeur publish FILE|list|approve|reject|edit|lock|answers` (docs/publish.md): schedule the
messages of a JSON file, list the items, approve, reject or edit one, lock a master text, count
a published item's answers.

`publish FILE` reads every message of the file first (one object or a list): a file that does
not read is refused whole, with one line naming the message and the key, and nothing is
scheduled. Then each message is expanded, checked and stored (publishing/schedule.py): one line
per item created, and one per account refused, naming it and the rule; the others are
scheduled all the same. It ends non-zero when one was refused. Scheduling the same file again
makes nothing new: the items it made already are listed as such.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rumeur.commands.inboxing import _known_user
from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing import answers, approvals, templates
from rumeur.publishing import calendar as planning
from rumeur.publishing import schedule as scheduling
from rumeur.publishing.approvals import status_word
from rumeur.publishing.lookups import Lookups
from rumeur.publishing.spec import Spec, SpecError, printable, read, written
from rumeur.store import Store
from rumeur.store import publishing as rows
from rumeur.store.publishing import Item

Start = Callable[[Any], Any]  # a message started from its template (publishing/templates.py)
MAX_FILE = 50 * 1024 * 1024  # a file of messages, not a data set


def _who(store: Store, as_user: str | None) -> tuple[str | None, str | None]:
    if as_user is None:
        return None, None
    found = _known_user(store, as_user)
    return found.name, found.role.value


def read_file(path: Path, zone: str, start: Start | None = None) -> list[Spec]:
    """Every message of the file, read (each started from its `template` by `start`, when
    given); SpecError with one line at the first that does not."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise SpecError(_("{path}: larger than 50 MB").format(path=path))
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: {exc.strerror or type(exc).__name__}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SpecError(_("{path}: not JSON ({error})").format(path=path, error=exc)) from None
    messages = data if isinstance(data, list) else [data]
    if not messages:
        raise SpecError(_("{path}: no message").format(path=path))
    start = start or (lambda m: m)
    return [read(start(m), zone, f"{path.name}[{i}]") for i, m in enumerate(messages)]


def publish_file(store: Store, ws: Workspace, path: Path, as_user: str | None) -> int:
    """Schedule the file's messages; how many accounts were refused."""
    specs = read_file(path, ws.timezone, lambda m: templates.started_from(store, ws.slug, m))
    author, role = _who(store, as_user)
    lookups = Lookups(ws.sources, ws.owned_accounts)
    refused = 0
    for spec in specs:
        outcome = scheduling.schedule(
            store, ws, spec, datetime.now(UTC), author=author, role=role,
            resolve=lookups.resolve, limit=lookups.limit,
        )  # fmt: skip
        for item in outcome.created:
            print(printable(_("item {id}: {line}").format(id=item.id, line=item_line(item))))
        for item in outcome.existing:
            line = _("item {id}: {line} (scheduled before)")
            print(printable(line.format(id=item.id, line=item_line(item))))
        for variant in outcome.refused:
            print(printable(_("refused: {line}").format(line=variant.line)))
        for warning in planning.schedule_warnings(store, ws, outcome.created):
            print(printable(_("warning: {line}").format(line=warning)))
        refused += len(outcome.refused)
    return refused


def item_line(item: Item) -> str:
    at = written(item.at, item.timezone).isoformat(timespec="minutes")
    return f"{item.account} ({item.platform}) {at} {status_word(item.status)}"


def print_items(store: Store, ws: Workspace, as_json: bool) -> None:
    found = scheduling.items_of(store, ws)
    waiting = approvals.list_approvals(store, ws, found)
    if as_json:
        for item in found:
            row = scheduling.item_json(item, waiting.get(item.id))
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not found:
        print(_("no item: rumeur publish FILE schedules some"))
        return
    for item in found:
        native = f" {item.native_id}" if item.native_id else ""
        error = f" — {item.error}" if item.error else ""
        step = waiting.get(item.id)
        awaited = "" if step is None else " — " + _waiting(step)
        print(printable(f"{item.id}  {item_line(item)}{native}{error}{awaited}"))


def _waiting(approval: dict[str, object]) -> str:
    names = approval["waiting"]
    return _("step {step} of {steps}: waiting for {names}").format(
        step=approval["step"], steps=approval["steps"],
        names=", ".join(names) if isinstance(names, list) and names else "-",
    )  # fmt: skip


def approve(store: Store, ws: Workspace, item_id: int, as_user: str | None) -> None:
    """Record the user's approval of the item's current step; say what remains."""
    name, role = _who(store, as_user)
    decided = approvals.decide(store, ws, item_id, name, role, datetime.now(UTC))
    print(printable(decided.line))


def reject(store: Store, ws: Workspace, item_id: int, as_user: str | None, reason: str) -> None:
    """Send the item back to draft with `reason`."""
    if not reason.strip():
        raise RumeurError(_("--reason: say why it is rejected"))
    name, role = _who(store, as_user)
    decided = approvals.decide(store, ws, item_id, name, role, datetime.now(UTC), reason=reason)
    print(printable(decided.line))


def edit(
    store: Store,
    ws: Workspace,
    item_id: int,
    as_user: str | None,
    text: str | None,
    values: list[str],
) -> None:
    """A variant's new text or variables' values, checked, in a new round of approvals."""
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise RumeurError(_("--set {value}: write NAME=VALUE").format(value=printable(value)))
        pairs[key.strip()] = rest
    if text is None and not pairs:
        raise RumeurError(_("nothing to change: give --text or --set NAME=VALUE"))
    name, role = _who(store, as_user)
    lookups = Lookups(ws.sources, ws.owned_accounts)
    item = approvals.edit(
        store, ws, item_id, name, role, datetime.now(UTC), text=text, values=pairs,
        resolve=lookups.resolve, limit=lookups.limit,
    )  # fmt: skip
    print(printable(_("item {id}: {line}").format(id=item.id, line=item_line(item))))


def lock(store: Store, ws: Workspace, item_id: int, as_user: str | None, locked: bool) -> None:
    name, role = _who(store, as_user)
    message = approvals.lock(store, ws, item_id, name, role, locked)
    line = _("message {id}: master text locked") if locked else _("message {id}: unlocked")
    print(line.format(id=message))


def move(store: Store, ws: Workspace, item_id: int, at: str, as_user: str | None) -> None:
    """Move the item to `at` by the calendar's rules (publishing/calendar.py: who may, what may
    still move, not into the past); print it and the quota windows its new time goes over."""
    name, role = _who(store, as_user)
    when = planning.target(store, ws, item_id, at.strip()[:40], "")
    moved = planning.move(store, ws, item_id, when, name, role, datetime.now(UTC))
    print(printable(_("item {id}: {line}").format(id=moved.item.id, line=item_line(moved.item))))
    for warning in moved.warnings:
        print(printable(_("warning: {line}").format(line=warning)))


def print_answers(store: Store, ws: Workspace, item_id: int, as_json: bool) -> None:
    """The item's replies counted (publishing/answers.py): one line per answer, or JSON."""
    item = approvals.found_item(store, ws, item_id)
    found = answers.answers(store, item, rows.message(store, item.message_id))
    if as_json:
        sys.stdout.write(json.dumps({"id": item.id} | found.as_json(), ensure_ascii=False) + "\n")
        return
    if not item.native_id:
        print(_("item {id} is {status}: it has no replies yet").format(
            id=item.id, status=status_word(item.status)))  # fmt: skip
        return
    print(_("item {id}: {n} replies").format(id=item.id, n=found.replies))
    for answer, count in found.counts:
        print(printable(f"{count:>6}  {answer}"))
    if found.others:
        print(_("{n:>6}  other answers").format(n=found.others))
    if found.unclear:
        print(_("{n:>6}  unclear (no answer named, or several)").format(n=found.unclear))
