"""Every page of the web app, in English and in French, on the demo data with the storm's alerts
and on a small inbox: no English left on a French page, no French on an English one, and no
internal identifier shown anywhere.

The pages are found as a person finds them: from the first page, every link and every htmx
fragment of the app is followed (a few of each kind: two posts, two alerts, not every one),
then the pages no link leads to are added (sign-in, the error pages). `tests/page_text.py` says
what a person reads on a page and how a text in the wrong language is told; the text people
wrote (posts, names, notes, statements) is left out, as the templates mark it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from alerting_support import open_storm_alerts
from page_text import Leftovers, page_texts
from rumeur.alerts.kinds import INFLUENCER, KINDS
from rumeur.store import Store
from rumeur.web.app import create_app
from rumeur.web.auth import LANG_COOKIE
from website import Site, sign_in

LANGUAGES = ("en", "fr")
# Never shown to people: alert kinds and baselines by their code, posts by their key, the
# models' features and placeholders, the models by their internal names.
IDENTIFIERS = (
    "hour-of-day", "post:x:", "post:bluesky:", "post:mastodon:", "__fr", "__en", "NEG_",
    "_user", "_url", "rumeur-sentiment-linear", "rumeur-language-linear", "+lingua",
    *[k for k in KINDS if k != INFLUENCER],  # "influencer" is also a word
)  # fmt: skip
PER_KIND = 2  # pages visited per kind of page (path with its numbers and query names)
# Every alert of the storm and its report: each kind of alert tells its story its own way.
EVERY = ("/w/united/alerts/{n}?", "/w/united/alerts/{n}/report.html?")
MOST = 160  # pages per walk at most: the crawl cannot run away


@dataclass
class Walk:
    """The pages one signed-in person reaches, with what is wrong on each."""

    client: TestClient
    language: str
    leftovers: Leftovers
    seen: dict[str, int] = field(default_factory=dict)  # url -> status
    kinds: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def crawl(self, *starts: str) -> None:
        queue = list(starts)
        while queue and len(self.seen) < MOST:
            url = queue.pop(0)
            if url in self.seen:
                continue
            queue += self.visit(url)

    def visit(self, url: str, expect: tuple[int, ...] = (200,)) -> list[str]:
        answer = self.client.get(url)
        self.seen[url] = answer.status_code
        if answer.is_redirect:
            return [answer.headers["location"]]
        if answer.status_code not in expect:
            self.problems.append(f"{url}: answered {answer.status_code}")
        if "text/html" not in answer.headers.get("content-type", ""):
            return []
        self.check(url, answer.text)
        return [link for link in links(url, answer.text) if self.worth(link)]

    def check(self, url: str, html: str) -> None:
        if "<html" in html and f'<html lang="{self.language}"' not in html:
            self.problems.append(f"{url}: the page does not say lang={self.language!r}")
        for text in page_texts(html):
            shown = [i for i in IDENTIFIERS if i in text.text]
            if shown:
                self.problems.append(f"{url}: identifier {shown} in {text.where}: {text.text!r}")
            if text.user:
                continue
            wrong = self.leftovers.check(text.text, text.language or self.language)
            if wrong:
                self.problems.append(f"{url}: {wrong} in {text.where}: {text.text!r}")

    def worth(self, url: str) -> bool:
        """A page of the app not seen yet, of a kind seen fewer than PER_KIND times."""
        if url in self.seen or not wanted(url):
            return False
        kind = kind_of(url)
        if self.kinds[kind] >= PER_KIND and kind not in EVERY:
            return False
        self.kinds[kind] += 1
        return True


LINK = re.compile(r'\b(?:href|hx-get)="([^"]+)"')
SKIPPED = ("/static/", "/api/", "/signout", "/language")


def links(page: str, html: str) -> list[str]:
    found = []
    for raw in LINK.findall(html):
        url = urljoin(page, raw.replace("&amp;", "&"))
        parts = urlsplit(url)
        if not parts.netloc or parts.netloc == "testserver":
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def wanted(url: str) -> bool:
    path = urlsplit(url).path
    return path.startswith("/") and not path.startswith(SKIPPED) and not path.endswith(".csv")


def kind_of(url: str) -> str:
    """The page a url shows, without its numbers and its query's values: /w/united/posts/{n}."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", parts.path)
    return path + "?" + "&".join(sorted({k for k, _ in parse_qsl(parts.query)}))


def signed_in(app_client: TestClient, name: str, language: str) -> TestClient:
    sign_in(app_client, name)
    app_client.cookies.set(LANG_COOKIE, language)
    return app_client


@pytest.fixture(scope="module")
def leftovers() -> Leftovers:
    return Leftovers()


@pytest.fixture(scope="module")
def stormy(site: Site) -> Site:
    open_storm_alerts(site)
    return site


