"""The pages read plainly, on the demo data: every chart has a title and a subtitle naming its
period, numbers sit right-aligned under right-aligned headers in every table, the change
against the previous period is given only when that period holds enough data (and says why
otherwise), a source without follower counts is said to have none, the account and users pages
keep the other pages' links, and the add-user form starts on the least powerful role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from rumeur.analytics.dashboard import MIN_PREVIOUS_COVERAGE, MIN_PREVIOUS_POSTS, Previous
from rumeur.i18n import percent, using
from rumeur.store.schema import authors, posts
from rumeur.web.accounts import BY_POWER, Role, default_role, find_user
from rumeur.web.figures import day_range
from website import Site, csrf_of, make_site

NUMBER = re.compile(r"[+\-−]?[\d\s\u00a0\u202f.,]*\d%?")  # 1,234 · 1 234 · 26.4% · -56,6 %
CHICAGO = timedelta(hours=6)  # the demo workspace's offset from UTC in February 2015


@dataclass
class Cell:
    tag: str
    classes: set[str]
    text: str = ""


@dataclass
class Table:
    head: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


class _Tables(HTMLParser):
    """Every table of a page: its header row and its body rows, each cell's tag, classes and
    text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.open: list[Table] = []
        self.in_head = False
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.open.append(Table())
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.open:
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.cell = Cell(tag, set((dict(attrs).get("class") or "").split()))
            self.row.append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.open:
            self.tables.append(self.open.pop())
        elif tag == "thead":
            self.in_head = False
        elif tag == "tr" and self.row is not None and self.open:
            if self.in_head:
                self.open[-1].head = self.row
            else:
                self.open[-1].rows.append(self.row)
            self.row = None
        elif tag in ("th", "td"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def tables(html: str) -> list[Table]:
    reader = _Tables()
    reader.feed(html)
    return reader.tables


def misaligned(html: str) -> list[str]:
    """The cells that break the rule: a number without the numbers' class, or a column whose
    header and cells disagree on it. Rows headed by a <th> (a label and its value) have no
    column above their values and are left alone."""
    wrong = []
    for table in tables(html):
        for row in table.rows:
            if row and row[0].tag == "th":
                continue
            for i, cell in enumerate(row):
                text = " ".join(cell.text.split())
                if cell.tag == "td" and NUMBER.fullmatch(text) and "num" not in cell.classes:
                    wrong.append(f"number without class num: {text!r}")
                if table.head and len(row) == len(table.head):
                    head = table.head[i]
                    if ("num" in head.classes) != ("num" in cell.classes):
                        wrong.append(f"column {head.text!r} and its cell {text!r} differ")
    return wrong


def count(site: Site, since: datetime, until: datetime) -> int:
    query = select(func.count()).where(posts.c.created_at >= since, posts.c.created_at < until)
    with site.store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def delta(html: str) -> str:
    found = re.search(r'data-testid="delta">(.*?)</span>', html)
    assert found, "no comparison line under the posts"
    return found.group(1)


@pytest.fixture(scope="module")
def own_site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A copy of the demo whose authors this module changes (followers)."""
    yield from make_site(demo_db, tmp_path_factory.mktemp("readable"))


# --- charts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_dashboard_chart_has_a_title_and_its_period(site: Site, language: str) -> None:
    client = site.client("ana")
    client.cookies.set("rumeur_lang", language)
    page = client.get("/w/united/dashboard?since=2015-02-17&until=2015-02-24").text
    charts = page.count('<svg xmlns="http://www.w3.org/2000/svg"')
    captions = re.findall(
        r'<figcaption class="chart-caption"><span class="chart-title">([^<]+)</span>'
        r'<span class="chart-subtitle">([^<]+)</span></figcaption><svg',
        page,
    )
    assert charts == len(captions) == 5
    with using(language):
        period = day_range(datetime(2015, 2, 17).date(), datetime(2015, 2, 24).date())
        expected = {"Volume per brand", "Sentiment over time", "Emotions", "Complaint reasons"}
        from rumeur.i18n import _

        assert {_(t) for t in expected} < {title for title, _s in captions}
    assert all(period.replace("&", "&amp;") in subtitle for _t, subtitle in captions)


def test_every_crisis_room_chart_has_a_title(site: Site) -> None:
    from alerting_support import an_alert

    alert_id = an_alert(site)
    for url in (f"/w/united/alerts/{alert_id}", f"/w/united/alerts/{alert_id}/report.html"):
        page = site.client("cyril").get(url).text
        titles = re.findall(r'<span class="chart-title">([^<]+)</span>', page)
        assert titles == ["Posts per hour, by sentiment", "Platforms", "Most active authors"]
        subtitles = re.findall(r'<span class="chart-subtitle">([^<]+)</span>', page)
        assert [s.split(" · ")[0] for s in subtitles] == [
            "Posts about United per hour",
            "Posts about United per platform",
            "Posts about United per author",
        ]
        assert all(re.search(r"\d\d:00 – ", s) for s in subtitles)


# --- tables ----------------------------------------------------------------------------------


def test_numbers_are_right_aligned_under_their_headers(site: Site) -> None:
    from alerting_support import an_alert

    alert_id = an_alert(site)
    with site.store.engine.connect() as conn:
        post_id = conn.execute(
            select(posts.c.id).where(posts.c.reason == "Lost Luggage").limit(1)
        ).scalar_one()
    urls = [
        "/w/united/dashboard",
        "/w/united/dashboard?period=7d",
        f"/w/united/posts/{post_id}",
        "/w/united/alerts",
        f"/w/united/alerts/{alert_id}",
        f"/w/united/alerts/{alert_id}/report.html",
        "/w/united/inbox",
        "/admin/users",
        "/account",
    ]
    client = site.client("ada")
    for language in ("en", "fr"):
        client.cookies.set("rumeur_lang", language)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            assert misaligned(page.text) == [], url
    dashboard = client.get("/w/united/dashboard").text
    numeric = [c for t in tables(dashboard) for row in t.rows for c in row if "num" in c.classes]
    assert len(numeric) > 80  # the rule is applied, not merely not broken


def test_the_rule_itself_is_in_the_stylesheet(site: Site) -> None:
    css = site.client().get("/static/rumeur.css").text
    rule = re.search(r"th\.num, td\.num \{([^}]*)\}", css)
    assert rule and "text-align: right" in rule.group(1)
    # No table right-aligns by position any more: only the class does.
    assert "td:not(:first-child) { text-align: right" not in css


def test_the_misalignment_check_catches_what_it_should() -> None:
    head = "<table><thead><tr><th>A</th><th{}>B</th></tr></thead>"
    body = "<tbody><tr><td>x</td><td{}>{}</td></tr></tbody></table>"
    bad_cell = head.format("") + body.format("", "1 234")
    bad_head = head.format("") + body.format(' class="num"', "12,5 %")
    good = head.format(' class="num"') + body.format(' class="num"', "12")
    label = "<table><tbody><tr><th>Score</th><td>118</td></tr></tbody></table>"
    assert misaligned(bad_cell) == ["number without class num: '1 234'"]
    assert misaligned(bad_head) == ["column 'B' and its cell '12,5 %' differ"]
    assert misaligned(good) == misaligned(label) == []


# --- the previous period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posts", "days", "covered", "shortfall"),
    [
        (0, 7, 0, "posts"),
        (MIN_PREVIOUS_POSTS - 1, 7, 7, "posts"),
        (MIN_PREVIOUS_POSTS, 7, 7, None),
        (5000, 7, 1, "days"),
        (5000, 10, round(10 * MIN_PREVIOUS_COVERAGE) - 1, "days"),
        (5000, 10, round(10 * MIN_PREVIOUS_COVERAGE), None),
        (5000, 1, 1, None),
    ],
)
def test_the_previous_period_is_compared_only_with_enough_data(
    posts: int, days: int, covered: int, shortfall: str | None
) -> None:
    previous = Previous.of(1000, posts, days, covered)
    assert previous.shortfall == shortfall
    if shortfall is None:
        assert previous.change == pytest.approx((1000 - posts) / posts)
    else:
        assert previous.change is None


def test_a_week_after_the_data_began_says_why_it_is_not_compared(site: Site) -> None:
    """The demo's data start on 16 February: the week before the last one is barely covered,
    and the page says so instead of "869.3%"."""
    page = site.client("ana").get("/w/united/dashboard?since=2015-02-18&until=2015-02-24").text
    start = datetime(2015, 2, 18, tzinfo=UTC) + CHICAGO
    slices = [start - timedelta(days=7 - i) for i in range(7)]
    covered = sum(count(site, s, s + timedelta(days=1)) > 0 for s in slices)
    assert (
        covered < 7 * MIN_PREVIOUS_COVERAGE and count(site, slices[0], start) >= MIN_PREVIOUS_POSTS
    )
    assert delta(page) == f"previous period too small to compare: posts on {covered} of its 7 days"
    assert "vs the previous period" not in page
    first = site.client("ana").get("/w/united/dashboard?since=2015-02-10&until=2015-02-16").text
    assert delta(first) == "no posts in the previous period to compare with"


def test_a_covered_previous_period_gives_the_change(site: Site) -> None:
    client = site.client("ana")
    client.cookies.set("rumeur_lang", "fr")
    page = client.get("/w/united/dashboard?since=2015-02-24&until=2015-02-24").text
    day = datetime(2015, 2, 24, tzinfo=UTC) + CHICAGO
    now, before = (
        count(site, day, day + timedelta(days=1)),
        count(site, day - timedelta(days=1), day),
    )
    assert before >= MIN_PREVIOUS_POSTS
    with using("fr"):
        assert (
            delta(page) == f"{percent((now - before) / before)} par rapport à la période précédente"
        )


def test_the_api_gives_the_comparison_and_its_reason(site: Site) -> None:
    from rumeur.web import tokens

    token = tokens.issue(site.store, site.users["ana"].id)
    try:
        client = site.client()
        headers = {"Authorization": f"Bearer {token}"}
        week = client.get("/api/w/united/dashboard?period=7d", headers=headers).json()
        day = client.get(
            "/api/w/united/dashboard?since=2015-02-24&until=2015-02-24", headers=headers
        ).json()
    finally:
        tokens.revoke(site.store, site.users["ana"].id)
    assert week["previous"]["shortfall"] == "days" and week["previous"]["change"] is None
    assert week["previous"]["posts"] == week["previous_posts"]
    assert day["previous"]["shortfall"] is None
    assert day["previous"]["change"] == pytest.approx(
        (day["posts"] - day["previous_posts"]) / day["previous_posts"]
    )


# --- followers -------------------------------------------------------------------------------


def test_a_source_without_followers_says_so(own_site: Site) -> None:
    client = own_site.client("ana")
    page = client.get("/w/united/dashboard").text
    leaders = page.split('data-testid="leaders"')[1].split("</table>")[0]
    assert "Followers" not in leaders and "–" not in leaders
    assert 'data-testid="no-followers"' in page
    assert "No follower counts from this source" in page

    with own_site.store.transaction() as conn:
        conn.execute(update(authors).values(followers=1500))
    try:
        page = client.get("/w/united/dashboard").text
        leaders = page.split('data-testid="leaders"')[1].split("</table>")[0]
        assert '<th class="num">Followers</th>' in leaders and "1,500" in leaders
        assert "no-followers" not in page and "some-followers" not in page

        # None and 0 weigh the same in the score: the first leader stays, without a count.
        with own_site.store.transaction() as conn:
            conn.execute(update(authors).values(followers=0))
        leaders = client.get("/w/united/dashboard").text.split('data-testid="leaders"')[1]

        handle = re.search(r'<td><a href="[^"]*">@([^<]+)</a>', leaders)
        assert handle
        with own_site.store.transaction() as conn:
            conn.execute(
                update(authors).where(authors.c.handle == handle.group(1)).values(followers=None)
            )
        page = client.get("/w/united/dashboard").text
        assert "not given" in page.split('data-testid="leaders"')[1].split("</table>")[0]
        assert 'data-testid="some-followers"' in page
    finally:
        with own_site.store.transaction() as conn:
            conn.execute(update(authors).values(followers=None))


# --- navigation and the add-user form --------------------------------------------------------


def nav(html: str) -> list[str]:
    block = html.split('<nav aria-label="')[1].split("</nav>")[0]
    return re.findall(r'<a href="([^"]+)"', block)


@pytest.mark.parametrize("name", ["ada", "ana", "bea"])
def test_the_account_and_users_pages_keep_the_nav(site: Site, name: str) -> None:
    client = site.client(name)
    links = nav(client.get("/w/united/stream").text)
    assert "/w/united/dashboard" in links and "/w/united/stream" in links
    assert nav(client.get("/account").text) == links
    if name == "ada":
        assert {"/w/united/alerts", "/admin/users"} <= set(links)
        assert nav(client.get("/admin/users").text) == links


def test_the_add_user_form_starts_on_the_least_powerful_role(site: Site) -> None:
    client = site.client("ada")
    page = client.get("/admin/users").text
    select_ = page.split('data-testid="new-role"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([a-z_]+)"', select_) == [r.value for r in BY_POWER]
    assert re.findall(r'<option value="([a-z_]+)" selected', select_) == ["department"]
    # The form as it comes, a name and a password filled in: a department account.
    department = re.search(r'data-testid="new-department"><option value="([^"]+)"', page)
    assert department and department.group(1) == "baggage"
    form = {"csrf": csrf_of(page), "name": "newcomer", "password": "x" * 14}
    answer = client.post(
        "/admin/users", data={**form, "role": "department", "department": "baggage"}
    )
    assert answer.status_code == 303
    made = find_user(site.store, "newcomer")
    assert (made.role, made.department) == (Role.DEPARTMENT, "baggage")
    # Another role chosen, the department field left as it was: it is not that role's.
    answer = client.post(
        "/admin/users",
        data={**form, "name": "analyst2", "role": "analyst", "department": "baggage"},
    )
    assert answer.status_code == 303
    made = find_user(site.store, "analyst2")
    assert (made.role, made.department) == (Role.ANALYST, None)


def test_without_departments_the_least_powerful_role_is_care() -> None:
    assert default_role([]) is Role.CARE
    assert default_role(["baggage"]) is Role.DEPARTMENT
    assert BY_POWER[-1] is Role.ADMIN and set(BY_POWER) == set(Role)
