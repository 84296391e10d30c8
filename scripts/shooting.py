"""What the screenshot scripts share (scripts/screenshots.py and the *_shots.py beside it): the
password of the accounts they make in their throw-away databases, and a page signed in through
the sign-in form."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "screenshots only, thrown away"


def signed_in(
    browser: Any,
    base: str,
    language: str,
    *,
    name: str = "camille",
    width: int = 1440,
    timeout_ms: int | None = None,
) -> Any:
    """A page in a fresh `width`-pixel context in `language`, signed in as `name` through the
    form. `timeout_ms`: Playwright's wait for each step, where a page takes longer to build
    than its 30 s default."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=language, device_scale_factor=1
    )
    page = context.new_page()
    if timeout_ms is not None:
        page.set_default_timeout(timeout_ms)
    page.goto(base + "/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/w/[^/]+/"))
    return page