# The kinds of page the walk must have reached on the demo: a link that disappears, or a page
# whose links stop being followed, fails the walk rather than hiding a page from it.
DEMO_PAGES = (
    "/w/united/dashboard", "/w/united/stream", "/w/united/posts/{n}", "/w/united/alerts",
    "/w/united/alerts/{n}", "/w/united/alerts/{n}/report.html", "/account", "/admin/users",
)  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_the_demo_speaks_one_language(
    stormy: Site, leftovers: Leftovers, language: str
) -> None:
    walk = Walk(signed_in(stormy.client(), "ada", language), language, leftovers)
    walk.crawl("/")
    reached = {kind_of(url).split("?")[0] for url in walk.seen}
    missing = [p for p in (*DEMO_PAGES, *settings_pages(stormy)) if p not in reached]
    assert not missing, f"the walk did not reach {missing}; it saw {sorted(reached)}"
    rooms = {u for u in walk.seen if re.fullmatch(r"/w/united/alerts/\d+", u)}
    assert len(rooms) == alert_count(stormy) > 1, sorted(rooms)
    errors(walk, stormy)
    assert not walk.problems, report(walk)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_department_s_pages_speak_one_language(
    stormy: Site, leftovers: Leftovers, language: str
) -> None:
    """A department user's pages say what they are narrowed to, in their own sentences."""
    walk = Walk(signed_in(stormy.client(), "bea", language), language, leftovers)
    walk.crawl("/")
    reached = {kind_of(url).split("?")[0] for url in walk.seen}
    assert {"/w/united/dashboard", "/w/united/stream", "/account"} <= reached, sorted(reached)
    assert not walk.problems, report(walk)


def alert_count(site: Site) -> int:
    from sqlalchemy import func, select

    from rumeur.store.schema import alerts

    with site.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(alerts)).scalar_one()


def settings_pages(site: Site) -> list[str]:
    """The settings area's first page, once the app has one."""
    app = create_app(site.settings, site.store)
    paths = {getattr(r, "path", "") for r in app.routes}
    return ["/w/united/settings"] if "/w/{slug}/settings" in paths else []


def errors(walk: Walk, site: Site) -> None:
    """The pages no link leads to: the error pages, and sign-in for someone signed out."""
    walk.visit("/w/united/posts/999999999", expect=(404,))
    walk.visit("/no/such/page", expect=(404,))
    walk.visit("/w/united/stream?q=(bag%20AND", expect=(400,))
    walk.visit("/w/united/dashboard?period=1y", expect=(400,))
    department = signed_in(site.client(), "bea", walk.language)
    Walk(department, walk.language, walk.leftovers, walk.seen, problems=walk.problems).visit(
        "/w/united/alerts", expect=(403,)
    )
    stranger = site.client()
    stranger.cookies.set(LANG_COOKIE, walk.language)
    Walk(stranger, walk.language, walk.leftovers, walk.seen, problems=walk.problems).visit(
        "/signin"
    )


@pytest.fixture(scope="module")
def inbox_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Store]]:
    from inbox_site import make_inbox

    store = Store.open(str(Path(tmp_path_factory.mktemp("walk")) / "inbox.db"))
    try:
        yield make_inbox(store), store
    finally:
        store.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_the_inbox_speaks_one_language(
    inbox_app: tuple[object, Store], leftovers: Leftovers, language: str
) -> None:
    inbox, store = inbox_app
    client = TestClient(create_app(inbox.settings, store), follow_redirects=False)  # type: ignore[attr-defined]
    walk = Walk(signed_in(client, "ada", language), language, leftovers)
    walk.crawl("/w/laposte/inbox")
    reached = {kind_of(url).split("?")[0] for url in walk.seen}
    wanted_pages = ("/w/laposte/inbox", "/w/laposte/inbox/{n}", "/w/laposte/inbox/approvals")
    missing = [p for p in (*wanted_pages, "/w/laposte/inbox/rules") if p not in reached]
    assert not missing, f"the walk did not reach {missing}; it saw {sorted(reached)}"
    assert not walk.problems, report(walk)


def report(walk: Walk) -> str:
    lines = sorted(set(walk.problems))
    head = f"{len(lines)} problems on {len(walk.seen)} pages in {walk.language!r}:\n"
    return head + "\n".join(f"  {line}" for line in lines[:200])


def test_the_method_tells_the_languages_apart(leftovers: Leftovers) -> None:
    """The walk's checks on texts it must flag and texts it must let be."""
    assert leftovers.check("Share of voice", "fr") and leftovers.check("Part de voix", "en")
    assert leftovers.check("Part de voix", "fr") is None
    assert leftovers.check("Share of voice", "en") is None
    assert leftovers.check("3 posts found", "fr")  # a message with its {n} filled in
    assert leftovers.check("3 publications trouvées", "en")
    assert leftovers.check("Posts about the brand", "fr")  # a function word of English
    assert leftovers.check("Date", "fr") is None  # the same word in both languages
    assert leftovers.check('("lost bag" OR luggage) AND NOT refund', "fr") is None  # operators


def test_people_s_text_is_told_from_the_interface() -> None:
    html = (
        '<html lang="fr"><body><p data-testid="post-text">the flight was late</p>'
        "<td data-user-text>not happy (negated)</td><bdi>Ada Lovelace</bdi>"
        '<p lang="en">We are sorry</p><a href="/w/u/stream?q=%22customer%22">customer</a>'
        '<a href="/w/u/stream?q=delays">Voir les publications</a>'
        '<button title="Copier">Copy</button><script>var the = 1;</script></body></html>'
    )
    shown = {t.text: (t.user, t.language) for t in page_texts(html)}
    assert shown["the flight was late"] == (True, "fr")
    assert shown["not happy (negated)"][0] and shown["Ada Lovelace"][0]
    assert shown["We are sorry"] == (False, "en")
    assert shown["customer"][0] and not shown["Voir les publications"][0]
    assert shown["Copier"] == (False, "fr") and shown["Copy"] == (False, "fr")
    assert "var the = 1;" not in shown
