"""Filling the inbox from the workspace's owned accounts (docs/inbox.md, "Reading the
accounts"): for each `[[workspaces.owned_accounts]]` with a `source`, what reaches the account
is read through that source's network and credentials (`sources/<network>/inbox.py`), threaded
into conversations oldest first (`intake.take_in`), and a new conversation routed by the
workspace's rules.

What the rules see of a message: its words, and the labels the shipped models give it, the
way the pipeline enriches a post (`pipeline.stages.enrich`: the network's declared language
first, then sentiment, emotion and the complaint reason of a negative message), with the
author's follower count where the network gives it. Only the messages the inbox does not hold
yet are enriched, in one batch per page.

Each account keeps a cursor in the store (`<workspace>:inbox:<platform>:<handle>`), stored once
a page is in the inbox: a second run reads only what is new, and a crash reads the last page
again, which the inbox keeps once. One account's failure (a refused token) is one line naming
the account; the other accounts go on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from rumeur.config import Workspace
from rumeur.errors import ConfigError, RumeurError
from rumeur.i18n import _
from rumeur.inbox.intake import message_document, take_in
from rumeur.inbox.routing import Router
from rumeur.inbox.rules import router_for
from rumeur.model import Author, Post, current_labels, platform_name
from rumeur.nlp.base import Enricher
from rumeur.pipeline.stages import enrich
from rumeur.settings.inbox import INBOX_PLATFORMS, OwnedAccount
from rumeur.settings.sources import SourceSettings, secret
from rumeur.sources.context import SourceContext
from rumeur.store import CursorUpdate, Store
from rumeur.store.inbox import Message
from rumeur.store.inbox_reads import held, holds

Now = Callable[[], datetime]


class Reader(Protocol):
    def pages(
        self, cursor: dict[str, Any] | None
    ) -> Iterator[tuple[list[Message], dict[str, Any]]]: ...


@dataclass(slots=True)
class AccountOutcome:
    """What reading one owned account did."""

    source: str
    platform: str
    handle: str
    messages: int = 0  # messages new to the inbox
    opened: int = 0  # conversations they opened
    error: str | None = None

    @property
    def name(self) -> str:
        """`piaille (@laposte)`: the source and the account, as the output names them."""
        return f"{self.source} (@{self.handle.lstrip('@')})"

    def line(self) -> str:
        """One line: what was read, or the error."""
        if self.error is not None:
            return f"{self.name}: {self.error}"
        return _("{name}: {messages} messages, {opened} new conversations").format(
            name=self.name, messages=self.messages, opened=self.opened
        )


def cursor_key(ws: Workspace, account: OwnedAccount) -> str:
    return f"{ws.slug}:inbox:{account.key}"


def readable(ws: Workspace, sources: Collection[str] | None = None) -> list[OwnedAccount]:
    """The owned accounts read into the inbox: those with a source of an inbox network
    (only those read through `sources`, when given)."""
    return [
        a
        for a in ws.owned_accounts
        if a.source is not None
        and a.platform in INBOX_PLATFORMS
        and (sources is None or a.source in sources)
    ]


def collect_inbox(
    store: Store,
    ws: Workspace,
    enrichers: Sequence[Enricher] = (),
    sources: Collection[str] | None = None,
    context: SourceContext | None = None,
    now: Now = lambda: datetime.now(UTC),
) -> list[AccountOutcome]:
    """Read every owned account of `ws` (those read through `sources`, when given) into the
    inbox; one outcome per account, in the settings' order."""
    router = router_for(store, ws)  # the file's rules, then the web app's
    by_name = {s.name: s for s in ws.sources}
    outcomes = []
    for account in readable(ws, sources):
        assert account.source is not None
        settings = by_name[account.source]
        outcome = AccountOutcome(account.source, account.platform, account.handle)
        try:
            read_account(
                store, ws, account, settings, router, enrichers,
                context or SourceContext(store=store), outcome, now,
            )  # fmt: skip
        except RumeurError as exc:
            outcome.error = _one_line(str(exc))
            store.record_error(cursor_key(ws, account), ws.slug, outcome.line(), now())
        outcomes.append(outcome)
    return outcomes


def read_account(
    store: Store,
    ws: Workspace,
    account: OwnedAccount,
    settings: SourceSettings,
    router: Router,
    enrichers: Sequence[Enricher],
    context: SourceContext,
    outcome: AccountOutcome,
    now: Now,
) -> None:
    """Read one owned account from its stored cursor into the inbox, page by page."""
    key = cursor_key(ws, account)

    def known(ref: str) -> bool:
        return holds(store, ws.slug, account.platform, ref)

    with reader_for(account, settings, context, known) as reader:
        for page, cursor in reader.pages(store.cursor(key) or None):
            take_page(store, ws, account, router, enrichers, page, outcome, now)
            store.write(ws.slug, [], cursor=CursorUpdate(key, cursor))


