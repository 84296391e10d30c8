"""The engagement of a post, written once: in Python and as an SQL expression, side by side.

Engagement is the interactions a reader made with a post (likes, reposts, replies, quotes);
views are reach, not engagement. This module sits at the bottom of the layers: the SQL half
takes the four column expressions, so it needs no table object and no import of `store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for the annotations: reading a count needs no SQLAlchemy
    from sqlalchemy import ColumnElement

ENGAGEMENT = ("likes", "reposts", "replies", "quotes")  # the counts engagement sums


def engagement(likes: int, reposts: int, replies: int, quotes: int) -> int:
    """The engagement of a post from its four counts."""
    return likes + reposts + replies + quotes


def engagement_of(row: Mapping[str, Any]) -> int:
    """The engagement of a stored row or a JSON line; a count that is missing or null reads 0."""
    return engagement(*(int(row.get(name) or 0) for name in ENGAGEMENT))


def engagement_sql(
    likes: ColumnElement[int],
    reposts: ColumnElement[int],
    replies: ColumnElement[int],
    quotes: ColumnElement[int],
) -> ColumnElement[int]:
    """The same sum as `engagement`, as an SQL expression over the four columns given."""
    return likes + reposts + replies + quotes
