"""A post's labels as the team corrected them (issue #17), for its page and its JSON, and the
correction itself, for the page's forms and the REST API: the values checked against the
model's classes and the workspace's reasons, who corrected taken from the signed-in account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from rumeur.config import Workspace
from rumeur.i18n import _, moment
from rumeur.store.conditions import reason_condition
from rumeur.store.corrections import (
    FIELDS,
    NONE,
    Correction,
    CorrectionError,
    Wanted,
    check_value,
    label_choices,
    post_corrections,
    record_corrections,
)
from rumeur.store.detail import post_detail
from rumeur.web import labels
from rumeur.web.auth import Viewer, WebState
from rumeur.web.filters import reasons_for


def correct_post(
    state: WebState, ws: Workspace, viewer: Viewer, post_id: int, given: Mapping[str, Any]
) -> list[Correction]:
    """Record the viewer's corrections of the post (`given`: field -> value); 404 for a post
    they cannot see, 400 naming the field for a value the field cannot take."""
    with state.store.read() as conn:
        seen = post_detail(conn, ws.slug, post_id, reason_condition(reasons_for(viewer.user, ws)))
    if seen is None:
        raise HTTPException(404, _("no such post in this workspace"))
    if not given:
        raise HTTPException(400, _("give a sentiment, an emotion or a reason"))
    choices = label_choices(ws)
    try:
        wanted = [Wanted(post_id, None, f, check_value(f, v, choices)) for f, v in given.items()]
        return record_corrections(state.store, ws.slug, wanted, viewer.user.name)
    except CorrectionError as exc:
        raise HTTPException(400, str(exc)) from None


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One field of the post page's labels: the label in effect, the model's, who corrected."""

    field: str
    value: str | None  # the post's label in effect
    correction: Correction | None
    choices: tuple[str, ...]

    def name(self) -> str:
        return labels.task(self.field)

    def shown(self, value: str | None) -> str:
        return choice_name(self.field, value)

    def corrected_line(self, ws: Workspace) -> str:
        """`Model: positive · corrected by Léa, 5 Dec` (or nothing when no one corrected it)."""
        c = self.correction
        if c is None:
            return ""
        return _("Model: {label} · corrected by {name}, {day}").format(
            label=self.shown(c.model_value),
            name=c.author,
            day=moment(c.created_at, ws.zone, "d MMM"),
        )

    def why_line(self, ws: Workspace) -> str:
        """Said above the model's reasons when a person overruled it: the heading names the label
        in effect, and the words below argue for the model's."""
        c = self.correction
        if c is None:
            return ""
        return _(
            "{name} corrected this label on {day}; the model read “{label}”, for the reasons below."
        ).format(
            name=c.author,
            day=moment(c.created_at, ws.zone, "d MMM"),
            label=self.shown(c.model_value),
        )


def choice_name(field: str, value: str | None) -> str:
    """A value a field may be corrected to, as a person reads it."""
    if field == "reason" and value == NONE:
        return _("not a complaint")
    return labels.value(field, value)  # the emotion `none` included: "no emotion"


def label_rows(state: WebState, ws: Workspace, post: Mapping[str, Any]) -> list[LabelRow]:
    """The post page's three correctable labels."""
    with state.store.read() as conn:
        found = post_corrections(conn, ws.slug, post["id"])
    choices = label_choices(ws)
    return [LabelRow(f, post.get(f), found.get(f), choices[f]) for f in FIELDS]


def api_fields(state: WebState, ws: Workspace, post: Mapping[str, Any]) -> dict[str, Any]:
    """What a post's JSON adds: each field's model label (`model_sentiment`...: the model's
    when the team corrected it, else the label itself), who corrected last and when, and each
    correction (`corrections`: field -> value, model_value, corrected_by, corrected_at)."""
    with state.store.read() as conn:
        found = post_corrections(conn, ws.slug, post["id"])
    out: dict[str, Any] = {
        f"model_{f}": found[f].model_value if f in found else post.get(f) for f in FIELDS
    }
    newest = max(found.values(), key=lambda c: c.created_at, default=None)
    out["corrected_by"] = newest.author if newest else None
    out["corrected_at"] = newest.created_at if newest else None
    out["corrections"] = {f: c.as_dict() for f, c in found.items()}
    return out