def take_page(
    store: Store,
    ws: Workspace,
    account: OwnedAccount,
    router: Router,
    enrichers: Sequence[Enricher],
    page: Sequence[Message],
    outcome: AccountOutcome,
    now: Now,
) -> None:
    """Take a page's messages (oldest first) into the inbox; only the new ones are enriched."""
    unique = list({m.native_id: m for m in reversed(page)}.values())[::-1]
    stored = held(store, ws.slug, account.platform, [m.native_id for m in unique])
    new = [m for m in unique if m.native_id not in stored]
    labelled = labels(new, enrichers)
    for message, found in zip(new, labelled, strict=True):
        message = replace(
            message,
            sentiment=message.sentiment or found.get("sentiment"),
            language=message.language or found.get("language"),
        )
        doc = message_document(
            message,
            followers=message.extra.get("followers"),
            verified=bool(message.extra.get("verified")),
            emotion=found.get("emotion"),
            reason=found.get("reason"),
        )
        received = take_in(store, ws.slug, router, account, message, now(), doc)
        if received.added:
            outcome.messages += 1
        if received.opened:
            outcome.opened += 1


def labels(messages: Sequence[Message], enrichers: Sequence[Enricher]) -> list[dict[str, str]]:
    """The shipped models' labels of each message (task -> label), as the pipeline gives them
    to a post: the brand's own messages are not enriched."""
    found: list[dict[str, str]] = [{} for _ in messages]
    asked = [i for i, m in enumerate(messages) if m.direction == "in" and m.text.strip()]
    if not asked or not enrichers:
        return found
    posts = [_post(messages[i]) for i in asked]
    results = enrich(posts, enrichers)
    for n, i in enumerate(asked):
        found[i] = {k: v for k, v in current_labels(posts[n], n, results).items() if v}
    return found


def _post(message: Message) -> Post:
    followers = message.extra.get("followers")
    return Post(
        platform=message.platform,
        native_id=message.native_id,
        text=message.text,
        created_at=message.at,
        author=Author(
            handle=message.author, followers=followers if isinstance(followers, int) else None
        ),
        language=message.language,
    )


# The readers ---------------------------------------------------------------------------------


def reader_for(
    account: OwnedAccount,
    settings: SourceSettings,
    context: SourceContext,
    known: Callable[[str], bool],
) -> AbstractContextManager[Reader]:
    """The reader of `account` through `settings` (its source), holding its client open."""
    if account.platform == "mastodon":
        return _mastodon(account, settings, context, known)
    if account.platform == "bluesky":
        return _bluesky(account, settings, context, known)
    if account.platform == "reddit":
        return _reddit(account, settings, context)
    raise ConfigError(
        _("the inbox cannot read {platform} accounts").format(
            platform=platform_name(account.platform)
        )
    )


class _Open:
    """A reader with the client it closes."""

    def __init__(self, reader: Reader, client: Any) -> None:
        self.reader, self.client = reader, client

    def __enter__(self) -> Reader:
        return self.reader

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _mastodon(
    account: OwnedAccount, settings: Any, context: SourceContext, known: Callable[[str], bool]
) -> _Open:
    from rumeur.sources.mastodon.client import MastodonClient
    from rumeur.sources.mastodon.inbox import MastodonInbox

    name = f"mastodon:{settings.name}"
    env, file = settings.token_env, settings.token_file
    if not env and not file:
        raise ConfigError(
            _("source {source} has no token: give token_env to read the account's inbox").format(
                source=settings.name
            )
        )
    token = secret(name, "access token", env, file)
    instance = settings.instance.rstrip("/")
    host = urlsplit(instance).netloc.lower()
    client = MastodonClient(
        name,
        instance,
        token,
        limiter=context.limiter(f"mastodon:{host}:account"),
        retry=context.retry(),
        auth_hint=f"set {env}" if env else "check the token file",
    )
    return _Open(MastodonInbox(client, instance, account.handle, known), client)


def _bluesky(
    account: OwnedAccount, settings: Any, context: SourceContext, known: Callable[[str], bool]
) -> _Open:
    from rumeur.sources.bluesky.inbox import BlueskyInbox
    from rumeur.sources.bluesky.source import BlueskySource

    if not settings.handle:
        raise ConfigError(
            _("source {source} has no handle: the account is read with its credentials").format(
                source=settings.name
            )
        )
    client = BlueskySource(settings, context).client()
    return _Open(BlueskyInbox(client, settings.handle, known), client)


def _reddit(account: OwnedAccount, settings: Any, context: SourceContext) -> _Open:
    from rumeur.sources.reddit.client import RedditClient, credentials
    from rumeur.sources.reddit.inbox import RedditInbox

    if not settings.username:
        raise ConfigError(
            _("source {source} has no username: the account is read with its credentials").format(
                source=settings.name
            )
        )
    name = f"reddit:{settings.name}"
    client = RedditClient(settings, context, name, credentials(settings, name))
    return _Open(RedditInbox(client, settings.username), client)


def _one_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]
