"""The one way commands make a rich console.

Posts, handles, subjects and network errors come from strangers: rich must print them as they
are, never read `:x:` as an emoji code or `[bold]` as markup (a stray `[/x]` would even crash
the command), nor colour what looks like a number or a path."""

from __future__ import annotations

from typing import IO

from rich.console import Console


def make_console(stderr: bool = False, file: IO[str] | None = None) -> Console:
    return Console(
        file=file, stderr=stderr and file is None, highlight=False, emoji=False, markup=False
    )
