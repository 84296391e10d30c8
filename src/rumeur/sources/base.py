"""The `Source` protocol: raw items and a cursor out, batch by batch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from rumeur.model import Post, RawItem, Rejected


@dataclass(slots=True)
class Progress:
    done: int  # in the source's own unit (bytes of a file, items of a feed)
    total: int | None
    unit: str = "bytes"


@dataclass(slots=True)
class Batch:
    """Items read since the previous batch, what could not be read, and where to resume."""

    items: list[RawItem]
    cursor: dict[str, Any]
    rejects: list[Rejected] = field(default_factory=list)
    progress: Progress | None = None


class Source(Protocol):
    name: str  # unique among a store's sources; the cursor is kept under it

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        """Yield batches from `cursor` (None: from the start) on."""
        ...

    def normalise(self, item: RawItem) -> Post:
        """Turn one raw item into a `Post`, or raise `RowError` naming the field."""
        ...
