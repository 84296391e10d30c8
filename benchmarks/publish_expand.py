"""Publishing's composer (issue #18, must-show 4): how long expanding one master message into
120 local variants and checking them takes, against checking the same 120 one by one through
the REST API, in the same run.

The workspace has 120 local accounts (Bluesky, Mastodon and Reddit, no source: nothing leaves
the machine), each with its `ville`, `boutique` and, for most, `horaires` (the others take the
message's default). The message names the 120; a Mastodon variant and a Reddit variant apply,
and one account's own variant is over its limit, so that a refusal is on the path too.

- local: `publishing.expand.expand` on the parsed message, the 120 variants filled and checked
  (Bluesky's facets included), as `rumeur publish FILE` does before storing;
- API: the app served by uvicorn on 127.0.0.1 in this process, and one keep-alive httpx client
  posting the message for each account alone to `POST /api/w/SLUG/publish/check` (the
  composer's preview), 120 requests.

Both must give the same variants (texts and refusals), or the script exits 1. Wall time and
CPU time (of this process, so the server's thread is counted for the API) are printed, each
the median of `--repeat` runs, because the machine is shared. It reports, it does not judge.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import machine, print_machine
from rumeur.config import Workspace, parse_settings
from rumeur.publishing.expand import Variant, expand
from rumeur.publishing.spec import read
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app

NETWORKS = ("bluesky", "mastodon", "mastodon", "bluesky", "reddit")
TEXT = (
    "À {ville}, votre bureau {boutique} vous accueille {horaires|de 9 h à 17 h} pendant les "
    "fêtes 🎄 #NoëlÀLaPoste https://www.laposte.fr/bureaux?ville={ville}"
)


def settings_toml(accounts: int) -> str:
    lines = ['[[workspaces]]\nslug = "bench"\nname = "Bench"\n[workspaces.brand]\nname = "B"\n']
    for i in range(accounts):
        hours = ', horaires = "8 h 30 – 18 h 30"' if i % 4 else ""
        lines.append(
            f'[[workspaces.owned_accounts]]\nname = "local-{i:03d}"\n'
            f'platform = "{NETWORKS[i % len(NETWORKS)]}"\nhandle = "laposte-{i:03d}"\n'
            f'variables = {{ ville = "Ville {i}", boutique = "Bureau n°{i}"{hours} }}\n'
        )
    return "\n".join(lines)


def message(names: list[str]) -> dict[str, Any]:
    return {
        "text": TEXT,
        "accounts": names,
        "at": "2030-12-24T09:00:00+01:00",
        "variants": {
            "mastodon": {"visibility": "unlisted"},
            "reddit": {"title": "Les horaires de fêtes à {ville}", "subreddit": "laposte"},
            names[0]: {"text": "{ville} " + "é" * 400},  # over every limit: refused
        },
    }


@dataclass
class Timing:
    wall_s: list[float]
    cpu_s: list[float]

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_s)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_s)


def timed(run: Callable[[], Any], repeat: int) -> tuple[Timing, Any]:
    timing, result = Timing([], []), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        timing.wall_s.append(time.perf_counter() - wall)
        timing.cpu_s.append(time.process_time() - cpu)
    return timing, result


def local(ws: Workspace, names: list[str]) -> list[tuple[str, str | None]]:
    variants: list[Variant] = expand(read(message(names), ws.timezone), ws.owned_accounts)
    return [(v.draft.text, v.refusal) for v in variants]


def through_api(client: httpx.Client, names: list[str]) -> list[tuple[str, str | None]]:
    found = []
    whole = message(names)
    for name in names:
        one = whole | {"accounts": [name]}
        answer = client.post("/api/w/bench/publish/check", json=one)
        answer.raise_for_status()
        [variant] = answer.json()["variants"]
        found.append((variant["text"], variant["refusal"]))
    return found


class Served:
    """The web app on 127.0.0.1, a free port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    settings = parse_settings(settings_toml(args.accounts), "bench.toml")
    ws = settings.workspaces[0]
    names = [a.name or a.key for a in ws.owned_accounts]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "bench.db"))
        user = add_user(store, "bench", "admin", "correct horse battery staple")
        headers = {"Authorization": f"Bearer {tokens.issue(store, user.id)}",
                   "Accept-Language": "en"}  # fmt: skip
        local_t, local_found = timed(lambda: local(ws, names), args.repeat)
        with (
            Served(create_app(settings, store)) as base,
            httpx.Client(base_url=base, headers=headers, timeout=30) as client,
        ):
            through_api(client, names[:2])  # warm: the first request's imports
            api_t, api_found = timed(lambda: through_api(client, names), args.repeat)
        store.close()
    same = local_found == api_found
    refused = sum(1 for _text, why in local_found if why)
    report(args.accounts, refused, local_t, api_t, same)
    return 0 if same else 1


def report(accounts: int, refused: int, local_t: Timing, api_t: Timing, same: bool) -> None:
    print(f"publish_expand: one master message -> {accounts} local variants "
          f"({refused} refused), median of {len(local_t.wall_s)} runs")  # fmt: skip
    print(f"{'':<34} {'wall ms':>10} {'CPU ms':>10} {'per variant us':>15}")
    for name, t in (("expand + check, in process", local_t), ("one by one through the API", api_t)):
        per = t.wall / accounts * 1e6
        print(f"{name:<34} {t.wall * 1e3:>10.1f} {t.cpu * 1e3:>10.1f} {per:>15.0f}")
    wall, cpu = api_t.wall / local_t.wall, api_t.cpu / max(local_t.cpu, 1e-9)
    print(f"the API one by one takes {wall:.0f}x the wall time and {cpu:.0f}x the CPU time")
    print("same variants both ways: " + ("yes" if same else "NO"))
    print_machine(machine())


if __name__ == "__main__":
    sys.exit(main())
