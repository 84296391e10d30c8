"""The results of what was published (docs/publish.md, "Results"): each published item with
its post on its network and the engagement the collectors read back (store/publish_results.py),
summed per network, per account, per content type and national against local.

Engagement is the one formula (metrics.py: likes, reposts, replies, quotes). A group's mean is
over its items read back only: an item whose post the collectors have not read yet has no
counts, which is not zero engagement. A local account is an owned account with variables (its
town, its shop: what makes its variants local); an account without is national.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.metrics import engagement
from rumeur.publishing.expand import find_account
from rumeur.store import publish_results as rows
from rumeur.store.export import safe_cell
from rumeur.store.publish_results import Published
from rumeur.store.store import Store

NO_TYPE = ""  # an item whose message was given no `type`
LOCAL, NATIONAL = "local", "national"


@dataclass(frozen=True, slots=True)
class Result:
    item: Published
    scope: str  # local or national

    @property
    def engagement(self) -> int | None:
        p = self.item
        return engagement(p.likes, p.reposts, p.replies, p.quotes) if p.read_back else None


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    items: int
    read_back: int
    engagement: int

    @property
    def mean(self) -> float | None:
        return self.engagement / self.read_back if self.read_back else None


@dataclass(frozen=True, slots=True)
class Results:
    items: list[Result]
    networks: list[Group]
    accounts: list[Group]
    types: list[Group]
    scopes: list[Group]


def scope_of(ws: Workspace, account: str) -> str:
    found = find_account(ws.owned_accounts, account)
    return LOCAL if found is not None and found.variables else NATIONAL


def group(results: Iterable[Result], key: Callable[[Result], str]) -> list[Group]:
    """The results per `key`, the most engaging mean first (groups never read back last)."""
    sums: dict[str, list[int]] = {}
    for r in results:
        counts = sums.setdefault(key(r), [0, 0, 0])
        counts[0] += 1
        if r.engagement is not None:
            counts[1] += 1
            counts[2] += r.engagement
    groups = [Group(k, n, read, total) for k, (n, read, total) in sums.items()]
    return sorted(groups, key=lambda g: (g.mean is None, -(g.mean or 0), g.key))


def results(store: Store, ws: Workspace, since: datetime, until: datetime) -> Results:
    read = rows.published(store, ws.slug, since, until)
    found = [Result(p, scope_of(ws, p.account)) for p in read]
    return Results(
        found,
        group(found, lambda r: r.item.platform),
        group(found, lambda r: r.item.account),
        group(found, lambda r: r.item.content_type or NO_TYPE),
        group(found, lambda r: r.scope),
    )


COLUMNS = (
    "id", "at", "account", "network", "scope", "type", "native_id", "url", "read_back",
    "likes", "reposts", "replies", "quotes", "engagement", "views", "text",
)  # fmt: skip


def csv_text(found: Results, zone: ZoneInfo) -> str:
    """One line per published item, as `COLUMNS` name them; the time in the workspace's zone.
    A cell that a spreadsheet would read as a formula is written with a leading quote
    (store/export.safe_cell, as the posts' export)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in found.items:
        p = r.item
        writer.writerow(
            _cell(v)
            for v in (
                p.id, p.at.astimezone(zone).isoformat(), p.account, p.platform, r.scope,
                p.content_type or "", p.native_id or "", p.native_url or "",
                "yes" if p.read_back else "no", *_counts(p), "" if p.views is None else p.views,
                p.text,
            )
        )  # fmt: skip
    return out.getvalue()


def _counts(p: Published) -> list[object]:
    if not p.read_back:
        return ["", "", "", "", ""]
    return [p.likes, p.reposts, p.replies, p.quotes,
            engagement(p.likes, p.reposts, p.replies, p.quotes)]  # fmt: skip


def _cell(value: object) -> object:
    return safe_cell(value) if isinstance(value, str) else value


def scope_word(scope: str) -> str:
    return _("local") if scope == LOCAL else _("national")
