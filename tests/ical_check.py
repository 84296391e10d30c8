"""A small RFC 5545 reader for the tests (no dependency): lines unfolded, the calendar's
BEGIN/END balanced, each VEVENT's properties with their TEXT values unescaped."""

from __future__ import annotations

import re

_ESCAPES = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}


def unescape(value: str) -> str:
    return re.sub(r"\\[\\;,nN]", lambda m: _ESCAPES[m.group()], value)


def events(text: str) -> list[dict[str, str]]:
    """The VEVENTs of a VCALENDAR, each {property: unescaped value}; AssertionError when the
    text is not one well-formed calendar."""
    assert text.endswith("\r\n"), "the last line ends with CRLF"
    assert "\n" not in text.replace("\r\n", ""), "a bare LF"
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    lines = unfolded.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR", lines[:1] + lines[-1:]
    found: list[dict[str, str]] = []
    stack: list[str] = []
    for line in lines:
        name, sep, value = line.partition(":")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9-]*(;[^:]*)?", name), line
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                found.append({})
        elif name == "END":
            assert stack and stack.pop() == value, line
        elif stack and stack[-1] == "VEVENT":
            found[-1][name.split(";")[0]] = unescape(value)
    assert not stack
    return found
