"""The reader after an unclosed quote or a garbage line, and its cursor: resuming from any batch's
cursor reads exactly the records a single pass reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from rumeur.sources.files.mapping import load_mapping
from rumeur.sources.files.source import FileSource

HEADER = b"tweet_id,airline,airline_sentiment,airline_sentiment_confidence,negativereason,"
HEADER += b"negativereason_confidence,name,retweet_count,text,tweet_coord,tweet_created,"
HEADER += b"tweet_location,user_timezone\n"


def row(n: int) -> bytes:
    return f'{n},United,negative,1,,,bob,0,"late {n}",,2015-02-24T11:35:00-08:00,,\n'.encode()


def lines_of(source: FileSource, cursor: dict | None, size: int) -> list[tuple[int, str]]:
    out = []
    for batch in source.batches(cursor, size):
        out += [(item.line or 0, "ok") for item in batch.items]
        out += [(reject.line or 0, reject.field) for reject in batch.rejects]
    return sorted(out)


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_resuming_from_every_cursor_reads_the_same_records(tmp_path: Path, end: bytes) -> None:
    body = [row(n) for n in range(1, 40)]
    body[5] = b'"' + body[5]  # an unclosed quote
    body[20] = bytes(range(256)).replace(b"\n", b"").replace(b"\r", b"") + b"\n"
    path = tmp_path / "t.csv"
    path.write_bytes((HEADER + b"".join(body)).replace(b"\n", end))
    source = FileSource(path, load_mapping("airline"))
    whole = lines_of(source, None, 1000)
    assert [line for line, what in whole if what != "ok"] == [7, 22]
    assert len(whole) == 39
    for batch in source.batches(None, 3):
        rest = lines_of(source, batch.cursor, 3)
        assert rest == [r for r in whole if r[0] >= batch.cursor["next_line"]]
