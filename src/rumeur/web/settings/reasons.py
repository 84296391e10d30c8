"""A refused value's reason in the reader's language. The settings' one-line errors are the
settings file's (config.one_line: pydantic's words, in English, for the command line); shown
next to a field of a form, the usual ones are said again in the request's language, and in
words for people rather than a regular expression. A reason this table does not know is shown
as the settings gave it."""

from __future__ import annotations

import re
from collections.abc import Callable

from rumeur.i18n import _

Say = Callable[[re.Match[str], str], str]


def _form(_match: re.Match[str], key: str) -> str:
    """A value that does not match its field's pattern: what the field takes."""
    if key.endswith("_env"):
        return _("the name of an environment variable: capital letters, digits and _")
    if key in ("slug", "name"):
        return _("lower-case letters, digits, - and _, starting with a letter or a digit")
    return _("not in the form this field takes")


KNOWN: tuple[tuple[re.Pattern[str], Say], ...] = (
    (
        re.compile(r"^string should match pattern '\^\[\^\*\]'"),
        lambda m, k: _("may not start with *"),
    ),
    (re.compile(r"^string should match pattern"), _form),
    (re.compile(r"^input should be a valid number"), lambda m, k: _("not a number")),
    (re.compile(r"^input should be a valid integer"), lambda m, k: _("not a whole number")),
    (
        re.compile(r"^input should be greater than or equal to (\S+)"),
        lambda m, k: _("at least {n}").format(n=m.group(1)),
    ),
    (
        re.compile(r"^input should be greater than (\S+)"),
        lambda m, k: _("more than {n}").format(n=m.group(1)),
    ),
    (
        re.compile(r"^input should be less than or equal to (\S+)"),
        lambda m, k: _("at most {n}").format(n=m.group(1)),
    ),
    (
        re.compile(r"^input should be less than (\S+)"),
        lambda m, k: _("less than {n}").format(n=m.group(1)),
    ),
    (
        re.compile(r"^(string should have at least 1 character|required key is missing)"),
        lambda m, k: _("required"),
    ),
    (
        re.compile(r"^input should be a valid timedelta"),
        lambda m, k: _("a duration such as 30m, 2h or 1d"),
    ),
    (re.compile(r"^input should be a valid date"), lambda m, k: _("a date such as 2026-12-25")),
    (re.compile(r"^list should have at least 1 item"), lambda m, k: _("give at least one")),
)


def in_words(reason: str, path: str) -> str:
    """`reason` (what follows the key path in a settings error) said for people; `path` is the
    key it is about (`competitors[1].name`). What was typed, `(got ...)`, is kept."""
    more = re.search(r"; and (\d+) more problems?$", reason)
    if more:
        reason = reason[: more.start()]
    head, got, rest = reason.partition(" (got ")
    key = re.sub(r"\[\d+\]", "", path).rsplit(".", 1)[-1]
    for pattern, say in KNOWN:
        found = pattern.match(head)
        if found:
            reason = say(found, key)
            if got:
                typed = rest.removesuffix(")")
                reason = _("{reason} (typed: {value})").format(reason=reason, value=typed)
            break
    if more:
        reason += _("; and {n} more to correct").format(n=more.group(1))
    return reason
