"""The stages of the flow, each a plain function over a batch with no hidden state, so that the
in-process runner and a distributed one (Celery workers) can call the very same code.

    normalise -> deduplicate -> attribute brands -> enrich -> store
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from rumeur.config import Workspace
from rumeur.errors import RowError
from rumeur.model import EnrichmentResult, Post, RawItem, Rejected
from rumeur.nlp.base import Enricher


@dataclass(slots=True)
class Normalised:
    posts: list[Post] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)


def normalise(items: Sequence[RawItem], to_post: Callable[[RawItem], Post]) -> Normalised:
    """Every item becomes a post or a rejected row naming the field; none is lost."""
    out = Normalised()
    for item in items:
        try:
            out.posts.append(to_post(item))
        except RowError as exc:
            raw = str(item.payload)[:2000]
            out.rejects.append(Rejected(item.origin, item.line, exc.field, exc.reason, raw))
    return out


def deduplicate(posts: Sequence[Post]) -> list[Post]:
    """One post per (platform, native id); a later copy in the batch (fresher metrics) wins."""
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        latest.pop(post.key, None)
        latest[post.key] = post
    return list(latest.values())


def attribute_brands(posts: Sequence[Post], workspace: Workspace) -> list[Post]:
    """Posts that name no brand yet get those of the workspace whose terms they contain."""
    matchers = _matchers(tuple((b.name, tuple(b.match_terms())) for b in workspace.brands))
    for post in posts:
        if not post.brands:
            text = post.text.lower()
            post.brands = [name for name, pattern in matchers if pattern.search(text)]
    return list(posts)


def enrich(posts: Sequence[Post], enrichers: Sequence[Enricher]) -> list[EnrichmentResult]:
    """Each model sees the whole batch at once: that is where the speed is."""
    texts = [p.text if not p.title else f"{p.title}\n{p.text}" for p in posts]
    return [enricher.predict(texts) for enricher in enrichers] if texts else []


@cache
def _matchers(brands: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for name, terms in brands:
        alternatives = "|".join(re.escape(term) for term in terms)
        out.append((name, re.compile(rf"(?<![\w@#])(?:{alternatives})(?!\w)")))
    return out
