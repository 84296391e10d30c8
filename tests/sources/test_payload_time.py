"""One `parse_time` for every network: what Bluesky and Mastodon accepted before, each of them
now accepts, and what neither read is refused with the same line as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rumeur.errors import RowError
from rumeur.sources.bluesky import types as bluesky
from rumeur.sources.mastodon import types as mastodon
from rumeur.sources.payload import parse_time

NETWORKS = [parse_time, bluesky.parse_time, mastodon.parse_time]


def test_every_network_reads_times_with_the_one_function() -> None:
    assert bluesky.parse_time is parse_time
    assert mastodon.parse_time is parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T12:30:45.123Z", datetime(2024, 3, 1, 12, 30, 45, 123000, tzinfo=UTC)),
        ("2024-03-01T12:30:45.123456789Z", datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)),
        ("2024-03-01T14:30:45+02:00", datetime(2024, 3, 1, 12, 30, 45, tzinfo=UTC)),
        ("2024-03-01T07:30:45-05:00", datetime(2024, 3, 1, 12, 30, 45, tzinfo=UTC)),
        ("2024-03-01T12:30:45", datetime(2024, 3, 1, 12, 30, 45, tzinfo=UTC)),
        ("2024-03-01T12:30:45.1234567", datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)),
    ],
)
def test_a_time_is_read_in_utc(text: str, expected: datetime) -> None:
    for read in NETWORKS:
        got = read(text, "created_at")
        assert got == expected
        assert got.tzinfo == UTC


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yesterday at noon", "bad time 'yesterday at noon'"),
        ("2024-13-45T99:00:00Z", "bad time '2024-13-45T99:00:00Z'"),
        ("x" * 60, f"bad time {'x' * 40!r}"),
        ("", "missing time"),
        (None, "missing time"),
        (1709296245, "missing time"),
    ],
)
def test_a_time_that_cannot_be_read_is_refused_as_before(value: object, reason: str) -> None:
    with pytest.raises(RowError) as refused:
        parse_time(value, "indexedAt")
    assert (refused.value.field, refused.value.reason) == ("indexedAt", reason)
    assert str(refused.value) == f"field 'indexedAt': {reason}"
