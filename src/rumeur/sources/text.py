"""A post's text as its author wrote it: the character references a payload carries, decoded once.

X (in its API and in the files exported from it, such as the airline data set) writes `&`, `<`
and `>` as `&amp;`, `&lt;` and `&gt;`; Reddit's markdown shows `&amp;` as `&`. The store keeps
the text a reader sees, and escaping for a page stays the templates' job, so a text is decoded
here, at the source, and never again.

Only references closed by `;` are decoded. `html.unescape` alone would also read the legacy
forms without one, turning "Q&A&not" into "Q&A¬" and "fun&times" into "fun×": a post is not
an HTML document, and an author who writes `&` rarely writes a reference by chance.
"""

from __future__ import annotations

import html
import re

# &name; &#233; &#xE9; (the longest entity name in HTML is 31 characters)
_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def unescape(text: str) -> str:
    """`text` with each character reference decoded once: "&amp;amp;" becomes "&amp;", not
    "&". An unknown name ("&foo;") stays as written."""
    if "&" not in text:  # nearly every post: no regular expression to run
        return text
    return _REFERENCE.sub(_decode, text)


def _decode(match: re.Match[str]) -> str:
    # One reference at a time: what it decodes to is never read again.
    return html.unescape(match.group(0))
