"""Recorded HTTP interactions read from the three cassette formats of ``shared/fixtures``.

* ``*.cassette.yaml``: Python vcrpy (``interactions``, status ``{code, message}``, headers as
  lists, bodies as text or ``!!binary`` gzip bytes);
* ``*.cassette.yml``: R vcr/webmockr (``http_interactions``, status an integer, headers scalars);
* ``*.cassette.json``: Betamax (PRAW) or vcrpy-JSON (same shape as vcrpy, in JSON); a Betamax
  body is ``string`` or ``base64_string``, with an optional ``encoding``.

Every body comes out as the bytes the client would read after decoding: gzip/deflate bodies
recorded compressed are decompressed, and the headers that describe the transfer rather than the
content (``Content-Encoding``, ``Content-Length``, ``Transfer-Encoding``, ``Connection``,
``Keep-Alive``) are dropped. The reason: R vcr and vcrpy with ``decode_compressed_response``
kept ``Content-Encoding: gzip`` next to an already decoded body, so the header cannot be trusted;
the replay server serves identity bodies and writes its own framing.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures")

# libyaml when PyYAML was built with it: ten times faster on the long Mastodon cassettes.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Headers about the recorded connection, not the content: the replay server writes its own.
TRANSFER_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)


@dataclass(frozen=True)
class Interaction:
    """One recorded request and the response the server gave, body decoded to plain bytes."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    reason: str | None = None

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        """``host[:port]`` as recorded."""
        return urlsplit(self.url).netloc

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    @property
    def query_params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """The first response header of that name, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body)


def fixture(relative: str | Path) -> Path:
    """A path under ``shared/fixtures`` (``RUMEUR_FIXTURES`` overrides where that is)."""
    path = Path(relative)
    return path if path.is_absolute() else FIXTURES / path


def body_file(path: str | Path) -> bytes:
    """The bytes of a bodies-only fixture (``*.json``, ``*.jsonl``, ``*.xml``), untouched."""
    return fixture(path).read_bytes()


def load_cassette(path: str | Path) -> list[Interaction]:
    """Every interaction of a cassette, in recorded order, whatever its format."""
    source = fixture(path)
    text = source.read_text(encoding="utf-8")
    data = json.loads(text) if source.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: not a cassette (top level is {type(data).__name__})")
    records = data.get("interactions", data.get("http_interactions"))
    if not isinstance(records, list):
        raise ValueError(f"{source}: no 'interactions' nor 'http_interactions' list")
    return [_interaction(record, source, i) for i, record in enumerate(records)]


def _interaction(record: Mapping[str, Any], source: Path, index: int) -> Interaction:
    request, response = record["request"], record["response"]
    status, reason = _status(response["status"])
    raw_headers = _header_pairs(response.get("headers"))
    try:
        body = _response_body(response.get("body"), raw_headers)
    except (OSError, zlib.error, ValueError) as exc:
        raise ValueError(f"{source}: interaction {index}: undecodable body: {exc}") from exc
    return Interaction(
        method=str(request["method"]).upper(),
        url=str(request["uri"]),
        request_headers=_header_pairs(request.get("headers")),
        request_body=_request_body(request.get("body")),
        status=status,
        headers=[(k, v) for k, v in raw_headers if k.lower() not in TRANSFER_HEADERS],
        body=body,
        reason=reason,
    )


def _status(raw: Any) -> tuple[int, str | None]:
    if isinstance(raw, Mapping):  # vcrpy and Betamax: {code, message}
        return int(raw["code"]), raw.get("message")
    if isinstance(raw, int | str):  # R vcr: a bare integer
        return int(raw), None
    raise ValueError(f"unknown status {raw!r}")


def _header_pairs(raw: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs; a list value (vcrpy, Betamax) gives one pair per item."""
    pairs: list[tuple[str, str]] = []
    for name, value in (raw or {}).items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(name), str(v)) for v in values)
    return pairs


def _text_or_bytes(raw: Mapping[str, Any]) -> bytes | None:
    if raw.get("base64_string") is not None:  # Betamax, for bodies that are not text
        return base64.b64decode(raw["base64_string"])
    value = raw.get("string")
    if value is None:
        return None
    if isinstance(value, bytes):  # vcrpy's !!binary
        return value
    return str(value).encode(raw.get("encoding") or "utf-8")


def _response_body(raw: Any, headers: Iterable[tuple[str, str]]) -> bytes:
    if raw is None:
        return b""
    data = _text_or_bytes(raw) if isinstance(raw, Mapping) else _plain(raw)
    return _decompress(data or b"", headers)


def _plain(raw: Any) -> bytes:
    return raw if isinstance(raw, bytes) else str(raw).encode("utf-8")


def _decompress(data: bytes, headers: Iterable[tuple[str, str]]) -> bytes:
    """Undo a Content-Encoding, but only when the bytes are really encoded (see module doc)."""
    codings = [v.strip().lower() for k, v in headers if k.lower() == "content-encoding"]
    if "gzip" in codings and data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if "deflate" in codings and data[:1] == b"\x78":
        return zlib.decompress(data)
    return data


def _request_body(raw: Any) -> bytes | None:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        if "string" in raw or "base64_string" in raw:
            return _text_or_bytes(raw)
        return json.dumps(raw).encode("utf-8")  # vcrpy-JSON stored a JSON body as an object
    if isinstance(raw, list):  # Betamax (asyncpraw) stored form fields as [name, value] pairs
        return urlencode([(str(k), str(v)) for k, v in raw]).encode("ascii")
    return _plain(raw)
