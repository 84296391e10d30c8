"""The deployment files (deploy/, docs/deploy.md) name what exists: the compose file parses and
has its services, and every command line it and the systemd units run is one that rumeur's own
command line accepts (parsed by click as `rumeur ...` would be, options and values checked);
every RUMEUR_* variable they set is one rumeur reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from conftest import REPO
from rumeur.cli import app

DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SERVICES = {"postgres", "redis", "web", "worker", "beat"}


def accepts(args: list[str]) -> None:
    """Parse `rumeur ARGS` down to its command without running it; click raises on an unknown
    command or option, or a value it refuses."""
    command = typer.main.get_command(app)  # typer's own click (typer._click)
    context = command.make_context("rumeur", list(args), resilient_parsing=False)
    while hasattr(command, "resolve_command"):  # a group: its command is the next word
        words = [*context._protected_args, *context.args]
        name, command, rest = command.resolve_command(context, words)
        assert command is not None, f"rumeur has no command {name}"
        context = command.make_context(name, rest, parent=context)


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_compose_file_has_its_services_and_runs_commands_rumeur_accepts() -> None:
    services = _compose()["services"]
    assert set(services) == SERVICES
    run = {name: services[name]["command"] for name in ("web", "worker", "beat")}
    assert [c[:2] for c in run.values()] == [["rumeur", "serve"], ["rumeur", "worker"],
                                             ["rumeur", "beat"]]  # fmt: skip
    for command in run.values():
        accepts(command[1:])
    # The web app leaves the sending to the workers; the workers serve every queue.
    assert "--no-send" in run["web"]
    environment = services["web"]["environment"]
    assert environment["RUMEUR_DB"].startswith("postgresql://")
    assert environment["RUMEUR_BROKER"].startswith("redis://redis:")
    # No password written in the file: it comes from the environment file.
    assert "${POSTGRES_PASSWORD" in environment["RUMEUR_DB"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def _exec_start(unit: Path) -> list[str]:
    """The unit's ExecStart as words, its ${VARIABLES} given the unit's own defaults."""
    text = unit.read_text(encoding="utf-8")
    defaults = dict(re.findall(r"^Environment=(\w+)=(\S+)$", text, re.M))
    [line] = re.findall(r"^ExecStart=(.+)$", text, re.M)
    filled = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], line)
    return shlex.split(filled)


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_each_systemd_unit_runs_a_command_rumeur_accepts(unit: Path) -> None:
    words = _exec_start(unit)
    assert Path(words[0]).name == "rumeur"
    accepts(words[1:])
    expected = {
        "rumeur-web.service": "serve",
        "rumeur-worker@.service": "worker",
        "rumeur-beat.service": "beat",
    }
    assert words[1] == expected[unit.name]


def test_the_three_units_are_shipped() -> None:
    names = {u.name for u in UNITS}
    assert names == {"rumeur-web.service", "rumeur-worker@.service", "rumeur-beat.service"}


def test_a_command_rumeur_refuses_fails_the_check() -> None:
    with pytest.raises(Exception, match="No such option: --no-such-option"):
        accepts(["serve", "--no-such-option"])
    with pytest.raises(Exception, match="No such command 'no-such-command'"):
        accepts(["no-such-command"])
    with pytest.raises(Exception, match="valid integer"):
        accepts(["serve", "--port", "not-a-port"])


def test_every_variable_the_deployment_sets_is_one_rumeur_reads() -> None:
    files = [DEPLOY / "compose.yaml", DEPLOY / "rumeur.env.example", *UNITS]
    named = {v for f in files for v in re.findall(r"\bRUMEUR_[A-Z_]+", f.read_text("utf-8"))}
    # Read by rumeur's code, or by the deployment files themselves (the worker's queues).
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "src" / "rumeur").rglob("*.py"))
    own = {"RUMEUR_WORKER_QUEUES", "RUMEUR_WORKER_CONCURRENCY", "RUMEUR_WORKERS",
           "RUMEUR_SETTINGS"}  # fmt: skip
    unknown = sorted(v for v in named - own if v not in source)
    assert unknown == []
    assert {"RUMEUR_DB", "RUMEUR_BROKER", "RUMEUR_CONFIG"} <= named
