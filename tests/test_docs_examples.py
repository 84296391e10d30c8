"""Every TOML example of the documentation (docs/*.md, English and French) is read by rumeur's
own loaders, so that none of them can be refused by rumeur again.

Which loader reads a block, and what it is given (the only rules; no block is skipped):
- a whole settings file (it has `[[workspaces]]`) is read as it is, by the settings loader;
- a fragment of a workspace (its tables are all under `workspaces.`: `[workspaces.alerts]`,
  `[[workspaces.queries]]`...) is read by the settings loader inside a minimal workspace, the
  `MINIMAL` one below, which gives only the required keys the fragment does not give itself;
- a column mapping (`format` and `[columns]` at its top, getting-started's "A mapping of your
  own") is read by the mapping loader, since `--mapping` is the file it documents;
- a fragment of the file's other tables (`[store]`, `[workers]`..., no workspace) is read by the
  settings loader followed by the minimal workspace, so its keys are checked as rumeur reads them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from rumeur.config import Settings, parse_settings
from rumeur.sources.files.mapping import parse_mapping

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```toml\n(.*?)^```", re.S | re.M)
MINIMAL = '[[workspaces]]\nslug = "example"\nname = "Example"\n'
MINIMAL_BRAND = '[workspaces.brand]\nname = "Example"\n'


@dataclass(frozen=True)
class Example:
    where: str  # docs/x.md:line, the line of the block's opening fence
    text: str

    def __str__(self) -> str:
        return self.where


def examples() -> list[Example]:
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            line = text.count("\n", 0, block.start()) + 1
            found.append(Example(f"docs/{doc.name}:{line}", block.group(1)))
    return found


def read_example(example: Example) -> object:
    """The example read by the loader its kind calls for (the rules above)."""
    data = tomllib.loads(example.text)
    if "workspaces" in data and isinstance(data["workspaces"], list):
        return parse_settings(example.text, example.where)
    if "format" in data and "columns" in data:
        return parse_mapping(example.text, example.where)
    if "workspaces" not in data and data and all(isinstance(v, dict) for v in data.values()):
        return parse_settings(example.text + "\n" + MINIMAL + MINIMAL_BRAND, example.where)
    assert set(data) == {"workspaces"}, f"{example}: neither a settings file nor a fragment"
    return parse_settings(wrapped(example.text), example.where)


def wrapped(fragment: str) -> str:
    """A workspace fragment inside the minimal workspace (without the brand it sets itself)."""
    brand = "" if re.search(r"^\[workspaces\.brand\]", fragment, re.M) else MINIMAL_BRAND
    return MINIMAL + brand + fragment


def test_the_docs_hold_toml_examples_in_both_languages() -> None:
    where = {e.where.split(":")[0] for e in examples()}
    assert "docs/getting-started.md" in where and "docs/getting-started.fr.md" in where
    assert len(examples()) >= 20


@pytest.mark.parametrize("example", examples(), ids=str)
def test_every_toml_example_of_the_docs_is_read_by_rumeur(example: Example) -> None:
    read_example(example)


def test_the_complete_example_is_a_whole_settings_file_in_both_languages() -> None:
    complete = [
        e
        for e in examples()
        if e.where.startswith("docs/getting-started") and "default_workspace" in e.text
    ]
    assert len(complete) == 2
    for example in complete:
        settings = read_example(example)
        assert isinstance(settings, Settings)
        assert settings.workspace().slug == "velora"
        assert [q.name for q in settings.workspace().queries] == ["livraison"]


def test_a_refused_example_fails_this_test_with_its_place() -> None:
    """The rule has teeth: the operator mix the complete example once had is refused, and the
    refusal names the doc and the line."""
    bad = Example(
        "docs/x.md:3",
        '[[workspaces.queries]]\nname = "q"\nquery = "a AND b NEAR/3 c"\n',
    )
    with pytest.raises(Exception, match=r"^docs/x\.md:3: workspaces\[0\]\.queries\[0\]\.query"):
        read_example(bad)


def test_a_fragment_of_the_files_other_tables_is_checked_too() -> None:
    """A `[workers]` block is read as rumeur reads it: a misspelt key is refused with its place."""
    bad = Example("docs/x.md:3", '[workers]\nbrokr = "redis://127.0.0.1:6379/0"\n')
    with pytest.raises(Exception, match=r"^docs/x\.md:3: workers\.brokr: "):
        read_example(bad)
