"""`rumeur models adapt` and `rumeur models list`: what the workspace's own models learnt from
its team's corrections, and their stored versions, for people (lines, a table) and scripts (one
JSON object a line)."""

from __future__ import annotations

import json

from rich.table import Table

from rumeur.commands.consoles import make_console
from rumeur.config import Settings, Workspace
from rumeur.i18n import _, day, number, percent
from rumeur.pipeline.adapting import Outcome, adapt_workspace
from rumeur.store import Store
from rumeur.store.adapters import history
from rumeur.web.corrections import choice_name


def adapt_models(store: Store, settings: Settings, ws: Workspace, as_json: bool) -> None:
    outcomes = adapt_workspace(store, settings, ws)
    if as_json:
        for outcome in outcomes:
            print(json.dumps(outcome.as_dict(), ensure_ascii=False))
        return
    console = make_console()
    for outcome in outcomes:
        for line in _lines(outcome):
            console.print(line, markup=False, highlight=False, soft_wrap=True)


def task_name(task: str) -> str:
    """A task as a reader names it (the codes stay in --json and in --task)."""
    names = {"sentiment": _("sentiment"), "emotion": _("emotion"), "reason": _("reason")}
    return names.get(task, task)


def _lines(outcome: Outcome) -> list[str]:
    task = task_name(outcome.task)
    if outcome.version is None:
        return [_("{task}: nothing learnt: {why}").format(task=task, why=outcome.why)]
    labels = ", ".join(
        f"{choice_name(outcome.task, label)} {number(n)}" for label, n in outcome.labels.items()
    )
    name = (
        _("workspace reason model v{version}")
        if outcome.task == "reason"
        else _("workspace adapter v{version}")
    ).format(version=outcome.version)
    lines = [
        _("{task}: {name}, learnt from {n} corrections ({labels})").format(
            task=task, name=name, n=number(outcome.examples), labels=labels
        )
    ]
    if outcome.metrics.get("query_matches"):
        lines.append(
            _("  and {n} posts its reasons' queries match in the store").format(
                n=number(outcome.metrics["query_matches"])
            )
        )
    if outcome.left_out:
        lines.append(
            _("  {n} corrections left out: a label the model cannot give").format(
                n=number(outcome.left_out)
            )
        )
    lines.append(_scores(outcome))
    return lines


def _scores(outcome: Outcome) -> str:
    m = outcome.metrics
    if "folds" not in m:
        return _("  too few corrections of each label to measure by cross-validation")
    return _(
        "  accuracy on the corrections, {folds}-fold cross-validation: before {before} "
        "(± {before_spread}), after {after} (± {after_spread})"
    ).format(
        folds=m["folds"],
        before=percent(m["accuracy_before"]),
        before_spread=percent(m["accuracy_before_spread"]),
        after=percent(m["accuracy_after"]),
        after_spread=percent(m["accuracy_after_spread"]),
    )


def list_models(store: Store, ws: Workspace, as_json: bool) -> None:
    """The workspace's stored models, newest version of each task first."""
    found = history(store, ws.slug)
    if as_json:
        for m in found:
            row = {
                "task": m.task, "version": m.version, "created_at": m.created_at.isoformat(),
                "examples": m.examples, "base_model": m.base_model,
                "base_version": m.base_version, "metrics": m.metrics,
            }  # fmt: skip
            print(json.dumps(row, ensure_ascii=False))
        return
    console = make_console()
    if not found:
        console.print(_("No model of the workspace's own yet: rumeur models adapt learns them."))
        return
    table = Table(box=None)
    for name in (_("task"), _("version"), _("made"), _("corrections"), _("accuracy before"),
                 _("accuracy after")):  # fmt: skip
        table.add_column(name)
    for m in found:
        before, after = m.metrics.get("accuracy_before"), m.metrics.get("accuracy_after")
        table.add_row(
            task_name(m.task), str(m.version), day(m.created_at.date()), number(m.examples),
            "—" if before is None else percent(before), "—" if after is None else percent(after),
        )  # fmt: skip
    console.print(table)
