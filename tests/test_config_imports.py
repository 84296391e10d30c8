"""Reading a settings file loads no delivery code: the settings models of sources, alerts and
notifiers live in the config layer (`rumeur.settings`), so `import rumeur.config` and
`load_settings` pull in neither a collector, a notifier, the web app nor a network library.

Checked in a fresh interpreter: this test process has long since imported all of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SETTINGS = """
[[workspaces]]
slug = "acme"
name = "Acme"
[workspaces.brand]
name = "Acme"

[[workspaces.sources]]
name = "news"
type = "rss"
url = "https://example.org/feed.xml"

[[workspaces.sources]]
name = "sky"
type = "bluesky"
threads = ["https://bsky.app/profile/acme.example.org/post/3kabc"]

[workspaces.alerts]
window_hours = 4

[[workspaces.notify.targets]]
name = "hook"
kind = "webhook"
url = "https://hooks.example.org/rumeur"
"""

# Prints, as JSON, what the file declared (so the run is known to have read it) and every module
# that reading it loaded.
PROBE = """
import json, sys
import rumeur.config
settings = rumeur.config.load_settings(sys.argv[1])
ws = settings.workspace()
read = [s.type for s in ws.sources] + [t.kind for t in ws.notify.targets]
print(json.dumps({"read": read, "window": ws.alerts.window_hours, "modules": sorted(sys.modules)}))
"""

FORBIDDEN_PACKAGES = ("rumeur.alerts", "rumeur.sources", "rumeur.web")
NETWORK_LIBRARIES = ("httpx", "httpcore", "requests", "urllib3", "aiohttp", "websockets")


def _is_forbidden(module: str) -> bool:
    top = module.split(".")[0]
    inside = any(module == p or module.startswith(p + ".") for p in FORBIDDEN_PACKAGES)
    return inside or top in NETWORK_LIBRARIES


def test_reading_settings_loads_no_subsystem_nor_network_library(tmp_path: Path) -> None:
    path = tmp_path / "rumeur.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    assert seen["read"] == ["rss", "bluesky", "webhook"]
    assert seen["window"] == 4
    assert "rumeur.settings.notify" in seen["modules"]
    assert [m for m in seen["modules"] if _is_forbidden(m)] == []
