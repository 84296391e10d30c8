"""The web app stands on the library, not on the command line: no module of `rumeur.web`
imports `rumeur.commands` or `rumeur.cli` (read from the source with `ast`, so an import inside
a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import rumeur.web

WEB = Path(rumeur.web.__file__).parent


def _imports_of(source: str, path: Path) -> set[str]:
    """Every module that `source` (the text of `path`, a file under `WEB`) imports, relative
    imports resolved; `from a import b` counts `a.b` too, as `b` may be a module."""
    package = ".".join(["rumeur", "web", *path.parent.relative_to(WEB).parts])
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _is_commands(module: str) -> bool:
    return module in ("rumeur.commands", "rumeur.cli") or module.startswith("rumeur.commands.")


def test_no_module_of_the_web_app_imports_the_command_line() -> None:
    files = sorted(WEB.rglob("*.py"))
    assert len(files) > 5, "the web package's modules were not found"
    leaning = {
        str(path.relative_to(WEB)): sorted(
            m for m in _imports_of(path.read_text(encoding="utf-8"), path) if _is_commands(m)
        )
        for path in files
    }
    assert {name: found for name, found in leaning.items() if found} == {}


def test_the_check_sees_every_way_of_importing_the_command_line() -> None:
    sample = WEB / "sample.py"  # never written: parsed as if it sat in the web package
    source = (
        "from rumeur.commands.exporting import export_posts\n"
        "from rumeur import cli\n"
        "from ..commands import dates\n"
        "def later():\n    import rumeur.commands.querying\n"
    )
    found = {m for m in _imports_of(source, sample) if _is_commands(m)}
    assert found == {
        "rumeur.commands.exporting",
        "rumeur.commands.exporting.export_posts",
        "rumeur.cli",
        "rumeur.commands",
        "rumeur.commands.dates",
        "rumeur.commands.querying",
    }


def test_no_module_of_the_web_app_imports_a_private_name_of_another() -> None:
    """What two pages share is a public function of a shared module (the pages' context is
    `render.page_context`), not one page module reaching into another's privates."""
    private = {
        str(path.relative_to(WEB)): sorted(
            f"{node.module}.{alias.name}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rumeur.web")
            for alias in node.names
            if alias.name.startswith("_") and not alias.name.startswith("__")
        )
        for path in sorted(WEB.rglob("*.py"))
    }
    assert {name: found for name, found in private.items() if found} == {}
