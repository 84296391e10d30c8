"""The alerts pages and the crisis room, through the app (TestClient): the list, Ack and Mute
with the form's CSRF token, who may see and respond, the team's log, the downloaded report,
the REST API, and a stranger's text that stays text in the room."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, update

from alerting_support import STORM, an_alert, open_storm_alerts
from rumeur.commands.importing import DEMO_FILE
from rumeur.store.schema import alert_events, alerts
from rumeur.web import tokens
from website import Site, csrf_of

HOSTILE = "<script>window.__pwned = 1</script> united lost my bag"


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_of(client.get("/account").text)


def _status(site: Site, alert_id: int) -> str:
    with site.store.engine.connect() as conn:
        return conn.execute(select(alerts.c.status).where(alerts.c.id == alert_id)).scalar_one()


def test_the_list_shows_the_storm_open_alerts_first(site: Site) -> None:
    an_alert(site)
    page = site.client("ana").get("/w/united/alerts")
    assert page.status_code == 200
    assert 'data-testid="alert"' in page.text
    assert "Volume spike · United" in page.text
    statuses = [s.split(">")[1].split("<")[0] for s in page.text.split('data-testid="status"')[1:]]
    order = {"open": 0, "acknowledged": 1, "muted": 2, "closed": 3}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)


def test_the_top_bar_counts_the_open_alerts(site: Site) -> None:
    an_alert(site)
    with site.store.engine.connect() as conn:
        n = len(conn.execute(select(alerts.c.id).where(alerts.c.status == "open")).all())
    page = site.client("carla").get("/w/united/dashboard").text
    assert f'data-testid="open-alerts" title="open alerts">{n}<' in page
    assert "nav-alerts" not in site.client("bea").get("/w/united/dashboard").text


def test_ack_and_mute_need_the_form_token(site: Site) -> None:
    alert_id = an_alert(site, "US Airways", "negative_surge")
    client = site.client("cyril")
    url = f"/w/united/alerts/{alert_id}"
    assert client.post(url + "/ack", data={"csrf": "forged"}).status_code == 403
    assert _status(site, alert_id) == "open"
    answer = client.post(url + "/ack", data={"csrf": _csrf(client), "back": "room"})
    assert answer.status_code == 303 and answer.headers["location"] == url
    assert _status(site, alert_id) == "acked"
    assert client.post(url + "/mute", data={"csrf": _csrf(client), "hours": "5"}).status_code == 400
    answer = client.post(url + "/mute", data={"csrf": _csrf(client), "hours": "6"})
    assert answer.status_code == 303 and answer.headers["location"] == "/w/united/alerts"
    assert _status(site, alert_id) == "muted"
    room = client.get(url).text
    assert "acknowledged</td>" in room and "muted until" in room and "cyril" in room


def test_care_reads_the_room_but_does_not_run_it(site: Site) -> None:
    alert_id = an_alert(site)
    client = site.client("carla")
    room = client.get(f"/w/united/alerts/{alert_id}")
    assert room.status_code == 200
    assert 'data-testid="assign-form"' not in room.text and 'data-testid="ack"' not in room.text
    assert 'data-testid="copy-delays-fr"' in room.text and "data-log" not in room.text
    note = client.post(f"/w/united/alerts/{alert_id}/note", data={"csrf": _csrf(client)})
    assert note.status_code == 403
    assert site.client("bea").get(f"/w/united/alerts/{alert_id}").status_code == 403


def test_a_closed_alert_takes_no_ack(site: Site) -> None:
    alert_id = an_alert(site, "*", "negative_surge")
    with site.store.transaction() as conn:
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(status="closed"))
    client = site.client("ana")
    answer = client.post(f"/w/united/alerts/{alert_id}/ack", data={"csrf": _csrf(client)})
    assert answer.status_code == 400
    assert _status(site, alert_id) == "closed"


def test_tasks_notes_and_copies_are_logged(site: Site) -> None:
    alert_id = an_alert(site)
    client = site.client("ana")
    url = f"/w/united/alerts/{alert_id}"
    csrf = _csrf(client)
    assert (
        client.post(url + "/assign", data={"csrf": csrf, "to": "bea", "task": "x"}).status_code
        == 400
    )
    assert (
        client.post(url + "/assign", data={"csrf": csrf, "to": "cyril", "task": " "}).status_code
        == 400
    )
    data = {"csrf": csrf, "to": "cyril", "task": "Answer the press"}
    assert client.post(url + "/assign", data=data).status_code == 303
    assert client.post(url + "/note", data={"csrf": csrf, "text": HOSTILE}).status_code == 303
    copied = client.post(
        url + "/copied", data={"csrf": csrf, "statement": "delays", "language": "en"}
    )
    assert copied.status_code == 200 and copied.json() == {"logged": True}
    wrong = client.post(url + "/copied", data={"csrf": csrf, "statement": "nope", "language": "en"})
    assert wrong.status_code == 400
    with site.store.engine.connect() as conn:
        rows = conn.execute(
            select(alert_events.c.what, alert_events.c.by, alert_events.c.detail).where(
                alert_events.c.alert_id == alert_id, alert_events.c.by == "ana"
            )
        ).all()
    assert [r.what for r in rows] == ["assigned", "note", "statement_copied"]
    assert rows[0].detail == {"to": "cyril", "task": "Answer the press"}
    room = client.get(url).text
    assert "<strong>cyril</strong>: Answer the press" in room
    assert "copied the statement “Delays and cancellations” (EN)" in room
    assert HOSTILE not in room and "&lt;script&gt;window.__pwned" in room


def test_a_strangers_post_in_the_explanation_stays_text(site: Site) -> None:
    alert_id = an_alert(site)
    with site.store.transaction() as conn:
        why = conn.execute(select(alerts.c.explanation).where(alerts.c.id == alert_id)).scalar_one()
        posts = [{"id": 1, "native_id": "h", "text": HOSTILE, "engagement": 9}, *why["posts"]]
        conn.execute(
            update(alerts)
            .where(alerts.c.id == alert_id)
            .values(explanation={**why, "posts": posts})
        )
    client = site.client("ana")
    for url in (f"/w/united/alerts/{alert_id}", f"/w/united/alerts/{alert_id}/report.html"):
        text = client.get(url).text
        assert HOSTILE not in text
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; united lost my bag" in text


def test_the_report_holds_the_whole_room(site: Site) -> None:
    alert_id = an_alert(site)
    client = site.client("cyril")
    csrf = _csrf(client)
    url = f"/w/united/alerts/{alert_id}"
    client.post(url + "/assign", data={"csrf": csrf, "to": "ana", "task": "Brief the CEO"})
    client.post(url + "/note", data={"csrf": csrf, "text": "Press call at 18h"})
    report = client.get(url + "/report.html")
    assert report.status_code == 200
    assert report.headers["content-disposition"] == (
        f'attachment; filename="rumeur-united-alert-{alert_id}.html"'
    )
    text = report.text
    for part in (
        "Crisis report",
        "Why it fired",
        "Posts per hour",
        "Who does what",
        "Brief the CEO",
        "Press call at 18h",
        "Action log",
        "<svg",
        "made on",
    ):
        assert part in text, part  # fmt: skip
    assert "<script" not in text and "<form" not in text
    assert text.count("<tr>") > 24  # one row per hour of the timeline, at least a day of them


def test_the_api_lists_and_details_alerts(site: Site) -> None:
    alert_id = an_alert(site)
    token = tokens.issue(site.store, site.users["carla"].id)
    client = site.client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/w/united/alerts", headers=headers).json()
    assert alert_id in [a["id"] for a in listed]
    one = client.get(f"/api/w/united/alerts/{alert_id}", headers=headers).json()
    assert one["kind"] == "volume_spike" and one["subject"] == "United"
    assert one["explanation"]["posts"] and one["events"][-1]["what"] == "opened"
    assert client.get("/api/w/united/alerts/999999", headers=headers).status_code == 404
    token = tokens.issue(site.store, site.users["bea"].id)
    denied = client.get("/api/w/united/alerts", headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403


INTERNAL = ("viral_post", "volume_spike", "negative_surge", "hour-of-day", "post:x:", "Score")
VIRAL_POST = "STOP. USING.THIS.WORD. IF. YOU'RE. A. COMPANY. RT @JetBlue: Our fleet's on fleek."


def _viral_alert(site: Site) -> int:
    """A viral post's alert as the detectors write it (the storm's hours have none)."""
    at = STORM + timedelta(hours=3)
    why = {
        "kind": "viral_post", "subject": "post:x:569927288751587328", "since": at.isoformat(),
        "until": (at + timedelta(hours=2)).isoformat(), "post_id": 1, "platform": "x",
        "native_id": "569927288751587328", "brands": ["United"], "engagement": 31, "likes": 0,
        "reposts": 31, "replies": 0, "quotes": 0, "age_hours": 2.5, "ratio": 12.4,
        "baseline_posts": 2000, "terms": ["fleet"], "authors": ["TatianaKing"],
        "posts": [{"id": 1, "native_id": "569927288751587328", "text": VIRAL_POST,
                   "engagement": 31}],
    }  # fmt: skip
    with site.store.transaction() as conn:
        return conn.execute(
            insert(alerts).values(
                workspace="united", kind="viral_post", subject=why["subject"], status="closed",
                started_at=at, updated_at=at + timedelta(hours=2), observed=12.4, expected=1.0,
                score=12.4, explanation=why, revision=3,
            ).returning(alerts.c.id)
        ).scalar_one()  # fmt: skip


def _other_kinds(site: Site) -> None:
    """An influencer's and a watch word's alerts, with the explanations their detectors write."""
    at = STORM + timedelta(hours=2)
    voices = {
        "reach": 1_250_000, "lookback_days": 30,
        "influencers": [{"handle": "bignews", "followers": 1_000_000, "verified": True,
                         "post_id": 1, "native_id": "1", "at": at.isoformat()}],
    }  # fmt: skip
    rows = [
        ("influencer", "Delta", 1_250_000.0, 100_000.0, voices),
        ("watch_word", "lost-bags", 12.0, 0.0, {"query": "lost-bags"}),
    ]
    with site.store.transaction() as conn:
        for kind, subject, observed, expected, why in rows:
            conn.execute(
                insert(alerts).values(
                    workspace="united", kind=kind, subject=subject, status="open",
                    started_at=at, updated_at=at, observed=observed, expected=expected,
                    score=1.0, explanation={**why, "posts": [], "terms": [], "authors": []},
                    revision=1,
                )
            )  # fmt: skip


def test_no_alert_page_shows_an_internal_identifier(site: Site) -> None:
    open_storm_alerts(site)
    viral = _viral_alert(site)
    _other_kinds(site)
    with site.store.engine.connect() as conn:
        ids = conn.execute(select(alerts.c.id).where(alerts.c.workspace == "united")).scalars()
        rooms = [f"/w/united/alerts/{i}" for i in ids]
    client = site.client("ana")
    for language in ("en", "fr"):
        headers = {"Accept-Language": language}
        for url in ["/w/united/alerts", *rooms, f"/w/united/alerts/{viral}/report.html"]:
            page = client.get(url, headers=headers)
            assert page.status_code == 200, url
            for code in INTERNAL:
                assert code not in page.text, (language, url, code)
        room = client.get(f"/w/united/alerts/{viral}", headers=headers).text
        assert "@TatianaKing" in room and "STOP. USING.THIS.WORD." in room
        listed = client.get("/w/united/alerts", headers=headers).text
        assert "@bignews (1" in listed and "lost-bags" in listed


def test_the_room_tells_why_in_french(site: Site) -> None:
    alert_id = an_alert(site, "US Airways", "negative_surge")
    room = site.client("ana").get(f"/w/united/alerts/{alert_id}", headers={"Accept-Language": "fr"})
    sentence = room.text.split('data-testid="sentence">')[1].split("<")[0]
    assert sentence.startswith("Les publications sur US Airways sont négatives à ")
    assert "\xa0% contre environ " in sentence and " publications), depuis le " in sentence
    assert "Éléments de langage" in room.text and "Retards et annulations" in room.text
    assert "Déclarations" not in room.text


def test_a_closed_alert_reads_closed_in_french(site: Site) -> None:
    alert_id = an_alert(site, "*", "negative_surge")
    with site.store.transaction() as conn:
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(status="closed"))
    page = site.client("ana").get("/w/united/alerts", headers={"Accept-Language": "fr"}).text
    row = page.split(f'data-id="{alert_id}"')[1].split("</tr>")[0]
    assert 'data-testid="status">terminée</span>' in row


def test_an_empty_list_says_how_to_fill_it(site: Site) -> None:
    with site.store.transaction() as conn:
        conn.execute(alert_events.delete())
        conn.execute(alerts.delete())
    for name, language in (("ada", "en"), ("ana", "fr")):
        page = site.client(name).get("/w/united/alerts", headers={"Accept-Language": language})
        empty = page.text.split('data-testid="no-alerts"')[1].split("</section>")[0]
        assert "<code>rumeur replay</code>" in empty
        assert "<code>[workspaces.alerts]</code>" in empty
        command = empty.split('data-testid="replay-command"><code>')[1].split("</code>")[0]
        assert command.split()[1:] == [
            "replay",
            f"../shared/data/{DEMO_FILE}",
            "--preset",
            "airline",
        ]
        # only an admin is offered the settings page
        assert ('data-testid="thresholds-link"' in empty) == (name == "ada")


def test_the_detectors_updates_fold_into_one_line_of_the_log(site: Site) -> None:
    open_storm_alerts(site)
    with site.store.engine.connect() as conn:
        most = select(alerts.c.id).order_by(alerts.c.revision.desc(), alerts.c.id).limit(1)
        alert_id = conn.execute(most).scalar_one()
        e = alert_events.c
        updates = conn.execute(
            select(e.id).where(e.alert_id == alert_id, e.what == "updated")
        ).all()
    assert len(updates) >= 2  # the storm's hours update it at each run
    room = site.client("ana").get(f"/w/united/alerts/{alert_id}").text
    log = room.split('data-testid="log"')[1]
    assert log.count('data-what="updated"') == 0 and log.count('data-what="updates"') == 1
    assert f"updated the figures {len(updates)} times between " in log
    assert log.count('data-what="opened"') == 1
