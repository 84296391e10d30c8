"""The French catalogue against the code: every message passed to `_()` is translated, keeps its
`{placeholders}`, and no entry is left over once its message is gone from the code."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

import rumeur
from rumeur import i18n

SOURCE = Path(rumeur.__file__).resolve().parent
PO_FILE = resources.files("rumeur") / "locale" / "fr" / "LC_MESSAGES" / "rumeur.po"
# Translated through `_(sent[0])` in commands/reporting.py: values, not literals in the code.
SENTIMENTS = frozenset({"negative", "neutral", "positive", "unknown"})
LANGUAGE_VARIABLES = ("RUMEUR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _clean_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No explicit choice and no language from the environment, before and after each test."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    saved = list(i18n._current)
    i18n._current.clear()
    yield
    i18n._current[:] = saved


def code_messages() -> dict[str, list[str]]:
    """Each string literal passed to `_()` or `gettext()` under src/rumeur, with where it is,
    in the Python code and in the web app's Jinja templates.
    `ast` joins implicit concatenations (`_("a " "b")`) and sees calls inside f-strings."""
    found: dict[str, list[str]] = template_messages()
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "gettext")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            found.setdefault(node.args[0].value, []).append(where)
    return found


def template_messages() -> dict[str, list[str]]:
    """The literals passed to `_()` in the templates, read by Jinja's own parser."""
    from jinja2 import Environment
    from jinja2.ext import extract_from_ast

    env = Environment()
    found: dict[str, list[str]] = {}
    for path in sorted((SOURCE / "web" / "templates").glob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for line, _function, message in extract_from_ast(tree, gettext_functions=("_",)):
            if isinstance(message, str):
                where = f"{path.relative_to(SOURCE.parent)}:{line}"
                found.setdefault(message, []).append(where)
    return found


def po_ids() -> set[str]:
    """Every msgid in the French .po file, translated or not (the header left out)."""
    with PO_FILE.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id for m in catalog if m.id and isinstance(m.id, str)}


def placeholders(text: str) -> Counter[str]:
    """The `{...}` fields of a str.format template, as written."""
    fields: Counter[str] = Counter()
    for _literal, name, spec, conversion in Formatter().parse(text):
        if name is not None:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            fields["{" + name + suffix + "}"] += 1
    return fields


def test_the_extraction_finds_the_messages() -> None:
    messages = code_messages()
    assert "Why these labels" in messages  # in a template
    assert "Share of voice" in messages
    assert "error" in messages  # inside an f-string in cli.py
    # Written over three lines with implicit concatenation in commands/importing.py.
    assert (
        "{file}: {read} rows read, {new} new posts, {updated} updated, {same} already stored, "
        "{dups} repeated in the file, {rejected} rejected, in {secs} s ({rate} rows/s)"
    ) in messages


def test_every_message_has_a_french_translation() -> None:
    french = i18n.catalogue("fr")
    missing = {m: where for m, where in code_messages().items() if not french.get(m, "").strip()}
    assert not missing, "messages without a French translation in rumeur.po:\n" + "\n".join(
        f"  {m!r}  ({', '.join(where)})" for m, where in sorted(missing.items())
    )


def test_sentiment_labels_are_translated() -> None:
    french = i18n.catalogue("fr")
    assert {s: french.get(s) for s in SENTIMENTS} == {
        "negative": "négatif",
        "neutral": "neutre",
        "positive": "positif",
        "unknown": "inconnu",
    }


def test_translations_keep_the_placeholders() -> None:
    wrong = {
        msgid: (sorted(placeholders(msgid)), sorted(placeholders(text)))
        for msgid, text in i18n.catalogue("fr").items()
        if placeholders(msgid) != placeholders(text)
    }
    assert not wrong, "translations whose {placeholders} differ (msgid, msgstr):\n" + "\n".join(
        f"  {m!r}: {fields}" for m, fields in sorted(wrong.items())
    )


def test_no_obsolete_entries() -> None:
    obsolete = po_ids() - set(code_messages()) - SENTIMENTS
    assert not obsolete, f"rumeur.po entries no longer used in the code: {sorted(obsolete)}"


def test_catalogue_header() -> None:
    with PO_FILE.open("rb") as fh:
        catalog = read_po(fh)
    assert str(catalog.locale) == "fr"
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    assert catalog.charset.lower() == "utf-8"


def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.gettext("Share of voice") == "Share of voice"  # English by default
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    assert i18n.language() == "fr"
    assert i18n.gettext("Share of voice") == "Part de voix"
    assert i18n._("{n} posts found").format(n=3) == "3 publications trouvées"
    monkeypatch.setenv("RUMEUR_LANG", "en")
    assert i18n.gettext("Share of voice") == "Share of voice"
    monkeypatch.delenv("RUMEUR_LANG")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert i18n.gettext("Share of voice") == "Part de voix"


def test_explicit_choice_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "en")
    i18n.set_language("fr")
    assert i18n.gettext("Share of voice") == "Part de voix"
    i18n.set_language("en")
    assert i18n.gettext("Share of voice") == "Share of voice"
    i18n.set_language("xx")  # unknown: English
    assert i18n.language() == "en"


def test_unknown_message_falls_back_to_english() -> None:
    i18n.set_language("fr")
    assert i18n.gettext("not a message of the catalogue") == "not a message of the catalogue"


def test_number_grouping() -> None:
    i18n.set_language("en")
    assert i18n.number(11570) == "11,570"
    assert i18n.number(1234.56, 1) == "1,234.6"
    i18n.set_language("fr")
    assert i18n.number(11570) == "11\u202f570"  # narrow no-break space, as CLDR has it
    assert i18n.number(1234.56, 1) == "1\u202f234,6"
