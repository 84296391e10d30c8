"""`rumeur summary --json` on both databases: PostgreSQL sums integers as numerics (Decimals in
Python), which the JSON writer refused; the summary's counts are plain integers on either."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from clirun import rumeur


@pytest.fixture
def sliced(airline: Path, tmp_path: Path) -> tuple[Path, Counter[str]]:
    """Every fifth row of the airline set, and its posts per airline."""
    with airline.open(encoding="utf-8", newline="") as fh:
        kept = list({r["tweet_id"]: r for r in list(csv.DictReader(fh))[::5]}.values())
    path = tmp_path / "slice.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(kept[0]))
        writer.writeheader()
        writer.writerows(kept)
    return path, Counter(r["airline"] for r in kept)


def test_the_summary_as_json_counts_every_post_on_either_database(
    capsys: pytest.CaptureFixture[str], db_url: str, sliced: tuple[Path, Counter[str]]
) -> None:
    path, per_airline = sliced
    imported = rumeur(
        capsys, "import", str(path), "--preset", "airline", "--db", db_url, "--no-enrich"
    )
    assert imported.code == 0, imported.err
    result = rumeur(capsys, "summary", "--db", db_url, "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["posts"] == sum(per_airline.values())
    assert isinstance(summary["posts"], int)
