"""The notifications page's "Send a test": one real message to one saved target, through the
notifiers' own `deliver` (the same channels, signature, headers and errors as an alert), tried
once, its outcome in one line. The line names the target and, on failure, the channel and host
of the error (`NotifyError` never holds a URL's path nor a password); never a secret."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from rumeur.alerts.notify.deliver import deliver
from rumeur.alerts.notify.http import host_of
from rumeur.alerts.notify.message import AlertMessage
from rumeur.config import Workspace
from rumeur.i18n import _, using
from rumeur.settings.notify import EmailTarget, Target

TEST_KIND = "test"  # the JSON body's `kind`: a receiver can tell a test from an alert


@dataclass(frozen=True, slots=True)
class TestMessage(AlertMessage):
    """A message that is no alert: its idempotency key is new at every test, so a receiver
    that drops resends does not drop the second test."""

    nonce: str = ""

    @property
    def idempotency_key(self) -> str:
        return f"rumeur-test-{self.nonce}"


@dataclass(frozen=True, slots=True)
class TestOutcome:
    target: str
    delivered: bool
    line: str  # one line, in the reader's language


def message(ws: Workspace, author: str, now: datetime) -> TestMessage:
    """The test, in the workspace's language (the one its alerts are sent in)."""
    with using(ws.locale):
        title = _("Test message from rumeur for {workspace}").format(workspace=ws.name)
        summary = _(
            "{user} sent this test from the settings: alerts of this workspace reach you here."
        ).format(user=author)
    return TestMessage(
        alert_id=0,
        revision=1,
        kind=TEST_KIND,
        workspace=ws.slug,
        subject=ws.brand.name,
        title=title,
        summary=summary,
        observed=0,
        expected=0,
        started_at=now,
        updated_at=now,
        language=ws.locale,
        nonce=secrets.token_hex(8),
    )


def send_test(
    ws: Workspace, target: Target, author: str, now: datetime | None = None
) -> TestOutcome:
    """One try, no retry: the admin reads the answer now and tries again if they wish."""
    sent = message(ws, author, now or datetime.now(UTC))
    outcome = deliver(sent, [target], attempts=1)[0]
    if outcome.status == "delivered":
        line = _("Test sent to {target}: it was accepted.").format(target=target.name)
        return TestOutcome(target.name, True, line)
    line = _("Test to {target} failed: {error}").format(
        target=target.name, error=outcome.error or outcome.status
    )
    return TestOutcome(target.name, False, line)


def host_of_target(target: Target) -> str | None:
    """What the page shows of a target's address written in the settings: its host only (a
    chat webhook's path is its secret); None when the address is read from a variable or a
    file, or the target is an email's."""
    if isinstance(target, EmailTarget):
        return None
    url = getattr(target, "url", None)
    return host_of(url) if url else None
