"""The sender: it drains the outbox so that every reply is sent once (docs/inbox.md, "Sending").

One pass (`Sender.once`):

1. **Take over** the rows that a dead sender had claimed. A sender's id is `host:pid:random`;
   a claimer on this host whose process is gone is dead at once, any other (on another host,
   whose process cannot be checked from here, or a pid that another process reuses) once its
   oldest claim is older than `lease`.
   Its rows may have left: they become `unknown`.
2. **Reconcile** the unknown rows by reading the network (`Replier.find`): found, the reply is
   recorded as sent; not there, it is queued again. Never sent again blindly. A row that was
   never prepared cannot have left, and is queued again at once.
3. **Drain** the due rows (`store.inbox.claim_due`): before the first try, the network's guard
   is chosen and committed (`Replier.prepare`: a Bluesky record key); before any retry, the
   network is read first (`Replier.find`: Bluesky's getRecord, Reddit's own comments, Mastodon's
   same Idempotency-Key). Then one try (`Replier.send`), and its outcome recorded:

   - sent: `record_sent` with the network's id;
   - refused for good (a 4xx): `failed`, with one line;
   - worth another try (unreachable, 429): queued again at a time the `RetryPolicy`'s backoff
     (or the rate limit's reset) gives, `failed` after `retry.attempts` tries;
   - the answer lost (`Lost`: cut or timed out after the request left, a 5xx): `unknown`;
   - the credentials refused (`AuthError`, or none to read): that account's sending stops
     with one line on its queued rows ("token expired: reconnect piaille"); its replies stay
     queued, the other accounts go on.

Scheduled posts (docs/publish.md, "Sending") go the same way: each pass first puts the
publishing items that are due into the outbox (`store.outbox_posts.queue_post`), or flags them
`late` when their time is more than their account's `late_after` past; the drain sends them with
the replies, through each network's poster (`sources/<network>/post.py`), and a post that
could only go out late (its tries failed until then, and the network does not hold it) is
flagged late instead of sent. The item follows its outbox row's state.

`Sender.run` repeats the pass every `every` seconds until its `stop` event is set, and stops
between two replies, never between a try and its record.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from rumeur.errors import ConfigError, RumeurError
from rumeur.i18n import _
from rumeur.net.errors import AuthError, Lost, RateLimited, SourceError
from rumeur.net.retry import RetryPolicy
from rumeur.sources.context import SourceContext
from rumeur.sources.reply import Replier, Sent
from rumeur.store.inbox import (
    OutboxRow,
    claim_due,
    claimers,
    conversation,
    give_back,
    hold_account,
    mark_unknown,
    outbox_in,
    prepare_request,
    record_failed,
    record_sent,
    take_over,
)
from rumeur.store.outbox_posts import due_items, fail_posts_of, flag_late, queue_post
from rumeur.store.publishing import Item
from rumeur.store.store import Store

if TYPE_CHECKING:
    from rumeur.config import Workspace

log = structlog.get_logger(__name__)
Account = tuple[str, str, str]  # (workspace, platform, account handle)
LEASE = timedelta(minutes=10)  # a claimer on another host is presumed dead after this
LATE_AFTER = timedelta(minutes=15)  # a post this far past its time is flagged, not sent
# How late a post of (workspace, platform, account handle) may go out.
LateAfter = Callable[[str, str, str], timedelta]
BATCH = 20  # rows claimed at a time


def sender_id() -> str:
    """`host:pid:random`: the host and process say whether the claimer still lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def claimer_alive(claimer: str, host: str | None = None) -> bool | None:
    """Whether the sender `claimer` still runs: True or False when it ran on this host, None
    when this cannot be told from here (another host, or an id of another form)."""
    name, _sep, rest = claimer.partition(":")
    pid_text = rest.partition(":")[0]
    if name != (host or socket.gethostname()) or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return None
    return True


