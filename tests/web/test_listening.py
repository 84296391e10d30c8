"""The listening pages on the real demo data: the dashboard's figures against direct counts of
the stored posts, the mention stream and its filters, a post's explanation, the CSV export, the
department's narrowed view, and both languages."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from rumeur.i18n import number, using
from rumeur.store.schema import post_brands, posts
from rumeur.web import tokens
from website import Site, csrf_of


def count(site: Site, *where) -> int:
    query = select(func.count()).select_from(posts).where(*where)
    with site.store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def brand_posts(site: Site, brand: str) -> int:
    query = (
        select(func.count())
        .select_from(post_brands)
        .where(post_brands.c.workspace == "united", post_brands.c.brand == brand)
    )
    with site.store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_the_dashboard_shows_the_demo_figures(site: Site) -> None:
    page = site.client("ana").get("/w/united/dashboard")
    assert page.status_code == 200
    total = count(site)
    assert re.search(r'data-testid="kpi-posts">' + re.escape(number(total)) + "<", page.text)
    table = page.text.split('data-testid="share-of-voice"')[1].split("</table>")[0]
    for brand in ("United", "American", "US Airways", "Southwest", "Delta", "Virgin America"):
        # a brand and its posts may be links to the mentions: the cells' text is what counts
        cells = rf'<td>(<a [^>]+>)?{brand}(</a>)?</td><td class="num">(<a [^>]+>)?{{}}(</a>)?</td>'
        assert re.search(cells.format(re.escape(number(brand_posts(site, brand)))), table)
    assert "<svg" in page.text and "Volume per brand" in page.text
    assert "Lost Luggage" in page.text  # complaint reasons
    assert 'data-testid="leaders"' in page.text


def test_the_dashboard_period_can_be_chosen(site: Site) -> None:
    client = site.client("ana")
    one_day = client.get("/w/united/dashboard?since=2015-02-22&until=2015-02-22")
    assert one_day.status_code == 200
    assert "Feb 22, 2015 – Feb 22, 2015" in one_day.text
    bad = client.get("/w/united/dashboard?period=1y")
    assert bad.status_code == 400
    assert "period: &#39;1y&#39; is not one of 7d, 30d, 90d" in bad.text


def test_the_stream_filters_with_a_boolean_query(site: Site) -> None:
    client = site.client("ana")
    page = client.get("/w/united/stream", params={"q": '"lost luggage" OR (bag NEAR/2 lost)'})
    assert page.status_code == 200
    texts = re.findall(r'data-testid="post-text">(.*?)</p>', page.text, re.S)
    assert 0 < len(texts) <= 25
    assert all(re.search(r"lost|bag", t, re.I) for t in texts)
    negative = client.get("/w/united/stream", params={"q": "delayed", "sentiment": "negative"})
    assert 'class="badge sentiment-negative"' in negative.text
    assert 'sentiment-positive"' not in negative.text


def test_a_malformed_query_says_where_on_the_page(site: Site) -> None:
    page = site.client("ana").get("/w/united/stream", params={"q": "(bag AND"})
    assert page.status_code == 400
    assert 'data-testid="query-error"' in page.text
    assert 'value="(bag AND"' in page.text  # kept in the form, to be corrected


def test_the_stream_pages_newest_first_without_repeats(site: Site) -> None:
    client = site.client("ana")
    seen: list[int] = []
    url = "/w/united/stream?sentiment=positive"
    for _ in range(3):
        page = client.get(url, headers={"HX-Request": "true"} if seen else {})
        seen += [int(i) for i in re.findall(r'data-testid="post" data-id="(\d+)"', page.text)]
        more = re.search(r'data-testid="more" href="([^"]+)"', page.text)
        assert more
        url = more.group(1).replace("&amp;", "&")
    assert len(seen) == 75 == len(set(seen))
    with site.store.engine.connect() as conn:
        newest = list(
            conn.execute(
                select(posts.c.id)
                .where(posts.c.sentiment == "positive")
                .order_by(posts.c.created_at.desc(), posts.c.id.desc())
                .limit(75)
            ).scalars()
        )
    assert seen == newest


def test_a_post_opens_on_its_explanation(site: Site) -> None:
    with site.store.engine.connect() as conn:
        post_id = conn.execute(
            select(posts.c.id).where(posts.c.reason == "Lost Luggage").limit(1)
        ).scalar_one()
    page = site.client("ana").get(f"/w/united/posts/{post_id}")
    assert page.status_code == 200
    assert 'data-testid="why-sentiment"' in page.text
    assert "Given by the annotators of the data set" in page.text
    assert "Rumeur sentiment model (linear), version 1.0.0" in page.text
    assert 'data-testid="why-reason"' in page.text
    assert "The words that weighed most" in page.text
    assert site.client("ana").get("/w/united/posts/999999999").status_code == 404


def test_the_export_is_the_filtered_view(site: Site) -> None:
    answer = site.client("ana").get("/w/united/export.csv", params={"q": "luggage"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows and all("luggage" in r["text"].lower() for r in rows)
    with site.store.engine.connect() as conn:
        words = conn.execute(select(posts.c.search_text)).scalars()
        expected = sum(" luggage " in f" {w} " for w in words)  # the word, not a part of one
    assert len(rows) == expected


def test_a_department_sees_its_items_only(site: Site) -> None:
    client = site.client("bea")  # baggage: Lost Luggage, Damaged Luggage
    page = client.get("/w/united/dashboard")
    assert 'data-testid="scope"' in page.text
    mine = count(site, posts.c.reason.in_(["Lost Luggage", "Damaged Luggage"]))
    assert f'data-testid="kpi-posts">{number(mine)}<' in page.text
    stream = client.get("/w/united/stream")
    reasons = set(re.findall(r'class="badge reason">([^<]+)<', stream.text))
    assert reasons and reasons <= {"Lost Luggage", "Damaged Luggage"}
    with site.store.engine.connect() as conn:
        late = conn.execute(
            select(posts.c.id).where(posts.c.reason == "Late Flight").limit(1)
        ).scalar_one()
    assert client.get(f"/w/united/posts/{late}").status_code == 404
    exported = list(csv.DictReader(io.StringIO(client.get("/w/united/export.csv").text)))
    assert len(exported) == mine
    assert client.get("/admin/users").status_code == 403


def test_the_language_is_the_users_choice_and_is_remembered(site: Site) -> None:
    client = site.client("cyril")
    page = client.get("/w/united/dashboard")
    assert "Share of voice" in page.text
    answer = client.post(
        "/language",
        data={"csrf": csrf_of(page.text), "language": "fr", "back": "/w/united/dashboard"},
    )
    assert answer.status_code == 303
    french = client.get("/w/united/dashboard")
    assert '<html lang="fr">' in french.text
    assert "Part de voix" in french.text
    with using("fr"):
        assert number(count(site)) in french.text  # French digit grouping
    again = site.client()  # a new browser: the saved choice comes back at sign-in
    from website import sign_in

    sign_in(again, "cyril")
    assert '<html lang="fr">' in again.get("/account").text


def test_the_api_serves_the_same_figures(site: Site) -> None:
    from fastapi.testclient import TestClient

    from rumeur.web.app import create_app

    token = tokens.issue(site.store, site.users["ana"].id)
    client = TestClient(create_app(site.settings, site.store))
    headers = {"Authorization": f"Bearer {token}"}
    figures = client.get("/api/w/united/dashboard", headers=headers).json()
    assert figures["posts"] == count(site)
    found = client.get("/api/w/united/posts", params={"q": "luggage", "limit": 5}, headers=headers)
    body = found.json()
    assert len(body["posts"]) == 5 and body["next"]
    following = client.get(
        "/api/w/united/posts", params={"q": "luggage", "limit": 5, "before": body["next"]},
        headers=headers,
    ).json()  # fmt: skip
    assert not {p["id"] for p in body["posts"]} & {p["id"] for p in following["posts"]}
    bad = client.get("/api/w/united/posts", params={"q": "(luggage"}, headers=headers)
    assert bad.status_code == 400 and "error" in bad.json()
    tokens.revoke(site.store, site.users["ana"].id)
    assert client.get("/api/me", headers=headers).status_code == 401


def test_every_response_has_a_strict_content_security_policy(site: Site) -> None:
    client = site.client("ana")
    for url in ("/signin", "/w/united/dashboard", "/static/rumeur.css", "/nowhere"):
        policy = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_unknown_addresses_and_crashes_answer_pages_with_the_headers(
    site: Site, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    client = site.client("ana")
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert "There is nothing at this address." in missing.text
    assert client.get("/api/nowhere").json() == {"error": "Not Found"}

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr("rumeur.web.pages.read_dashboard", broken)
    from fastapi.testclient import TestClient

    from rumeur.web.app import create_app

    crash = TestClient(create_app(site.settings, site.store), raise_server_exceptions=False)
    crash.cookies.update(client.cookies)
    answer = crash.get("/w/united/dashboard")
    assert answer.status_code == 500
    assert "the error is in its log" in answer.text
    assert "a bug" not in answer.text
    assert "script-src 'self'" in answer.headers["content-security-policy"]


def test_one_end_of_a_period_is_enough(site: Site) -> None:
    client = site.client("ana")
    since = client.get("/w/united/dashboard?since=2015-02-20")
    assert "Feb 20, 2015 – Feb 24, 2015" in since.text
    until = client.get("/w/united/dashboard?until=2015-02-18")
    assert "Jan 20, 2015 – Feb 18, 2015" in until.text
