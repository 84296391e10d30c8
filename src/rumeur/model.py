"""The one normalised shape every stage speaks. Plain dataclasses, no I/O.

Times are timezone-aware and in UTC. `Post.raw` keeps the payload as the source gave it, for audit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rumeur.i18n import _
from rumeur.metrics import engagement

if TYPE_CHECKING:  # numpy loads with the first model's answer, not with every command
    import numpy as np

# The networks by their own names, for people: the store, the settings and the options keep the
# codes. Every page, sentence and message that names a network reads it here.
PLATFORM_NAMES = {
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
    "rss": "RSS",
    "youtube": "YouTube",
    "facebook": "Facebook",
    "instagram": "Instagram",
}


def platform_name(code: str) -> str:
    """A platform as a person reads it: a network by its name, posts imported from a file as
    such (in the reader's language), a code without a name as it is."""
    if code == "file":
        return _("imported file")
    return PLATFORM_NAMES.get(code, code)


@dataclass(slots=True)
class Author:
    handle: str
    display_name: str | None = None
    followers: int | None = None
    following: int | None = None
    location: str | None = None
    verified: bool = False
    native_id: str | None = None


@dataclass(slots=True)
class Metrics:
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    views: int | None = None

    @property
    def engagement(self) -> int:
        """Interactions a reader made with the post; views are reach, not engagement."""
        return engagement(self.likes, self.reposts, self.replies, self.quotes)


@dataclass(slots=True)
class Media:
    kind: str  # image, video, gif, audio, link
    url: str
    alt_text: str | None = None


@dataclass(slots=True)
class Label:
    """A label given by the source itself (a human annotation in a data set, say)."""

    task: str  # sentiment, emotion, reason
    label: str
    score: float | None = None
    origin: str = "source"


@dataclass(slots=True)
class Post:
    platform: str
    native_id: str
    text: str
    created_at: datetime
    author: Author
    url: str | None = None
    title: str | None = None
    language: str | None = None
    metrics: Metrics = field(default_factory=Metrics)
    reply_to: str | None = None
    quote_of: str | None = None
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    location: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Names of the workspace's queries (`[[workspaces.queries]]`) that the post matched.
    queries: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("Post.created_at must be timezone-aware")
        self.created_at = self.created_at.astimezone(UTC)

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a post across every copy of it: platform and native id."""
        return (self.platform, self.native_id)


@dataclass(slots=True)
class RawItem:
    """What a source yields before normalisation: its payload and where it came from."""

    payload: Any
    origin: str  # e.g. "tweets.csv:42" or a request URL
    line: int | None = None


@dataclass(slots=True)
class Rejected:
    """An input that could not become a post, kept with the reason."""

    source: str
    line: int | None
    field: str
    reason: str
    raw: str

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: field {self.field!r}: {self.reason}"


@dataclass(slots=True, frozen=True)
class Quota:
    """What a network's last response said of its rate limit: calls left and when the window
    resets."""

    limit: int | None
    remaining: float | None
    reset_at: datetime | None


@dataclass(slots=True)
class EnrichmentResult:
    """One model's answers for a batch, aligned with the batch's texts: lists in, arrays out.

    `labels` is an array of strings; `scores` a float array with NaN where the model gives no
    score (a text too short to tell, say).
    """

    task: str  # language, sentiment, emotion, reason
    model: str
    version: str
    labels: np.ndarray
    scores: np.ndarray

    def __post_init__(self) -> None:
        import numpy as np

        self.labels = np.asarray(self.labels, dtype=object)
        self.scores = np.asarray(
            [np.nan if s is None else s for s in self.scores], dtype=np.float64
        )
        if self.labels.shape != self.scores.shape or self.labels.ndim != 1:
            raise ValueError(
                f"{self.model}: {self.labels.shape} labels for {self.scores.shape} scores"
            )

    def label(self, index: int) -> str:
        return str(self.labels[index])

    def score(self, index: int) -> float | None:
        value = float(self.scores[index])
        return None if math.isnan(value) else value


def current_labels(post: Post, index: int, results: Sequence[EnrichmentResult]) -> dict[str, str]:
    """The label of each task for the `index`-th post of a batch. A label given by the source (a
    human annotation, the network's language) outranks a model's guess; a model's "" means no
    answer (no reason for a happy post)."""
    labels = {label.task: label.label for label in post.labels}
    if post.language:
        labels.setdefault("language", post.language)
    for result in results:
        if result.label(index):
            labels.setdefault(result.task, result.label(index))
    return labels
