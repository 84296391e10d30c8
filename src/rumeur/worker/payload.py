"""Normalised posts as plain JSON for the broker, and back.

The broker carries JSON only (no pickle: a message could come from anyone who reaches Redis),
so a `model.Post` travels as a dict of JSON values, its dates as ISO 8601 text. A message read
back is checked by `post_of` as the sources' rows are: a missing or mistyped field raises
ValueError, which the task reports as one line, never a half-read post."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from rumeur.model import Author, Label, Media, Metrics, Post


def post_json(post: Post) -> dict[str, Any]:
    data = asdict(post)
    data["created_at"] = post.created_at.isoformat()
    return data


def post_of(data: dict[str, Any]) -> Post:
    """The post a message holds; ValueError (one line) when it is not one."""
    try:
        fields = dict(data)
        created = datetime.fromisoformat(fields.pop("created_at"))
        return Post(
            **fields
            | {
                "created_at": created,
                "author": Author(**fields["author"]),
                "metrics": Metrics(**fields["metrics"]),
                "media": [Media(**m) for m in fields["media"]],
                "labels": [Label(**label) for label in fields["labels"]],
            }
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a post: {type(exc).__name__}: {exc}") from None
