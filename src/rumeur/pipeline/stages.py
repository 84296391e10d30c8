"""The stages of the flow, each a plain function over a batch with no hidden state, so that the
in-process runner and a distributed one (Celery workers) can call the very same code.

    normalise -> deduplicate -> attribute brands -> enrich -> match queries -> store
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from rumeur.config import Workspace
from rumeur.errors import RowError
from rumeur.limits import check_post
from rumeur.logs import redact_text
from rumeur.model import EnrichmentResult, Post, RawItem, Rejected, current_labels
from rumeur.nlp.base import Enricher
from rumeur.query.document import Document, from_post
from rumeur.query.monitor import Monitor
from rumeur.query.parser import parse


@dataclass(slots=True)
class Normalised:
    posts: list[Post] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)


def normalise(
    items: Sequence[RawItem],
    to_post: Callable[[RawItem], Post],
    column: Callable[[str], str] | None = None,
) -> Normalised:
    """Every item becomes a post held to the store's limits (`limits.check_post`, the one check
    of every source, files and networks alike) or a rejected row naming the field; none is lost.
    `column` names a post's field as the source calls it (a file's column)."""
    out = Normalised()
    for item in items:
        try:
            post = to_post(item)
        except RowError as exc:
            out.rejects.append(_rejected(item, exc.field, exc.reason))
            continue
        try:
            check_post(post)
        except RowError as exc:
            field = column(exc.field) if column else exc.field
            out.rejects.append(_rejected(item, field, exc.reason))
            continue
        out.posts.append(post)
    return out


def _rejected(item: RawItem, field: str, reason: str) -> Rejected:
    # Whole, however long: the writer escapes what a store could not hold (limits.storable).
    # Its origin may be a request URL: stored, it must hold no secret.
    return Rejected(redact_text(item.origin), item.line, field, reason, _as_text(item.payload))


def deduplicate(posts: Sequence[Post]) -> list[Post]:
    """One post per (platform, native id). A later copy wins (fresher metrics), but a label it
    lacks is kept from the earlier one, as the store does across batches: the result must not
    depend on where a batch happens to end."""
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        earlier = latest.pop(post.key, None)
        if earlier is not None:
            tasks = {label.task for label in post.labels}
            post.labels += [label for label in earlier.labels if label.task not in tasks]
            post.language = post.language or earlier.language
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
    """Each model sees the whole batch at once: that is where the speed is.

    Models run in the order given. The language found (the network's own first) goes to the
    models that read it; the complaint reason is asked only of negative posts (the source's
    label first), the others get no answer (""). Language detection is asked only of posts
    whose network did not declare their language (Bluesky's `langs`, Mastodon's `language`):
    the author's own choice is better than a guess, and detection is the costliest model.
    """
    if not posts or not enrichers:
        return []
    texts = [p.text if not p.title else f"{p.title}\n{p.text}" for p in posts]
    given = [{label.task: label.label for label in p.labels} for p in posts]
    for post, labels in zip(posts, given, strict=True):
        if post.language:
            labels.setdefault("language", post.language)
    from rumeur.nlp.features import shared_features  # numpy and scipy, for the models only

    results: list[EnrichmentResult] = []
    with shared_features():  # the models read one batch for about one featurisation
        for enricher in enrichers:
            meta = [g.get("language", "unknown") for g in given]
            if enricher.task == "language":
                result = _unless_declared(enricher, texts, posts)
            elif enricher.task == "reason" and _reads_alone(enricher):
                result = _negative_only(enricher, texts, meta, given)
            else:
                result = enricher.predict(texts, meta)
            if result.task == "reason":
                result = _only_negative(result, given)
            for labels, label in zip(given, result.labels, strict=True):
                if label:
                    labels.setdefault(result.task, str(label))
            results.append(result)
    return results


def _unless_declared(
    enricher: Enricher, texts: list[str], posts: Sequence[Post]
) -> EnrichmentResult:
    asked = [i for i, post in enumerate(posts) if not post.language]
    if len(asked) == len(posts):
        return enricher.predict(texts)
    import numpy as np

    found = enricher.predict([texts[i] for i in asked]) if asked else None
    labels = np.full(len(posts), "", dtype=object)
    scores = np.full(len(posts), np.nan)
    if found is not None:
        labels[asked] = found.labels
        scores[asked] = found.scores
        return EnrichmentResult(found.task, found.model, found.version, labels, scores)
    # Nothing asked: the answer still names the model, for the store's record of who answered.
    empty = enricher.predict([])
    return EnrichmentResult(empty.task, empty.model, empty.version, labels, scores)


def _reads_alone(enricher: Enricher) -> bool:
    """A model that reads each text alone (a workspace's own reasons, nlp/workspace_reasons.py),
    with no features shared with the batch's other models: asking it only about the negative
    posts saves its whole cost on the others, which get no reason anyway."""
    return bool(getattr(getattr(enricher, "inner", enricher), "reads_alone", False))


def _negative_only(
    enricher: Enricher, texts: list[str], meta: list[str], given: list[dict[str, str]]
) -> EnrichmentResult:
    import numpy as np

    asked = [i for i, g in enumerate(given) if g.get("sentiment") == "negative"]
    found = enricher.predict([texts[i] for i in asked], [meta[i] for i in asked])
    labels = np.full(len(texts), "", dtype=object)
    scores = np.full(len(texts), np.nan)
    labels[asked] = found.labels
    scores[asked] = found.scores
    return EnrichmentResult(found.task, found.model, found.version, labels, scores)


def _only_negative(result: EnrichmentResult, given: list[dict[str, str]]) -> EnrichmentResult:
    import numpy as np

    keep = np.array([g.get("sentiment") == "negative" for g in given], dtype=bool)
    labels = np.where(keep, result.labels, "")
    scores = np.where(keep, result.scores, np.nan)
    return EnrichmentResult(result.task, result.model, result.version, labels, scores)


def _as_text(payload: object) -> str:
    if isinstance(payload, dict | list):
        try:
            return json.dumps(payload, ensure_ascii=False, default=str)
        except RecursionError:  # a payload nested too deep to write back as JSON
            return "(nested too deep to show)"
    return str(payload)


@cache
def _matchers(brands: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for name, terms in brands:
        alternatives = "|".join(re.escape(term) for term in terms)
        out.append((name, re.compile(rf"(?<![\w@])(?:{alternatives})(?!\w)")))
    return out


def documents(posts: Sequence[Post], results: Sequence[EnrichmentResult]) -> list[Document]:
    """What queries see of each post, labels included: built once per batch, for the stream
    matcher and for the store's search index alike."""
    return [from_post(post, current_labels(post, i, results)) for i, post in enumerate(posts)]


def match_queries(posts: Sequence[Post], docs: Sequence[Document], workspace: Workspace) -> None:
    """Record on each post the names of the workspace's queries it matches. Runs after
    enrichment (`docs` carry the labels), so that `sentiment:negative` sees the model's."""
    if not workspace.queries:
        return
    monitor = _monitor(tuple((q.name, q.query) for q in workspace.queries))
    for post, doc in zip(posts, docs, strict=True):
        post.queries = sorted({*post.queries, *(str(k) for k in monitor.match(doc))})


@cache
def _monitor(queries: tuple[tuple[str, str], ...]) -> Monitor:
    monitor = Monitor()
    for name, text in queries:
        monitor.add(name, parse(text).root)
    return monitor
