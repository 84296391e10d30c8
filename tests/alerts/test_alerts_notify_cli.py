"""`rumeur alerts notify`: one sweep or a loop until Ctrl-C, a line per delivery (names, never a
URL or a secret), exit 1 when one failed for good; and escalation messages that say so, in
every format."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from notify_support import TOKEN, Receiver, alert, receiving

from alerting_support import store_with_one_alert
from clirun import rumeur
from rumeur.alerts import deliveries
from rumeur.alerts.notify import mattermost, slack, teams, webhook
from rumeur.alerts.notify.email import build
from rumeur.alerts.notify.message import render_html, render_text
from rumeur.config import load_settings
from rumeur.settings.notify import EmailTarget
from rumeur.store import Store

SECRET_ENV = "RUMEUR_TEST_HOOK_SECRET"


def demo_with_notify(path: Path, notify: str) -> Path:
    """The built-in demo workspace's settings, plus a `[workspaces.notify]` section (TOML text
    appended after the only `[[workspaces]]`, so it is that workspace's)."""
    demo = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8")
    path.write_text(f"{demo}\n{notify}", encoding="utf-8")
    built_in, read = load_settings().workspace(), load_settings(path).workspace()
    assert read.model_dump(exclude={"notify"}) == built_in.model_dump(exclude={"notify"})
    assert read.notify.targets
    return path


def hook_toml(receiver: Receiver, name: str, kind: str = "webhook", env: str = "") -> str:
    """A target whose URL (its secret path included) comes from the environment variable `env`."""
    lines = ["[[workspaces.notify.targets]]", f'name = "{name}"', f'kind = "{kind}"']
    lines.append(f'url_env = "{env}"' if env else f'url = "{receiver.url}/{name}"')
    return "\n".join(lines) + "\n"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store with one open alert of the demo workspace, opened long ago."""
    return store_with_one_alert(str(tmp_path / "a.db"), opened_event=True)


def rows(db: str) -> list[dict[str, Any]]:
    store = Store.open(db)
    try:
        return deliveries.rows_of(store, 1)
    finally:
        store.close()


def test_one_sweep_sends_and_escalates_and_says_so_without_secrets(
    capsys: pytest.CaptureFixture[str],
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with receiving() as receiver:
        monkeypatch.setenv("RUMEUR_TEST_TEAM_URL", f"{receiver.url}/team")
        notify = (
            'base_url = "https://rumeur.example"\nescalate_after = "30m"\n'
            'escalation = ["boss"]\n'
            + hook_toml(receiver, "team", env="RUMEUR_TEST_TEAM_URL")
            + hook_toml(receiver, "boss", kind="slack")
        )
        config = demo_with_notify(tmp_path / "r.toml", "[workspaces.notify]\n" + notify)
        ran = rumeur(capsys, "alerts", "notify", "--once", "--db", db, "--config", str(config))
        assert ran.code == 0, ran.err
        assert ran.out.splitlines() == [
            "sent alert 1 (update 4) to team",
            "escalated alert 1 (update 4) to boss",
        ]
        # Nothing left to send: a second sweep is quiet.
        again = rumeur(capsys, "alerts", "notify", "--once", "--db", db, "--config", str(config))
        assert again.code == 0 and again.out == ""
    assert TOKEN not in ran.out + ran.err and "127.0.0.1" not in ran.out
    by_path = {s.path.rsplit("/", 1)[1]: s.json() for s in receiver.ok()}
    assert set(by_path) == {"team", "boss"} and len(receiver.seen) == 2
    assert by_path["team"]["escalated"] is False
    assert by_path["team"]["url"] == "https://rumeur.example/w/united/alerts/1"
    assert by_path["boss"]["text"].startswith("Escalated: [Volume spike] American (update 4)")
    assert [(r["target"], r["reason"], r["status"]) for r in rows(db)] == [
        ("team", "new", "delivered"),
        ("boss", "escalated", "delivered"),
    ]


def test_a_permanent_failure_exits_1(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    with receiving((404, {})) as receiver:
        config = demo_with_notify(
            tmp_path / "r.toml", "[workspaces.notify]\n" + hook_toml(receiver, "hook")
        )
        ran = rumeur(capsys, "alerts", "notify", "--once", "--db", db, "--config", str(config))
    assert ran.code == 1
    (line,) = ran.out.splitlines()
    assert line.startswith("failed alert 1 (update 4) to hook: ") and "404" in line
    assert TOKEN not in ran.out + ran.err
    assert [r["status"] for r in rows(db)] == ["failed"]


def test_the_loop_sweeps_every_so_often_until_ctrl_c(
    capsys: pytest.CaptureFixture[str],
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rumeur.commands import alerting

    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(alerting, "_wait", wait)
    with receiving((503, {}), (503, {}), (503, {})) as receiver:  # the first sweep's 3 tries
        config = demo_with_notify(
            tmp_path / "r.toml", "[workspaces.notify]\n" + hook_toml(receiver, "hook")
        )
        ran = rumeur(capsys, "alerts", "notify", "--every", "2m", "--db", db, "--config",
                     str(config))  # fmt: skip
    assert ran.code == 130 and waits == [120.0] * 3
    assert "Aborted" not in ran.err and "Traceback" not in ran.err
    (line,) = ran.out.splitlines()  # still pending: its backoff outlasts the other two sweeps
    assert line.startswith("alert 1 (update 4) to hook still pending: ") and "503" in line
    assert [r["status"] for r in rows(db)] == ["pending"]


def test_no_targets_and_a_bad_every(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "notify", "--once", "--db", db)
    assert ran.code == 0 and "no notification targets" in ran.out
    ran = rumeur(capsys, "alerts", "notify", "--every", "soon", "--db", db)
    assert ran.code == 1 and "--every soon" in ran.err


@pytest.mark.parametrize(
    ("language", "prefix"), [("en", "Escalated: [Negative surge]"), ("fr", "Escalade : [Poussée")]
)
def test_an_escalation_says_so_in_every_format(language: str, prefix: str) -> None:
    escalated = alert(revision=2, escalated=True, language=language)
    assert escalated.heading().startswith(prefix)
    assert not alert(revision=2, language=language).heading().startswith(prefix[:8])
    assert render_text(escalated).startswith(prefix)
    assert f"<h2>{prefix}" in render_html(escalated)
    assert slack.payload(escalated)["text"].startswith(prefix)
    header = slack.payload(escalated)["blocks"][0]["text"]["text"]
    assert header.startswith(prefix)
    assert mattermost.markdown(escalated).startswith(f"#### {mattermost.escape(prefix)}")
    assert prefix in json.dumps(teams.payload(escalated), ensure_ascii=False)
    body = webhook.payload(escalated)
    assert body["escalated"] is True and body["idempotency_key"] == "rumeur-alert-42-2"
    target = EmailTarget(
        name="mail", kind="email", host="127.0.0.1", sender="r@example.org", to=["v@example.org"]
    )
    mail = message_from_bytes(bytes(build(escalated, target)), policy=policy.default)
    assert mail["Subject"].startswith(f"[rumeur] {prefix}")
