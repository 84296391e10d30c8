"""A crisis room's holding statement published to the workspace's owned accounts in two clicks
(docs/alerts.md, "Publishing a holding statement"): `preview` shows each account's variant
checked against its network's rules, `publish` schedules them at once, pre-approved.

The items' moment is the minute the preview was shown, carried by its form: an item's key is
fixed from its account, time and text (store/publishing.py), so the same form sent twice (a
double click, a reload) finds the items of the first time instead of making new ones. A preview
older than `PREVIEW_AGE` is refused, so that nothing goes out of a moment the sender would
already call late.

The statement was approved when it was written into the settings: its items skip their
workflow, and the approvals log names the statement as their approver (store/preapproved.py);
the item's author is who clicked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rumeur.config import HoldingStatement, Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing import facets
from rumeur.publishing.expand import Limit, Variant, account_name, expand
from rumeur.publishing.schedule import Outcome, schedule
from rumeur.publishing.spec import Spec
from rumeur.store import publishing as rows
from rumeur.store.preapproved import preapprove
from rumeur.store.store import Store

LANGUAGES = ("fr", "en")
PREVIEW_AGE = timedelta(minutes=10)
AHEAD = timedelta(minutes=1)  # a clock a little ahead of the server's is not a forgery
CONTENT_TYPE = "holding"  # the results page's content type of these items


class HoldingError(RumeurError):
    """A statement that cannot be published from this form: one line."""


def approver(statement: HoldingStatement) -> str:
    """How the approvals log names a statement."""
    return f"statement:{statement.slug}"


def minute_of(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(second=0, microsecond=0)


def spec_of(ws: Workspace, statement: HoldingStatement, language: str, at: datetime) -> Spec:
    """The statement in `language` as one message to every owned account, at `at`. Its title
    (in the same language) is what Reddit needs as a title."""
    text = statement.text_fr if language == "fr" else statement.text_en
    return Spec(
        text=text,
        accounts=tuple(account_name(a) for a in ws.owned_accounts),
        at=at,
        timezone=ws.timezone,
        fields={"title": statement.title_in(language)},
        content_type=CONTENT_TYPE,
        template=approver(statement),
    )


def preview(
    ws: Workspace,
    statement: HoldingStatement,
    language: str,
    at: datetime,
    *,
    resolve: facets.Resolver | None = None,
    limit: Limit | None = None,
) -> list[Variant]:
    """Each owned account's variant of the statement, or why its network would refuse it."""
    return expand(spec_of(ws, statement, language, at), ws.owned_accounts, resolve=resolve,
                  limit=limit)  # fmt: skip


def read_minute(value: str, now: datetime) -> datetime:
    """The preview's minute its form carries, if it is a recent one; HoldingError otherwise."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None or at != minute_of(at):
        raise HoldingError(_("This form does not come from the crisis room: open it again."))
    if not now - PREVIEW_AGE <= at <= now + AHEAD:
        raise HoldingError(
            _("This preview is more than {minutes} minutes old: open it again.").format(
                minutes=int(PREVIEW_AGE.total_seconds() // 60)
            )
        )
    return at


def publish(
    store: Store,
    ws: Workspace,
    statement: HoldingStatement,
    language: str,
    at: datetime,
    now: datetime,
    *,
    author: str,
    role: str,
    resolve: facets.Resolver | None = None,
    limit: Limit | None = None,
) -> Outcome:
    """The statement's items scheduled at `at` (the preview's minute), pre-approved."""
    spec = spec_of(ws, statement, language, at)
    # `at` is behind `now` by the preview's age, which `read_minute` bounds: schedule's own
    # check of a passed moment is asked at `at` so that it does not refuse it again.
    outcome = schedule(store, ws, spec, at, author=author, role=role, resolve=resolve,
                       limit=limit)  # fmt: skip
    if outcome.created:
        preapprove(store, [item.id for item in outcome.created], approver(statement), now)
        fresh = (rows.item(store, item.id) for item in outcome.created)
        outcome.created = [item for item in fresh if item is not None]
    return outcome
