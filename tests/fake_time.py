"""The one fake clock of the collectors' tests: `context.sleep` and `on_wait` that record
instead of waiting, so a test asserts how long a source would have slept and what it said.

Every suite records the same two things under the same names: `sleeps` (the seconds asked of
`sleep`) and `waits` (the (why, until) pairs told to `on_wait`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rumeur.sources.context import SourceContext


class FakeTime:
    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.waits: list[tuple[str, datetime]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_wait(self, why: str, until: datetime) -> None:
        self.waits.append((why, until))

    def context(self, store: Any = None, follow: bool = False) -> SourceContext:
        """A source's context whose sleeps and waits land here."""
        return SourceContext(store=store, follow=follow, on_wait=self.on_wait, sleep=self.sleep)
