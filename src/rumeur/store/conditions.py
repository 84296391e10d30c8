"""The conditions on `posts` that narrow what a reader sees, for the readers of `store/search.py`
and `store/detail.py`: a department's complaint reasons and the stream's filters."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from rumeur.store.rollups import UNKNOWN
from rumeur.store.schema import posts

UNKNOWN_LANGUAGE = UNKNOWN  # the filter value for posts whose language is not known


def reason_condition(reasons: tuple[str, ...] | None) -> list[ColumnElement[bool]]:
    """Posts of these complaint reasons; every post for None, none for an empty tuple (a
    department the workspace does not define sees nothing)."""
    if reasons is None:
        return []
    return [posts.c.reason.in_(reasons)] if reasons else [false()]


def stream_conditions(
    reasons: tuple[str, ...] | None, platform: str, sentiment: str, emotion: str, language: str
) -> list[ColumnElement[bool]]:
    """`reason_condition` and the stream's filters; an empty value filters nothing."""
    found = reason_condition(reasons)
    for column, value in (
        (posts.c.platform, platform),
        (posts.c.sentiment, sentiment),
        (posts.c.emotion, emotion),
    ):
        if value:
            found.append(column == value)
    if language == UNKNOWN_LANGUAGE:
        # No language, or the model's own "unknown" (a text too short to tell): the posts the
        # dashboard's languages count as unknown (the rollups' UNKNOWN).
        found.append(or_(posts.c.language.is_(None), posts.c.language == UNKNOWN_LANGUAGE))
    elif language:
        found.append(posts.c.language == language)
    return found
