"""`rumeur config export` and `rumeur config import`: a workspace's settings in effect (the
file's, or the newest version edited in the app) written as a settings file, and a settings
file stored as the workspace's next version, after its differences were shown and accepted.

The TOML file stays the way to seed and version a workspace; neither command ever writes a
secret (a workspace holding one is refused, naming the key)."""

from __future__ import annotations

import getpass
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import typer

from rumeur.config import Workspace, parse_settings, read_toml_text
from rumeur.errors import ConfigError
from rumeur.i18n import _
from rumeur.settings.document import refuse_secrets, to_toml
from rumeur.store import Store
from rumeur.store.workspace_settings import current_version, diff, save

YES = ("y", "yes", "o", "oui")  # the answers that accept, in English and in French


def export_workspace(store: Store | None, ws: Workspace, out: Path | None) -> None:
    """Write `ws` as a settings file to `out` (whole or not at all), or to standard output."""
    refuse_secrets(ws, ws.slug)
    version = 0 if store is None else current_version(store, ws.slug)
    text = _header(ws, version) + to_toml(ws)
    if out is None:
        sys.stdout.write(text)
        return
    _write_whole(out, text)
    typer.echo(_("{slug}: settings written to {file}").format(slug=ws.slug, file=out), err=True)


def _header(ws: Workspace, version: int) -> str:
    if version:
        said = _("Settings of the workspace {slug}, version {version} stored in the app.")
    else:
        said = _("Settings of the workspace {slug}, as the settings file gives them.")
    read = _("Read back with: rumeur config import FILE -w {slug}")
    return f"# {said.format(slug=ws.slug, version=version)}\n# {read.format(slug=ws.slug)}\n\n"


def _write_whole(out: Path, text: str) -> None:
    """A file another reader never sees half written: a temporary file beside it, renamed."""
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temporary, out)
    except OSError as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"--out {out}: cannot write ({exc.strerror})") from None


def read_workspace(path: Path, slug: str) -> Workspace:
    """The workspace `slug` of the settings file at `path`, validated; ConfigError, one line
    naming the file and the key, otherwise. Nothing is stored here."""
    settings = parse_settings(read_toml_text(path), str(path))
    ws = settings.workspace(slug)
    refuse_secrets(ws, str(path), f"workspaces[{settings.workspaces.index(ws)}]")
    return ws


def import_workspace(
    open_store: Callable[[], Store],
    ws: Workspace | None,
    file_ws: Workspace,
    new: Workspace,
    yes: bool,
    by: str | None,
    out: TextIO,
) -> int | None:
    """Show how `new` differs from `ws` (the workspace in effect; None when its stored
    version is unreadable) and, once accepted (`yes`, or the prompt), store it as its next
    version; the version, or None when there was nothing to change. A refused change stores
    nothing and exits 1. `file_ws` is the settings file's own workspace, the baseline of the
    first version's summary. The store is opened (made, if it is new) only to store an
    accepted change."""
    lines = diff(ws, new)
    slug = new.slug
    if not lines:
        out.write(_("{slug}: nothing to change").format(slug=slug) + "\n")
        return None
    out.write(_("{slug}: changes to store:").format(slug=slug) + "\n")
    out.writelines(f"  {line}\n" for line in lines)
    question = _("Store these changes as the next version of {slug}? [y/N]")
    if not (yes or _accepted(question, slug)):
        out.write(_("{slug}: nothing changed").format(slug=slug) + "\n")
        sys.exit(1)
    version = save(open_store(), new, by or _user(), base=file_ws)
    out.write(_("{slug}: version {version} stored").format(slug=slug, version=version) + "\n")
    return version


def _accepted(question: str, slug: str) -> bool:
    """The user's answer on standard input, the question on standard error (standard output
    holds only the diff); no answer (the end of the input) is no."""
    sys.stderr.write(question.format(slug=slug) + " ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in YES


def _user() -> str:
    """Who runs the command, as the history names them."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"
