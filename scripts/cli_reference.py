"""Write docs/cli.md from the commands' own --help, so the reference cannot drift from the code.

python scripts/cli_reference.py > docs/cli.md      (or: make docs)

The reference is in English whatever the environment: run as a script, this sets RUMEUR_LANG=en
before rumeur.cli is imported, since the help texts are translated when that module is imported.
"""

from __future__ import annotations

import os
from typing import Any

import typer

WIDTH = 100
INTRO = """# Command-line reference

Generated from `rumeur COMMAND --help` by `make docs`; a test keeps it true. Every command takes
`--db` (a SQLite file path or a `postgresql://` URL; also `RUMEUR_DB`) and `--config`
(the workspaces file; also `RUMEUR_CONFIG`). Without a configuration, rumeur uses the built-in demo
workspace (United and five competing airlines).
"""


def help_text(command: Any, name: str, parent: Any = None) -> str:
    # Typer ships its own copy of click: contexts are made by the command's own class.
    with command.context_class(command, info_name=name, parent=parent, terminal_width=WIDTH) as ctx:
        return command.get_help(ctx)


def reference() -> str:
    # Imported here, not at the top: run as a script, RUMEUR_LANG=en is set first (see below).
    from rumeur.cli import app

    root = typer.main.get_command(app)
    parts = [INTRO, "```", help_text(root, "rumeur"), "```", ""]
    with root.context_class(root, info_name="rumeur", terminal_width=WIDTH) as ctx:
        for name in root.list_commands(ctx):
            command = root.get_command(ctx, name)
            assert command is not None
            parts += [f"## rumeur {name}", "", "```", help_text(command, name, ctx), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    os.environ["RUMEUR_LANG"] = "en"  # before rumeur.cli is imported: its help texts are English
    print(reference(), end="")
