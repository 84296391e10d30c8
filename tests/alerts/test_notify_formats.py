"""The payloads of each chat format and of the generic webhook: valid JSON, the fields each
receiver requires, and strangers' text unable to format, link or ping."""

from __future__ import annotations

import json

from notify_support import alert

from rumeur.alerts.notify import mattermost, slack, teams, webhook
from rumeur.alerts.notify.http import json_body
from rumeur.settings.notify import MattermostTarget


def roundtrip(payload: object) -> object:
    return json.loads(json_body(payload))


def test_slack_has_a_fallback_text_and_blocks_with_strangers_text_escaped() -> None:
    payload = roundtrip(slack.payload(alert()))
    assert isinstance(payload, dict)
    assert payload["text"].startswith("[Poussée négative] Poussée négative sur Acme")
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["type"] == "plain_text"
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(b["text"]["type"] == "mrkdwn" for b in blocks if b["type"] == "section")
    posts = next(s for s in sections if "alert(1)" in s)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;" in posts
    assert "<!channel>" not in json.dumps(payload)
    assert "<https://social.example/@mallory/1|↗>" in posts
    assert "<javascript:" not in posts
    assert "<https://rumeur.example/acme/crisis/42|Ouvrir la salle de crise>" in sections[-1]
    assert all(len(s) <= 3000 for s in sections)


def test_slack_links_cannot_be_broken_open() -> None:
    assert slack.link("https://x.example/a|b>c", "go") == "<https://x.example/a%7Cb&gt;c|go>"


def test_mattermost_escapes_markdown_and_mentions() -> None:
    target = MattermostTarget(
        name="mm", kind="mattermost", url="https://mm.example/hooks/x", username="rumeur"
    )
    payload = roundtrip(mattermost.payload(alert(), target))
    assert isinstance(payload, dict)
    assert payload["username"] == "rumeur"
    assert "icon_url" not in payload
    text = payload["text"]
    assert text.startswith("#### ")
    [line] = [x for x in text.splitlines() if "alert\\(1\\)" in x]
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in line
    assert "\\[click\\]\\(http\\://evil\\)" in line  # not even autolinked
    assert "\\*gras\\*" in line and "\\# titre" in line
    assert "@all" not in text  # a word joiner after the @: no one is pinged
    assert "@\u2060all" in text
    assert "[↗](https://social.example/@mallory/1)" in line
    assert "](javascript:" not in text


def test_teams_sends_an_adaptive_card_and_strangers_text_as_unparsed_text_runs() -> None:
    payload = roundtrip(teams.payload(alert()))
    assert isinstance(payload, dict)
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    # No TextBlock at all: Teams reads Markdown in those, and never in a TextRun.
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    runs = [run for block in card["body"] for run in block["inlines"]]
    assert all(run["type"] == "TextRun" for run in runs)
    hostile = next(run["text"] for run in runs if "alert(1)" in run["text"])
    assert "<script>alert(1)</script> & <!channel> [click](http://evil)" in hostile
    assert "\n" not in hostile
    links = [r["selectAction"]["url"] for r in runs if "selectAction" in r]
    assert links == ["https://social.example/@mallory/1"]  # not the javascript: one
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Ouvrir la salle de crise",
        "url": "https://rumeur.example/acme/crisis/42",
    }


def test_the_generic_webhook_sends_the_whole_alert() -> None:
    body = roundtrip(webhook.payload(alert(revision=2)))
    assert isinstance(body, dict)
    assert body["type"] == "rumeur.alert"
    assert body["idempotency_key"] == "rumeur-alert-42-2"
    assert body["revision"] == 2
    assert body["started_at"] == "2026-03-02T14:05:00+00:00"
    assert body["top_posts"][0]["url"] == "https://social.example/@mallory/1"
    assert body["top_terms"] == ["retard", "<b>remboursement</b>"]  # data, not markup


def test_a_signature_is_checked_over_the_exact_body() -> None:
    body = json_body(webhook.payload(alert()))
    header = webhook.sign(body, "shared")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert webhook.verify(body, header, "shared")
    assert not webhook.verify(body + b" ", header, "shared")
    assert not webhook.verify(body, header, "other")
    assert not webhook.verify(body, None, "shared")
