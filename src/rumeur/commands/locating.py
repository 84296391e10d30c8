"""`rumeur locate TEXT`: the place a text names, as JSON with `city`, `region` and `country`."""

from __future__ import annotations

import json
from typing import IO

from rumeur.places import Place, checked, locate


def print_place(text: str, out: IO[str]) -> Place:
    place = locate(checked(text))
    out.write(json.dumps(place.to_json(), ensure_ascii=False) + "\n")
    return place
