"""One master message -> one variant per account (docs/publish.md, "Variants"), each checked.

For each account the message names, its fields are the master's, then its network's variant's
(`variants.bluesky`), then its own variant's (`variants.lyon`), each replacing the one before
field by field. Then the account's variables are filled in (text, title, content warning, alt
texts) and the network's rules checked (rules.py). A variant that breaks a rule, or names a
variable the account lacks, is refused with one line naming the account and why; the others
go on. Bluesky's facets are found on the text as it will be sent (mentions resolved to DIDs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rumeur.i18n import _
from rumeur.publishing import facets
from rumeur.publishing.rules import Draft, Media, check
from rumeur.publishing.spec import Spec
from rumeur.publishing.variables import fill
from rumeur.settings.inbox import OwnedAccount

NAME_LENGTH = 64  # what an item's row keeps of the account's name (`platform:handle` when unnamed)
Limit = Callable[[OwnedAccount], int | None]  # an account's Mastodon instance limit, if known


@dataclass(frozen=True, slots=True)
class Variant:
    """What one account will post, or why it will not (`refusal`, one line naming it)."""

    account: str  # the account's name (or the name the message gave, when unknown)
    platform: str
    handle: str
    draft: Draft
    refusal: str | None = None

    @property
    def line(self) -> str:
        """`name (network): why`, in the reader's language."""
        return _("{account} ({network}): {reason}").format(
            account=self.account, network=self.platform or "-", reason=self.refusal or ""
        )


def account_name(account: OwnedAccount) -> str:
    """The name a message gives: the account's `name`, else `platform:handle`."""
    return account.name or account.key


def find_account(accounts: Sequence[OwnedAccount], name: str) -> OwnedAccount | None:
    """The account a message names: by its `name`, else by `platform:handle`."""
    wanted = name.lower()
    return next(
        (a for a in accounts if (a.name or "").lower() == wanted or a.key.lower() == wanted), None
    )


def expand(
    spec: Spec,
    accounts: Sequence[OwnedAccount],
    *,
    resolve: facets.Resolver | None = None,
    limit: Limit | None = None,
) -> list[Variant]:
    """One variant per account of `spec`, in its order, each checked."""
    found = []
    for name in spec.accounts:
        account = find_account(accounts, name)
        if account is None:
            reason = _("no owned account named {name} in this workspace").format(name=name)
            found.append(Variant(name, "", "", Draft("", ""), reason))
            continue
        found.append(variant(spec, account, resolve=resolve, limit=limit))
    return found


def variant(
    spec: Spec,
    account: OwnedAccount,
    *,
    resolve: facets.Resolver | None = None,
    limit: Limit | None = None,
) -> Variant:
    """`account`'s variant of `spec`, its variables filled in and its network's rules checked."""
    name = account_name(account)
    if len(name) > NAME_LENGTH:
        reason = _("give the account a name: {key} is too long to name it").format(key=name[:80])
        return Variant(name[:NAME_LENGTH], account.platform, account.handle, Draft("", ""), reason)
    fields: dict[str, Any] = {"text": spec.text, **spec.fields}
    fields |= spec.variants.get(account.platform, {})
    for key in (account.name, account.key):
        if key and key in spec.variants:
            fields |= spec.variants[key]
    draft, missing = _filled(account, fields)
    if missing:
        variable = "{" + missing[0] + "}"
        reason = _(
            "no value for {variable} (add it to the account's variables, or write {default})"
        ).format(variable=variable, default="{" + missing[0] + "|…}")
        return Variant(name, account.platform, account.handle, draft, reason)
    reasons = check(draft, limit(account) if limit is not None else None)
    if account.platform == "reddit" and not draft.extra.get("subreddit"):
        reasons.append(_("Reddit needs a subreddit (the variant's subreddit)"))
    if reasons:
        return Variant(name, account.platform, account.handle, draft, "; ".join(reasons))
    if account.platform == "bluesky":
        draft = replace(draft, extra=draft.extra | {"facets": facets.facets(draft.text, resolve)})
    return Variant(name, account.platform, account.handle, draft)


def _filled(account: OwnedAccount, fields: dict[str, Any]) -> tuple[Draft, list[str]]:
    missing: list[str] = []

    def put(value: str | None) -> str | None:
        if value is None:
            return None
        done = fill(value, account.variables)
        missing.extend(m for m in done.missing if m not in missing)
        return done.text

    media = tuple(Media(m.path, put(m.alt) or "") for m in fields.get("media", ()))
    extra: dict[str, Any] = {k: put(fields[k]) for k in ("subreddit", "url") if fields.get(k)}
    poll = fields.get("poll")
    if poll and account.platform == "mastodon":  # the only network with polls
        extra["poll"] = poll | {"options": [put(o) or "" for o in poll["options"]]}
    draft = Draft(
        platform=account.platform,
        text=put(fields.get("text", "")) or "",
        title=(put(fields.get("title")) or None) if account.platform == "reddit" else None,
        media=media,
        visibility=(fields.get("visibility") or None) if account.platform == "mastodon" else None,
        spoiler=(put(fields.get("spoiler")) or None) if account.platform == "mastodon" else None,
        extra=extra,
    )
    return draft, missing
