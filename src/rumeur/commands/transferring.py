"""`rumeur migrate-store`: an embedded SQLite store copied into PostgreSQL (store/transfer.py),
one line per table as its copy ends, then each table's rows on both sides.

The target's address may hold a password: it is printed only as `Store.where` gives it
(password masked), and the store's errors never quote it."""

from __future__ import annotations

import time

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from rumeur.errors import InputError
from rumeur.i18n import _, number
from rumeur.store import Store
from rumeur.store.engine import redact_url
from rumeur.store.transfer import Step, TableCount, transfer


def checked_target(to: str) -> str:
    """The `--to` address, refused in one line (password masked) unless it is PostgreSQL's."""
    shown = redact_url(to) if "://" in to else to  # a path holds no password
    try:
        backend = make_url(to).get_backend_name() if "://" in to else "sqlite"
    except (ArgumentError, ValueError):
        backend = None
    if backend not in ("postgresql", "postgres"):
        raise InputError(_("--to {url}: expected a postgresql:// address").format(url=shown))
    return to


def migrate_store(source: Store, target: Store, batch_size: int) -> bool:
    """Copy `source` into `target` (resuming a copy begun there) and print the counts; whether
    every table has as many rows on both sides."""
    print(
        _("Copying {source} into {target}").format(source=source.where, target=target.where),
        flush=True,
    )
    counts = transfer(source, target, batch_size, _StepLines())
    return _print_counts(counts)


class _StepLines:
    """A line when a table's copy ends, and one every EVERY_S while a big table is copied."""

    EVERY_S = 10.0

    def __init__(self) -> None:
        self.shown = time.monotonic()

    def __call__(self, step: Step) -> None:
        now = time.monotonic()
        if not step.done and (now - self.shown < self.EVERY_S or step.copied >= step.total):
            return
        self.shown = now
        line = _("{table}: {copied} of {total} rows copied").format(
            table=step.table, copied=number(step.copied), total=number(step.total)
        )
        if step.resumed:
            line += " " + _("(resumed)")
        print(line if step.done else line + " …", flush=True)


def _print_counts(counts: list[TableCount]) -> bool:
    width = max(len(c.table) for c in counts)
    print(
        f"{_('Table'):<{width}}  {_('Source'):>12}  {_('Target'):>12}",
        flush=True,
    )
    for c in counts:
        mark = "" if c.equal else "  " + _("DIFFERENT")
        print(f"{c.table:<{width}}  {number(c.source):>12}  {number(c.target):>12}{mark}")
    unequal = [c.table for c in counts if not c.equal]
    if unequal:
        print(
            _("Counts differ in {n} tables: {tables}").format(
                n=len(unequal), tables=", ".join(unequal)
            ),
            flush=True,
        )
        return False
    rows = sum(c.target for c in counts)
    print(
        _("Equal counts in all {n} tables ({rows} rows).").format(n=len(counts), rows=number(rows)),
        flush=True,
    )
    return True
