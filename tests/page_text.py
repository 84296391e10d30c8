"""What a person reads on a page or in a terminal, and whether it is in the language asked for.

`page_texts` reads a page's HTML as a browser shows it: every text node, and the attributes a
person sees (a tooltip, a placeholder, an image's text, a button's label, the copy button's
"copied"), each with the language its element declares (`lang`, inherited from `<html>`: a
holding statement's English version says `lang="en"` on a French page).

Text that people wrote rather than the interface is marked, so that the checks leave it alone:
an element with `data-user-text` (a post's words, a note), a `<bdi>` (a name or a text of
unknown direction), a `<textarea>`, the post text and author containers of the templates
(`data-testid="post-text"`, class `text`, `title` or `author`), code (`<code>`, `<kbd>`,
`<pre>`, `<samp>`: commands and queries) and a search link that shows the words it searches
(the dashboard's top terms and authors link to their posts).

`Leftovers` decides, with the French catalogue, whether a text is in the wrong language:

- on a French page, a text that is an English message of the catalogue whose French differs
  (as a whole, or as a message with `{placeholders}` filled in) was left untranslated, and a
  text holding an English function word ("the", "with", "your") was written without `_()`;
- on an English page, the same with the French translations and French function words.

A text that is also a message of the right language ("Date", "Total", "Sentiment") is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from urllib.parse import parse_qsl, urlsplit

# Attributes a person reads: a tooltip, a field's hint, an image's text, a screen reader's
# label, a button's value, and what rumeur.js writes on a copy button once it copied.
SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label", "data-done")
_VOID = "area base br col embed hr img input link meta param source track wbr"
VOID = frozenset(_VOID.split())
NOT_SHOWN = frozenset({"script", "style"})
USER_CLASSES = frozenset({"text", "title", "author", "note-text"})
VERBATIM = frozenset({"bdi", "textarea", "code", "kbd", "pre", "samp"})

# Words of one language that the other never uses: the function words an untranslated sentence
# cannot do without. None of them is a word of the other language, nor a brand of the demo.
_ENGLISH = """the and with from this that these those your you are is was were not which when
what who how there here will would should have has been of to by for into than about only every
each since their they them we our its it be if at"""
_FRENCH = """les des une est pour avec dans sur pas aucun aucune tous toutes cette ces leur leurs
mais être été vous nous sont depuis selon chaque où à ni très déjà puis"""
ENGLISH_WORDS, FRENCH_WORDS = frozenset(_ENGLISH.split()), frozenset(_FRENCH.split())
# The language switch names each language in its own words, on every page.
AUTONYMS = frozenset({"English", "français", "Français"})
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    user: bool  # written by people (a post, a name, a note), not by the interface
    where: str  # the element and attribute it was read from: "td", "button@title"
    language: str = ""  # the `lang` its element declares or inherits, "" when none does


@dataclass(frozen=True, slots=True)
class _Open:
    tag: str
    user: bool
    hidden: bool
    language: str
    searched: str  # a search link's query, lower-cased: its text may be the searched words


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.found: list[Text] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        top = self.stack[-1] if self.stack else _Open("", False, False, "", "")
        user = top.user or _marked(tag, values)
        language = (values.get("lang") or top.language)[:2].lower()
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self._add(values[name] or "", user, f"{tag}@{name}", language)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self._add(values["value"] or "", user, "input@value", language)
        if tag not in VOID:
            hidden = top.hidden or tag in NOT_SHOWN
            self.stack.append(_Open(tag, user, hidden, language, _searched(tag, values)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        top = self.stack[-1] if self.stack else _Open("", False, False, "", "")
        if top.hidden:
            return
        words = " ".join(data.split()).lower().lstrip("#@")
        user = top.user or bool(words and top.searched and words in top.searched)
        self._add(data, user, top.tag, top.language)

    def _add(self, text: str, user: bool, where: str, language: str) -> None:
        text = " ".join(text.split())
        if text:
            self.found.append(Text(text, user, where, language))


def _searched(tag: str, values: dict[str, str | None]) -> str:
    if tag != "a":
        return ""
    query = dict(parse_qsl(urlsplit(values.get("href") or "").query))
    return query.get("q", "").lower()


def _marked(tag: str, values: dict[str, str | None]) -> bool:
    if tag in VERBATIM or "data-user-text" in values:
        return True
    if values.get("data-testid") == "post-text":
        return True
    return bool(USER_CLASSES & set((values.get("class") or "").split()))


def page_texts(html: str) -> list[Text]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found


@dataclass(frozen=True, slots=True)
class _Message:
    source: str  # the English message
    translation: str  # its French


class Leftovers:
    """Finds the texts of a page or a command's output that are in the other language."""

    def __init__(self) -> None:
        messages = _messages()
        self.english = {m.source for m in messages}
        self.french = {m.translation for m in messages}
        differ = [m for m in messages if m.source != m.translation]
        self.exact = {
            "fr": {m.source: m.translation for m in differ},  # English shown on a French page
            "en": {m.translation: m.source for m in differ},  # French shown on an English page
        }
        self.patterns = {
            "fr": [_Pattern(m.source) for m in differ if _Pattern.usable(m.source)],
            "en": [_Pattern(m.translation) for m in differ if _Pattern.usable(m.translation)],
        }

    def check(self, text: str, language: str) -> str | None:
        """Why `text` is not in `language` ("fr" or "en"), or None when it is."""
        right = self.french if language == "fr" else self.english
        if text in right or text in AUTONYMS:
            return None
        wrong = self.exact[language].get(text)
        if wrong is not None:
            return f"the message {text!r} untranslated"
        for pattern in self.patterns[language]:
            if pattern.matches(text):
                return f"the message {pattern.message!r} untranslated"
        words = ENGLISH_WORDS if language == "fr" else FRENCH_WORDS
        # Capitals are the query language's operators (AND, NOT), the same in both languages.
        found = sorted({w for w in WORD.findall(text) if w.lower() in words and not w.isupper()})
        if found:
            return f"{'English' if language == 'fr' else 'French'} words {found}"
        return None


class _Pattern:
    """A message with `{placeholders}`, as a regular expression its filled-in texts match."""

    FIELD = re.compile(r"\{[^{}]*\}")

    def __init__(self, message: str) -> None:
        self.message = message
        parts = self.FIELD.split(message)
        self.needle = max(parts, key=len)  # a cheap test before the regular expression
        self.regex = re.compile(".+?".join(re.escape(p) for p in parts) + r"\Z", re.S)

    @classmethod
    def usable(cls, message: str) -> bool:
        """With a field, and enough words besides its fields to be told from other texts."""
        if not cls.FIELD.search(message):
            return False
        literal = cls.FIELD.sub(" ", message)
        return len([w for w in WORD.findall(literal) if len(w) >= 3]) >= 2

    def matches(self, text: str) -> bool:
        return self.needle in text and self.regex.match(text) is not None


@cache
def _messages() -> tuple[_Message, ...]:
    from babel.messages.pofile import read_po

    path = resources.files("rumeur") / "locale" / "fr" / "LC_MESSAGES" / "rumeur.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    found = []
    for m in catalog:
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string:
            found.append(_Message(m.id, m.string))
        elif m.id and isinstance(m.id, tuple):  # a plural: each form against each form
            forms = [s for s in m.string if s] if isinstance(m.string, tuple) else []
            found += [_Message(m.id[i], f) for i, f in enumerate(forms[:2])]
    return tuple(found)
