"""Images uploaded through the composer (docs/publish.md, "The composer"): each checked before it
is kept, then kept under its content's name, so that the message names it as a server path and
the senders read it as they read any other.

- the type is sniffed from the file's first bytes (PNG, JPEG, GIF, WebP), never taken from its
  name nor from the client's content type;
- the size is held to the smallest limit of the message's networks (Bluesky 1,000,000 bytes,
  Mastodon 8 MB), so that no network refuses the image once it is scheduled;
- the file is named by the SHA-256 of its bytes and the sniffed type's extension: the client's
  name never makes a path, and the same image sent twice is kept once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rumeur.i18n import _, number

# The networks' own limits on one image: Bluesky's blob limit for an image embed
# (app.bsky.embed.images), Mastodon's default image limit (8 MB, as Rails counts megabytes).
NETWORK_BYTES = {"bluesky": 1_000_000, "mastodon": 8 * 1024 * 1024}
# How much of a file the sniffing reads: WebP's signature ends at byte 12.
HEAD_BYTES = 12
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(?:png|jpg|gif|webp)$")


class UploadError(ValueError):
    """One line naming the file and why it is refused, in the reader's language."""


def sniffed(head: bytes) -> str | None:
    """The image's extension from its first bytes, or None when they are no image we post."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def limit_for(platforms: Iterable[str]) -> int:
    """The largest image every one of these networks takes; the smallest limit of all when
    none of them posts images (the rules refuse the media there anyway)."""
    limits = [NETWORK_BYTES[p] for p in platforms if p in NETWORK_BYTES]
    return min(limits or NETWORK_BYTES.values())


def checked(name: str, data: bytes, limit: int) -> str:
    """The extension the image is kept under, or an UploadError naming the file and the reason.
    `data` may hold one byte more than `limit`: a caller reads no further than that."""
    shown = name[:100] or _("the image")
    if not data:
        raise UploadError(_("{name}: the file is empty").format(name=shown))
    if len(data) > limit:
        raise UploadError(
            _("{name}: over {limit} bytes, the most the chosen networks take").format(
                name=shown, limit=number(limit)
            )
        )
    kind = sniffed(data[:HEAD_BYTES])
    if kind is None:
        raise UploadError(_("{name}: not a PNG, JPEG, GIF or WebP image").format(name=shown))
    return kind


def keep(folder: Path, data: bytes, kind: str) -> Path:
    """Write the image under its SHA-256 name in `folder` (made when missing) and return the
    file's absolute path; an image already kept is not written again. The write goes to a
    temporary file first, so that a sender never reads half an image."""
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / f"{hashlib.sha256(data).hexdigest()}.{kind}").resolve()
    if target.exists():
        return target
    fd, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def kept(folder: Path, name: str) -> Path | None:
    """The path of an image kept earlier, from the name the page carried back; None when the
    name is not one `keep` gives or the file is gone."""
    if not STORED_NAME.match(name):
        return None
    path = (folder / name).resolve()
    return path if path.is_file() else None