@dataclass(slots=True)
class Report:
    """What a pass did; `held` maps an account to the line that stopped it."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0
    taken_over: int = 0
    late: int = 0
    held: dict[Account, str] = field(default_factory=dict)

    def add(self, other: Report) -> None:
        self.sent += other.sent
        self.late += other.late
        self.failed += other.failed
        self.retried += other.retried
        self.unknown += other.unknown
        self.taken_over += other.taken_over
        self.held |= other.held


# (what happened: sent, failed, retry, unknown, held, taken, late; the row; one line)
# (a post flagged late before it reached the outbox is given as its publishing Item)
OnEvent = Callable[[str, "OutboxRow | Item", str], None]


class Sender:
    def __init__(
        self,
        store: Store,
        repliers: Callable[[OutboxRow], Replier],
        *,
        workspaces: Sequence[str] | None = None,
        sender: str | None = None,
        retry: RetryPolicy | None = None,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        now: Callable[[], datetime] | None = None,
        on_event: OnEvent | None = None,
        late_after: LateAfter | None = None,
    ) -> None:
        self.store = store
        self.repliers = repliers
        self.workspaces = list(workspaces) if workspaces is not None else None
        self.id = sender or sender_id()
        self.retry = retry or RetryPolicy(attempts=8, base=5.0, cap=900.0)
        self.lease = lease
        self.batch = batch
        self.now = now or (lambda: datetime.now(UTC))
        self.on_event = on_event
        self.late_after: LateAfter = late_after or getattr(
            repliers, "late_after", lambda *_: LATE_AFTER
        )
        self.held: dict[Account, str] = {}
        self.stop = threading.Event()

    def close(self) -> None:
        """Close the repliers' connections (when `repliers` has a `close`)."""
        close = getattr(self.repliers, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- passes ------------------------------------------------------------------------------

    def once(self) -> Report:
        """Take over, reconcile, drain; then reconcile and drain once more what the first
        round left unknown (a lost answer is read back before the command ends)."""
        report = Report()
        report.taken_over = self.take_over_dead()
        self.schedule(report)
        self.reconcile(report)
        self.drain(report)
        if report.unknown and not self.stop.is_set():
            self.reconcile(report)
            self.drain(report)
        report.held = dict(self.held)
        return report

    def run(self, every: float = 5.0) -> Report:
        """Passes every `every` seconds until `stop` is set."""
        total = Report()
        while not self.stop.is_set():
            total.add(self.once())
            self.stop.wait(every)
        return total

    # -- scheduled posts ---------------------------------------------------------------------

    def schedule(self, report: Report) -> None:
        """Put the publishing items that are due into the outbox; flag late those whose time
        is more than their account's delay past (never sent out of their moment)."""
        while not self.stop.is_set():
            now = self.now()
            due = due_items(self.store, now, self.workspaces, limit=self.batch * 10)
            for item in due:
                late = self._late(item.workspace, item.platform, item.handle, item.at, now)
                if late is not None:
                    if flag_late(self.store, item.id, late, now):
                        report.late += 1
                        self._event("late", item, late)
                else:
                    queue_post(self.store, item, now)
            if len(due) < self.batch * 10:
                return

    def _late(
        self, workspace: str, platform: str, handle: str, at: datetime, now: datetime
    ) -> str | None:
        """The reason a post scheduled `at` may no longer go out, or None while it may."""
        allowed = self.late_after(workspace, platform, handle.lstrip("@"))
        if now - at <= allowed:
            return None
        minutes = int((now - at).total_seconds() // 60)
        return _("late: {minutes} min past its time, more than the {allowed} min allowed").format(
            minutes=minutes, allowed=int(allowed.total_seconds() // 60)
        )

    def _late_row(self, row: OutboxRow, report: Report) -> bool:
        """A post's row whose time is too far past: flagged late (the caller knows the network
        does not hold it); whether it was."""
        post = row.request.get("post")
        if row.item_id is None or not isinstance(post, dict):
            return False
        at = datetime.fromisoformat(str(post.get("at")))
        late = self._late(row.workspace, row.platform, row.account, at, self.now())
        if late is None:
            return False
        record_failed(self.store, row.id, late, self.now(), permanent=True, late=True)
        report.late += 1
        self._event("late", row, late)
        return True

    # -- take-over and reconciliation -------------------------------------------------------

    def take_over_dead(self) -> int:
        """Claim the rows of the senders that are gone, as unknown; how many."""
        now = self.now()
        count = 0
        for claimer, oldest in claimers(self.store).items():
            if claimer == self.id:
                continue
            # A claim older than the lease is stale whoever holds it: a live sender gives its
            # rows back within seconds, and a pid reused by another process must not keep the
            # rows claimed for ever.
            stale = oldest is not None and now - oldest >= self.lease
            if not stale and claimer_alive(claimer) is not False:
                continue
            for row in take_over(self.store, claimer, self.id, now):
                line = _("taken over from {sender}, which stopped while sending it").format(
                    sender=claimer
                )
                if not row.request.get("prepared"):
                    # Nothing leaves before the row is prepared: it is simply due again.
                    record_failed(self.store, row.id, line, now, permanent=False)
                else:
                    mark_unknown(self.store, row.id, line, now)
                count += 1
                self._event("taken", row, line)
        return count

    def reconcile(self, report: Report) -> None:
        """Read the network for each unknown row: sent when found, queued again when not."""
        rows = [r for r in self._unknown_rows() if self._account(r) not in self.held]
        for row in rows:
            if self.stop.is_set():
                return
            now = self.now()
            if not row.request.get("prepared"):
                record_failed(self.store, row.id, row.error or "", now, permanent=False)
                continue
            try:
                found = self._replier(row).find(row)
            except AuthError as exc:
                self._hold(row, exc, report)
                continue
            except (SourceError, RumeurError) as exc:
                self._event("unknown", row, _line(exc))
                continue  # still unknown: read again on the next pass
            except Exception as exc:  # a bug or a malformed answer: still unknown
                log.exception("reading the network failed unexpectedly", row=row.id)
                self._event("unknown", row, f"{type(exc).__name__}: {_line(exc)}")
                continue
            if found is not None:
                self._sent(row, found, report)
            else:
                line = _("not found on the network: it will be sent again")
                record_failed(self.store, row.id, line, now, permanent=False)
                self._event("retry", row, line)

    def _unknown_rows(self) -> Iterable[OutboxRow]:
        if self.workspaces is None:
            return outbox_in(self.store, "unknown")
        return [r for ws in self.workspaces for r in outbox_in(self.store, "unknown", ws)]

    # -- the drain ---------------------------------------------------------------------------

    def drain(self, report: Report) -> None:
        """Send every due row, a batch at a time, until none is due."""
        while not self.stop.is_set():
            exclude = [(platform, account) for _ws, platform, account in self.held]
            rows = claim_due(self.store, self.id, self.batch, self.now(), exclude, self.workspaces)
            if not rows:
                return
            for row in rows:
                if self.stop.is_set() or self._account(row) in self.held:
                    # Not tried: given back at once, due again.
                    why = self.held.get(self._account(row))
                    give_back(self.store, row.id, self.id, self.now(), why)
                    continue
                self.send_row(row, report)

    def send_row(self, row: OutboxRow, report: Report) -> None:
        """One claimed row: prepared (once), read back if it is a retry, tried, recorded."""
        try:
            replier = self._replier(row)
            if not row.request.get("prepared"):
                if self._late_row(row, report):
                    return  # nothing of it ever left
                prepared = self._prepare(replier, row)
                if prepared is None:
                    return  # no longer ours
                row = prepared
            elif row.attempts > 1:
                found = replier.find(row)
                if found is not None:
                    self._sent(row, found, report)
                    return
                if self._late_row(row, report):
                    return  # the network does not hold it, and its moment has gone
            elif self._late_row(row, report):
                return  # prepared, never tried
            sent = replier.send(row)
        except Lost as exc:
            line = _line(exc)
            mark_unknown(self.store, row.id, line, self.now())
            report.unknown += 1
            self._event("unknown", row, line)
            return
        except AuthError as exc:
            self._hold(row, exc, report)
            return
        except SourceError as exc:
            self._failed(row, exc, report)
            return
        except RumeurError as exc:  # no credentials to read: like a refused token
            self._hold(row, exc, report)
            return
        except Exception as exc:  # a bug or a malformed answer: it may have left
            log.exception("sending failed unexpectedly", row=row.id)
            line = f"{type(exc).__name__}: {_line(exc)}"
            mark_unknown(self.store, row.id, line, self.now())
            report.unknown += 1
            self._event("unknown", row, line)
            return
        self._sent(row, sent, report)

    def _prepare(self, replier: Replier, row: OutboxRow) -> OutboxRow | None:
        now = self.now()
        talk = {}
        if row.conversation_id is not None:
            talk = conversation(self.store, row.conversation_id) or {}
        base = {
            "customer": talk.get("customer"),
            "thread": talk.get("thread"),  # a direct conversation's id on the network
            "first_try_at": now.isoformat(),
        }
        seen = replace(row, request=base | dict(row.request))  # what the replier may read
        request: dict[str, Any] = base | replier.prepare(seen) | {"prepared": True}
        return prepare_request(self.store, row.id, self.id, request, now)

    # -- outcomes ----------------------------------------------------------------------------

    def _sent(self, row: OutboxRow, sent: Sent, report: Report) -> None:
        record_sent(
            self.store, row.id, sent.native_id, self.now(), url=sent.url,
            local_id=sent.local_id, extra=dict(sent.extra),
        )  # fmt: skip
        report.sent += 1
        self._event("sent", row, sent.url or sent.native_id)

    def _failed(self, row: OutboxRow, exc: SourceError, report: Report) -> None:
        now = self.now()
        line = _line(exc)
        if exc.permanent or row.attempts >= self.retry.attempts:
            if not exc.permanent:
                line = _("gave up after {tries} tries: {error}").format(
                    tries=row.attempts, error=line
                )
            record_failed(self.store, row.id, line, now, permanent=True)
            report.failed += 1
            self._event("failed", row, line)
            return
        # The policy's backoff, and never less than its base: a wait drawn near zero would
        # spend the tries at once.
        wait = max(self.retry.delay(max(0, row.attempts - 1)), self.retry.base)
        at = now + timedelta(seconds=wait)
        if isinstance(exc, RateLimited):
            at = max(at, exc.until)
        record_failed(self.store, row.id, line, now, permanent=False, retry_at=at)
        report.retried += 1
        self._event("retry", row, line)

    def _hold(self, row: OutboxRow, exc: RumeurError, report: Report) -> None:
        """Stop the row's account: a reply goes back to the queue, and every queued reply of
        the account says why it waits. A refused token also stops the account's scheduled
        posts for good (`failed`, with the reason): their moment will not wait for it."""
        account = self._account(row)
        source = getattr(exc, "source", "") or row.account
        name = source.partition(":")[2] or source
        line = _("token expired: reconnect {source}").format(source=name)
        if not isinstance(exc, AuthError):
            line = _line(exc)
        now = self.now()
        revoked = _("token revoked: reconnect the account") if isinstance(exc, AuthError) else None
        if row.state == "claimed":
            # A post cannot wait for a reconnection the way a reply does: it stops, with why.
            stops = revoked is not None and row.item_id is not None
            record_failed(self.store, row.id, revoked if stops else line, now, permanent=stops)
            report.failed += int(stops)
        if revoked is not None:
            fail_posts_of(self.store, row.workspace, row.platform, row.account, revoked, now)
        hold_account(self.store, row.workspace, row.platform, row.account, line, now)
        self.held[account] = line
        report.held[account] = line
        log.warning("account held", account=f"{row.platform}:{row.account}", error=line)
        self._event("held", row, line)

    # -- helpers -----------------------------------------------------------------------------

    def _replier(self, row: OutboxRow) -> Replier:
        return self.repliers(row)

    @staticmethod
    def _account(row: OutboxRow) -> Account:
        return (row.workspace, row.platform, row.account)

    def _event(self, what: str, row: OutboxRow | Item, line: str) -> None:
        log.info("outbox", what=what, row=row.id, line=line)
        if self.on_event is not None:
            self.on_event(what, row, line)


def _line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Repliers:
    """The repliers of the workspaces' owned accounts, made when first needed and kept: the
    account (`[[workspaces.owned_accounts]]`) names its source, whose settings say where and
    with which credentials it answers."""

    def __init__(
        self, workspaces: Sequence[Workspace], context: SourceContext | None = None
    ) -> None:
        self.workspaces = {ws.slug: ws for ws in workspaces}
        self.context = context or SourceContext()
        self._made: dict[Account, Replier] = {}
        self._posters: dict[Account, Replier] = {}  # over the same clients as the repliers

    def __call__(self, row: OutboxRow) -> Replier:
        """The replier of the row's account, or its poster for a scheduled post's row."""
        key = (row.workspace, row.platform, row.account)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._build(row)
        if row.item_id is None:
            return made
        poster = self._posters.get(key)
        if poster is None:
            poster = self._posters[key] = _poster(made)
        return poster

    def late_after(self, workspace: str, platform: str, handle: str) -> timedelta:
        """How late a post of the account may still go out: its `late_after`, 15 minutes when
        it sets none (or is not in the settings any more)."""
        from rumeur.settings.inbox import owned_account

        ws = self.workspaces.get(workspace)
        account = owned_account(ws.owned_accounts, platform, handle) if ws else None
        value = getattr(account, "late_after", None)
        return value if isinstance(value, timedelta) else LATE_AFTER

    def close(self) -> None:
        self._posters = {}  # their clients are the repliers'
        made, self._made = list(self._made.values()), {}
        for replier in made:
            replier.close()

    def _build(self, row: OutboxRow) -> Replier:
        from rumeur.settings.inbox import owned_account

        # A missing setting holds the account (ConfigError), as a refused token does: its
        # replies wait for the settings to be fixed.
        where = f"{row.platform}:{row.account}"
        ws = self.workspaces.get(row.workspace)
        if ws is None:
            raise ConfigError(f"{where}: no workspace {row.workspace!r} in the settings")
        account = owned_account(ws.owned_accounts, row.platform, row.account)
        if account is None or account.source is None:
            raise ConfigError(f"{where}: not an owned account with a source in the settings")
        source = next((s for s in ws.sources if s.name == account.source), None)
        if source is None:
            raise ConfigError(f"{where}: no source {account.source!r}")
        if row.platform == "mastodon":
            from rumeur.sources.mastodon.reply import build as mastodon

            return mastodon(source, self.context, account.handle)  # type: ignore[arg-type]
        if row.platform == "bluesky":
            from rumeur.sources.bluesky.reply import build as bluesky

            return bluesky(source, self.context, account.handle)  # type: ignore[arg-type]
        if row.platform == "reddit":
            from rumeur.sources.reddit.reply import build as reddit

            return reddit(source, self.context, account.handle)  # type: ignore[arg-type]
        raise ConfigError(f"{where}: rumeur cannot answer on {row.platform}")


def _poster(replier: Replier) -> Replier:
    """The poster of scheduled posts over a replier's client (sources/<network>/post.py)."""
    if replier.platform == "mastodon":
        from rumeur.sources.mastodon.post import MastodonPoster

        return MastodonPoster(replier)  # type: ignore[arg-type]
    if replier.platform == "bluesky":
        from rumeur.sources.bluesky.post import BlueskyPoster

        return BlueskyPoster(replier)  # type: ignore[arg-type]
    if replier.platform == "reddit":
        from rumeur.sources.reddit.post import RedditPoster

        return RedditPoster(replier)  # type: ignore[arg-type]
    raise ConfigError(f"rumeur cannot publish on {replier.platform}")
