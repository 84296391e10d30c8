"""Malformed imports on both stores (issue 13): each file holds good rows around bad ones; the bad
rows are rejected alone with their line and field, every good row is stored, nothing prints a
traceback, and reading the file again (`--restart`) adds nothing. Written for the airline preset
(CSV) and for custom mappings in CSV and JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from airline_slice import airline_slice, rows_of
from clirun import rumeur
from rumeur.limits import BIGINT_MAX, COUNT_MAX, INT_MAX, MAX_DEPTH
from rumeur.store import Store
from rumeur.store.schema import authors, posts

AIRLINE = (
    "tweet_id", "airline", "airline_sentiment", "airline_sentiment_confidence", "negativereason",
    "negativereason_confidence", "name", "retweet_count", "text", "tweet_coord", "tweet_created",
    "tweet_location", "user_timezone",
)  # fmt: skip
# Where each logical field of a row lives, per format (None: the format has no such column).
COLUMNS: dict[str, dict[str, str]] = {
    "airline": {
        "id": "tweet_id", "text": "text", "date": "tweet_created", "author": "name",
        "brand": "airline", "sentiment": "airline_sentiment", "reason": "negativereason",
        "reposts": "retweet_count", "extra": "tweet_coord",
    },
    "csv": {name: name for name in (
        "id", "text", "date", "author", "brand", "sentiment", "reason", "lang", "platform",
        "likes", "reposts", "views", "followers", "extra",
    )},
    "jsonl": {
        "id": "id", "text": "text", "date": "date", "author": "user.handle", "brand": "brand",
        "sentiment": "sentiment", "reason": "reason", "lang": "lang", "platform": "platform",
        "likes": "likes", "reposts": "reposts", "views": "views", "followers": "user.followers",
        "extra": "extra",
    },
}  # fmt: skip
MAPPING = """
format = "{format}"
platform = "x"
url_template = "https://example.org/{{author}}/{{native_id}}"
[columns]
native_id = "id"
text = "text"
created_at = "date"
author = "{author}"
author_followers = "{followers}"
brand = "brand"
language = "lang"
platform = "platform"
likes = "likes"
reposts = "reposts"
views = "views"
[labels]
sentiment = {{ column = "sentiment" }}
reason = {{ column = "reason" }}
"""
FORMATS = tuple(COLUMNS)
CSV_FORMATS = ("airline", "csv")


def good(n: int | str) -> dict[str, Any]:
    return {
        "id": f"g{n}", "text": f"@united late again, flight {n}",
        "date": "2015-02-24T11:35:00-08:00", "author": "alice", "brand": "United",
        "sentiment": "negative", "reason": "Late Flight", "lang": "en", "platform": "x",
        "likes": 1, "reposts": 0, "views": 10, "followers": 5, "extra": "",
    }  # fmt: skip


def encode(fmt: str, row: dict[str, Any]) -> bytes:
    """One row as a line of `fmt`; values stay as given (a JSON number, an object...)."""
    if fmt == "jsonl":
        out = {k: v for k, v in row.items() if k not in ("author", "followers")}
        out["user"] = {"handle": row["author"], "followers": row["followers"]}
        return (json.dumps(out) + "\n").encode()  # a lone surrogate as its `\ud800` escape
    names = COLUMNS[fmt]
    if fmt == "airline":
        values = {c: "" for c in AIRLINE}
        values.update({names[k]: str(v) for k, v in row.items() if k in names})
        values["airline_sentiment_confidence"] = "1"
        values["negativereason_confidence"] = "0.7" if row["reason"] else ""
        cells = [values[c] for c in AIRLINE]
    else:
        cells = [str(row[k]) for k in names]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


def header(fmt: str) -> bytes:
    if fmt == "jsonl":
        return b""
    return (",".join(AIRLINE if fmt == "airline" else COLUMNS[fmt]) + "\n").encode()


def around(fmt: str, *bad: bytes) -> bytes:
    """Two good rows, the bad lines, two good rows."""
    rows = [encode(fmt, good(1)), encode(fmt, good(2)), *bad]
    return header(fmt) + b"".join([*rows, encode(fmt, good(3)), encode(fmt, good(4))])


def first_bad_line(fmt: str) -> int:
    return 3 if fmt == "jsonl" else 4  # after the header (CSV) and two good rows


@dataclass
class Case:
    """A file of `fmt`, and what importing it must give: the ids stored and, per line, the
    field rejected (a logical field, translated to the format's column, or `(row)`)."""

    name: str
    fmt: str
    data: bytes
    stored: set[str]
    rejected: dict[int, str]
    check: dict[str, Any] = field(default_factory=dict)  # columns of the bad row once stored
    encoding: str = "utf-8"
    bad_id: str = "bad"  # the native id the bad row is stored under, when it is

    def column(self, name: str) -> str:
        return COLUMNS[self.fmt].get(name, name)


GOOD = {"g1", "g2", "g3", "g4"}


def rejects(name: str, fmt: str, override: dict[str, Any], where: str) -> Case:
    bad = {**good("x"), "id": "bad", **override}
    line = first_bad_line(fmt)
    return Case(f"{name}-{fmt}", fmt, around(fmt, encode(fmt, bad)), GOOD, {line: where})


def stores(
    name: str, fmt: str, override: dict[str, Any], bad_id: str = "bad", **check: Any
) -> Case:
    bad = {**good("x"), "id": "bad", **override}
    data = around(fmt, encode(fmt, bad))
    return Case(f"{name}-{fmt}", fmt, data, GOOD | {bad_id}, {}, check, bad_id=bad_id)


def field_cases() -> list[Case]:
    """One field over the store's limit, or of a wrong kind, per case."""
    long_id, long_name = "9" * 129, "n" * 256
    out = []
    for fmt in FORMATS:
        out += [
            rejects("id-129-chars", fmt, {"id": long_id}, "id"),
            stores("id-128-chars", fmt, {"id": "i" * 128}, "i" * 128),
            rejects("handle-256", fmt, {"author": long_name}, "author"),
            stores("handle-255", fmt, {"author": "h" * 255}),
            rejects("brand-256", fmt, {"brand": long_name}, "brand"),
            rejects("reason-65", fmt, {"reason": "r" * 65}, "reason"),
            rejects("sentiment-17", fmt, {"sentiment": "s" * 17}, "sentiment"),
            rejects("nul-in-text", fmt, {"text": "late\x00again"}, "text"),
            rejects("nul-in-author", fmt, {"author": "bo\x00b"}, "author"),
            rejects("nul-in-reason", fmt, {"reason": "Late\x00Flight"}, "reason"),
            stores("nul-in-unmapped-column", fmt, {"extra": "a\x00b"}),
            stores("count-2^31", fmt, {"reposts": 2**31}, reposts=COUNT_MAX),
            stores("count-20-digits", fmt, {"reposts": "99999999999999999999"}, reposts=COUNT_MAX),
            stores("count-1e30", fmt, {"reposts": "1e30"}, reposts=COUNT_MAX),
            rejects("count-1e400", fmt, {"reposts": "1e400"}, "reposts"),
            rejects("count-negative", fmt, {"reposts": "-3"}, "reposts"),
            rejects("count-words", fmt, {"reposts": "many"}, "reposts"),
            rejects("empty-text", fmt, {"text": "  "}, "text"),
            rejects("bad-date", fmt, {"date": "2015-02-31T10:00:00-08:00"}, "date"),
            rejects("date-out-of-range", fmt, {"date": "1900-01-01T00:00:00Z"}, "date"),
            rejects("date-year-1-at-plus-14", fmt, {"date": "0001-01-01T00:00:00+14:00"}, "date"),
            rejects("date-offset-25h", fmt, {"date": "2015-02-24T11:35:00+25:00"}, "date"),
        ]
    for fmt in ("csv", "jsonl"):
        out += [
            rejects("language-17", fmt, {"lang": "l" * 17}, "lang"),
            rejects("platform-33", fmt, {"platform": "p" * 33}, "platform"),
            stores("views-2^63", fmt, {"views": 2**63}, views=BIGINT_MAX),
            stores("followers-2^31", fmt, {"followers": 2**31, "author": "big"}, followers=INT_MAX),
            stores("likes-1.2K", fmt, {"likes": "1.2K"}, likes=1200),
            rejects("nul-in-platform", fmt, {"platform": "x\x00"}, "platform"),
        ]
    return out


def json_cases() -> list[Case]:
    """What only JSON can hold: lone surrogates, nesting, values of the wrong JSON type."""
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    return [
        rejects("surrogate-in-text", "jsonl", {"text": "bad \ud800 text"}, "text"),
        rejects("surrogate-in-handle", "jsonl", {"author": "\udfffbob"}, "author"),
        rejects("surrogate-in-unmapped", "jsonl", {"extra": {"note": "\ud83d"}}, "note"),
        rejects("nested-past-limit", "jsonl", {"extra": deep}, "extra"),
        rejects("text-is-object", "jsonl", {"text": {"a": 1}}, "text"),
        rejects("text-is-array", "jsonl", {"text": ["a", "b"]}, "text"),
        rejects("text-is-true", "jsonl", {"text": True}, "text"),
        stores("text-is-number", "jsonl", {"text": 12345}, text="12345"),
        stores("id-is-number", "jsonl", {"id": 570306133677760513}, "570306133677760513"),
        stores("float-id-whole", "jsonl", {"id": 42.0}, "42"),
        rejects("likes-is-true", "jsonl", {"likes": True}, "likes"),
        rejects("author-is-object", "jsonl", {"author": {"x": 1}}, "author"),
        stores("likes-json-1e30", "jsonl", {"likes": 1e30}, likes=COUNT_MAX),
        stores("likes-json-2^63", "jsonl", {"likes": 2**63}, likes=COUNT_MAX),
        stores("null-counts", "jsonl", {"likes": None, "views": None}, likes=0, views=None),
        rejects("nan-in-unmapped", "jsonl", {"extra": {"score": float("nan")}}, "score"),
        rejects("infinity-in-unmapped", "jsonl", {"extra": float("-inf")}, "extra"),
        rejects("nan-likes", "jsonl", {"likes": float("nan")}, "likes"),
    ]


def lines(name: str, fmt: str, bad: list[bytes], rejected: dict[int, str], more: int = 0) -> Case:
    """A file with `bad` lines among good ones; `more` good rows (g5...) come between them."""
    extra = [encode(fmt, good(5 + n)) for n in range(more)]
    parts = [bad[0], *extra, *bad[1:]]
    stored = GOOD | {f"g{5 + n}" for n in range(more)}
    return Case(f"{name}-{fmt}", fmt, around(fmt, *parts), stored, rejected)


def line_cases() -> list[Case]:
    """Lines that are no row at all: garbage, recursion, broken encodings."""
    out = []
    for fmt in FORMATS:
        at = {first_bad_line(fmt): "(row)"}
        out += [
            # NUL, CR, a quote and undecodable bytes, over two lines (it holds a newline).
            lines("binary-garbage", fmt, [bytes(range(256)) + b"\n"], _garbage_lines(fmt)),
            lines("nul-garbage", fmt, [b"\x00\x00 junk \x00\n"], at),
            lines("broken-utf8", fmt, [_with(fmt, b"caf\xe9")], at),
            lines("surrogate-bytes", fmt, [_with(fmt, b"\xed\xa0\x80")], at),
            lines("long-garbage", fmt, [b"#" * 9000 + b"\n"], at),
        ]
    deep = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    huge = b'{"id": "h", "likes": ' + b"9" * 5000 + b"}\n"
    at = {3: "(row)"}
    out += [
        lines("recursion-deep-line", "jsonl", [deep], at),
        lines("5000-digit-number", "jsonl", [huge], at),
        lines("truncated-json", "jsonl", [b'{"id": "t", "text": "a\n'], at),
        lines("not-an-object", "jsonl", [b"[1, 2]\n"], at),
    ]
    return out


def _with(fmt: str, raw: bytes) -> bytes:
    """A row whose text holds `raw` bytes as they are."""
    return encode(fmt, {**good("x"), "id": "bad", "text": "TEXT"}).replace(b"TEXT", raw)


def _garbage_lines(fmt: str) -> dict[int, str]:
    # Two lines, each rejected; the second holds an unclosed quote (CSV), which must not
    # swallow the good rows after it.
    line = first_bad_line(fmt)
    return {line: "(row)", line + 1: "(row)"}


def quote_cases() -> list[Case]:
    """An unclosed quote in a CSV must not swallow the rows after it."""
    out = []
    stray_at = {4: "(row)"}
    for fmt in CSV_FORMATS:
        stray = b'"' + encode(fmt, good("x"))  # one quote, never closed
        many = [encode(fmt, good(n)) for n in range(1, 131)]
        near_end = header(fmt) + b"".join([*many[:11], stray, *many[11:]])  # 119 rows after
        ids = {f"g{n}" for n in range(1, 131)}
        multi = encode(fmt, {**good(5), "text": "two\nlines"})
        out += [
            Case(f"stray-quote-119-from-end-{fmt}", fmt, near_end, ids, {13: "(row)"}),
            Case(f"stray-quote-last-line-{fmt}", fmt, around(fmt) + stray, GOOD, {6: "(row)"}),
            lines("two-stray-quotes", fmt, [stray, stray], {4: "(row)", 6: "(row)"}, more=1),
            lines("wrong-column-count", fmt, [b"1,2,3\n"], stray_at),
            lines("only-delimiters", fmt, [b",,,,\n"], stray_at),
            Case(f"multi-line-record-{fmt}", fmt, around(fmt, multi), GOOD | {"g5"}, {}),
        ]
    return out


def encoding_cases() -> list[Case]:
    """Line ends and encodings a mapping (or a spreadsheet) may bring."""
    out = []
    five = GOOD | {"g5"}
    for fmt in FORMATS:
        plain = around(fmt, encode(fmt, good(5)))
        out += [
            Case(f"cr-only-{fmt}", fmt, plain.replace(b"\n", b"\r"), five, {}),
            Case(f"crlf-{fmt}", fmt, plain.replace(b"\n", b"\r\n"), five, {}),
            Case(f"utf-8-bom-{fmt}", fmt, b"\xef\xbb\xbf" + plain, five, {}),
        ]
    for fmt in ("csv", "jsonl"):  # the airline preset is UTF-8: a mapping declares others
        plain = around(fmt, encode(fmt, good(5)))
        out += [
            Case(f"utf-16-{fmt}", fmt, plain.decode().encode("utf-16"), five, {}, {}, "utf-16"),
            Case(f"utf-8-sig-{fmt}", fmt, b"\xef\xbb\xbf" + plain, five, {}, {}, "utf-8-sig"),
        ]
    accents = around("csv", encode("csv", {**good(5), "text": "Très en retard"}))
    little = accents.decode().encode("utf-16-le")
    return [*out, Case("utf-16-le-accents-csv", "csv", little, five, {}, {}, "utf-16-le")]


CASES = field_cases() + json_cases() + line_cases() + quote_cases() + encoding_cases()


def test_the_suite_is_big_enough() -> None:
    assert len(CASES) >= 70
    assert len({c.name for c in CASES}) == len(CASES)


def write_case(case: Case, folder: Path) -> tuple[Path, list[str]]:
    path = folder / f"{case.name}.{'jsonl' if case.fmt == 'jsonl' else 'csv'}"
    path.write_bytes(case.data)
    if case.fmt == "airline":
        return path, ["--preset", "airline"]
    columns = COLUMNS[case.fmt]
    mapping = MAPPING.format(format=case.fmt, author=columns["author"],
                             followers=columns["followers"])  # fmt: skip
    if case.encoding != "utf-8":
        mapping = f'encoding = "{case.encoding}"\n' + mapping
    (folder / "mapping.toml").write_text(mapping)
    return path, ["--mapping", str(folder / "mapping.toml")]


def run_import(
    capsys: pytest.CaptureFixture[str], path: Path, how: list[str], db: str, *more: str
) -> str:
    ran = rumeur(capsys, "import", str(path), *how, "--no-enrich", "--db", db, *more)
    assert "Traceback" not in ran.err + ran.out
    assert ran.code == 0, ran.err
    return ran.err


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_malformed_file_loses_only_its_bad_rows(
    case: Case, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, how = write_case(case, tmp_path)
    err = run_import(capsys, path, how, store_url)
    store = Store.open(store_url)
    try:
        assert stored_ids(store) == case.stored
        found = {r["line"]: r for r in store.rejected_rows()}
        expected = {line: case.column(f) for line, f in case.rejected.items()}
        assert {line: r["field"] for line, r in found.items()} == expected
        for line, row in found.items():
            assert f"{path.resolve()}:{line}: field {row['field']!r}: " in err
            assert row["raw"] and "\n" not in row["reason"]
        check_values(store, case)
        before = (store.count_posts(), len(found))
        # Read again from its first byte: every row stored or rejected once already.
        run_import(capsys, path, how, store_url, "--restart")
        assert (store.count_posts(), len(store.rejected_rows())) == before
    finally:
        store.close()


def stored_ids(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(posts.c.native_id)).scalars())


def check_values(store: Store, case: Case) -> None:
    wanted = case.check
    if not wanted:
        return
    # Engagement as queries compute it, in the columns' type: clamped counts must not overflow.
    engagement = (posts.c.likes + posts.c.reposts + posts.c.replies + posts.c.quotes).label("e")
    query = select(posts, authors.c.followers, engagement)
    query = query.join(authors, posts.c.author_id == authors.c.id)
    with store.engine.connect() as conn:
        row = conn.execute(query.where(posts.c.native_id == case.bad_id)).mappings().one()
    assert {k: row[k] for k in wanted} == wanted
    assert row["e"] == row["likes"] + row["reposts"] + row["replies"] + row["quotes"]


def test_a_rejected_garbage_line_is_kept_whole_and_recoverable(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = b"\x00 \\x00 " + bytes(range(1, 256)).replace(b"\n", b"").replace(b"\r", b"")
    garbage += b"#" * 5000 + b"\n"
    path, how = write_case(Case("g", "csv", around("csv", garbage), GOOD, {}), tmp_path)
    run_import(capsys, path, how, store_url)
    store = Store.open(store_url)
    try:
        (row,) = store.rejected_rows()
    finally:
        store.close()
    assert "raw text escaped" in row["reason"]
    assert _unescape(row["raw"]) == garbage


def _unescape(text: str) -> bytes:
    """The inverse of limits.storable, as docs/sources.md describes it."""
    out, i = bytearray(), 0
    while i < len(text):
        if text.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif text.startswith("\\x", i):
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out += text[i].encode("utf-8")
            i += 1
    return bytes(out)


# Issue 13's file: a NUL in row 5,001 aborted the sixth 1,000-row batch and the import stopped
# there. The file's first 7,000 rows (tests/airline_slice.py) keep that row and two batches after.
NUL_SLICE = 7_000


def test_the_airline_file_with_a_nul_in_row_5001_is_read_to_its_end(
    airline: Path, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = airline_slice(airline, tmp_path / "tweets.csv", NUL_SLICE)
    lines = path.read_bytes().split(b"\n")
    bad_id = lines[5000].split(b",", 1)[0]
    lines[5000] = b"\x00" + lines[5000]
    valid = {row["tweet_id"] for row in rows_of(path)}
    path.write_bytes(b"\n".join(lines))
    err = run_import(capsys, path, ["--preset", "airline"], store_url)
    store = Store.open(store_url)
    try:
        rejected = [(r["line"], r["field"]) for r in store.rejected_rows()]
        posts_stored = store.count_posts()
    finally:
        store.close()
    assert rejected == [(5001, "tweet_id")]
    twice = b"\n".join(lines).count(b"\n" + bad_id + b",") > 0
    assert posts_stored == len(valid) - (0 if twice else 1), err


SettingsCase = tuple[str, Callable[[Path], list[str]], str]


def _mapping(folder: Path, text: str) -> list[str]:
    (folder / "m.toml").write_text(text)
    (folder / "f.csv").write_text("text,date,date\nhello,2024-01-01,2024-01-01\n")
    return ["import", str(folder / "f.csv"), "--mapping", str(folder / "m.toml")]


def _columns(extra: str = "") -> str:
    return f'{extra}\n[columns]\ntext = "text"\ncreated_at = "day"\n'


SETTINGS: list[SettingsCase] = [
    ("encoding-utf-99", lambda d: _mapping(d, _columns('encoding = "utf-99"')),
     "encoding: unknown encoding 'utf-99'"),
    ("encoding-rot13", lambda d: _mapping(d, _columns('encoding = "rot13"')),
     "encoding: 'rot13' is not a text encoding"),
    ("url-template-unknown-field",
     lambda d: _mapping(d, _columns('url_template = "https://x/{user}/{native_id}"')),
     "url_template: unknown field {user}"),
    ("url-template-broken", lambda d: _mapping(d, _columns('url_template = "https://x/{"')),
     "url_template: not a valid template"),
    ("mapping-nested-too-deep", lambda d: _mapping(d, "a = " + "[" * 3000 + "]" * 3000),
     "not valid TOML: arrays or tables nested too deep"),
    ("duplicated-header-column",
     lambda d: _mapping(d, '[columns]\ntext = "text"\ncreated_at = "date"\n'),
     "column 'date' appears 2 times in the header"),
    ("settings-nested-too-deep", lambda d: _settings(d, "x = " + "{a = " * 2000 + "1" + "}" * 2000),
     "not valid TOML: arrays or tables nested too deep"),
    ("timezone-unknown", lambda d: _mapping(d, _columns('timezone = "Mars/Olympus"')),
     "timezone: unknown zone 'Mars/Olympus'"),
]  # fmt: skip


def _settings(folder: Path, text: str) -> list[str]:
    (folder / "rumeur.toml").write_text(text)
    (folder / "f.csv").write_text("text\nhello\n")
    return ["import", str(folder / "f.csv"), "--config", str(folder / "rumeur.toml")]


@pytest.mark.parametrize(("name", "args", "expected"), SETTINGS, ids=[s[0] for s in SETTINGS])
def test_a_broken_setting_is_one_line_naming_it(
    name: str,
    args: Callable[[Path], list[str]],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran = rumeur(capsys, *args(tmp_path), "--db", str(tmp_path / "x.db"))
    lines = ran.err.strip().splitlines()
    assert ran.code == 1 and len(lines) == 1, ran.err
    assert lines[0].startswith("rumeur: error: ") and expected in lines[0]


REPLAYED = [c for c in CASES if c.name in ("nul-in-text-airline", "count-1e30-csv",
            "surrogate-in-text-jsonl", "stray-quote-119-from-end-airline")]  # fmt: skip


@pytest.mark.parametrize("case", REPLAYED, ids=lambda c: c.name)
def test_a_malformed_file_replays_without_its_bad_rows(
    case: Case, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, how = write_case(case, tmp_path)
    ran = rumeur(capsys, "replay", str(path), *how, "--no-enrich", "--db", store_url)
    assert ran.code == 0 and "Traceback" not in ran.err, ran.err
    store = Store.open(store_url)
    try:
        assert stored_ids(store) == case.stored
        found = {r["line"]: r["field"] for r in store.rejected_rows()}
    finally:
        store.close()
    assert found == {line: case.column(f) for line, f in case.rejected.items()}
