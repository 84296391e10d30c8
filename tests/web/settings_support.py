"""What the settings pages' tests share: a settings form read from its page as a browser would
send it (hidden fields, text, checked boxes, chosen options), changed, and posted back."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient


class _Form(HTMLParser):
    """The fields of the page's `settings-form`, in order: (name, value) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.textarea: str | None = None
        self.text = ""
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("data-testid") == "settings-form":
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and "name" in a:
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A textarea drops one newline right after its start tag, as browsers do.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [v for v, on in self.options if on] or [v for v, _ in self.options[:1]]
            self.fields.append((self.select, chosen[0] if chosen else ""))
            self.select = None


def form_fields(html: str) -> list[tuple[str, str]]:
    reader = _Form()
    reader.feed(html)
    assert reader.fields, "no settings form in the page"
    return reader.fields


class Form:
    """A settings page's form as sent by a browser, to change before posting it."""

    def __init__(self, client: TestClient, path: str) -> None:
        page = client.get(path)
        assert page.status_code == 200, page.text[:300]
        self.client = client
        self.path = path
        self.fields = form_fields(page.text)

    def get(self, name: str) -> str:
        return next(v for k, v in self.fields if k == name)

    def set(self, name: str, value: str | bool) -> Form:
        """Set a field (a checkbox: True checks it, False unchecks it)."""
        others = [(k, v) for k, v in self.fields if k != name]
        if value is False:
            self.fields = others
        elif any(k == name for k, _ in self.fields):
            self.fields = [
                (k, ("1" if value is True else value) if k == name else v) for k, v in self.fields
            ]
        else:
            self.fields.append((name, "1" if value is True else str(value)))
        return self

    def post(self, **headers: str) -> Any:
        body = "&".join(f"{_q(k)}={_q(v)}" for k, v in self.fields)
        return self.client.post(
            self.path,
            content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )


def _q(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value)
