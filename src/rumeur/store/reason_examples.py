"""What a workspace's reason model learns from in the store, beyond the settings' examples: the
posts each reason's query matches, and the analysts' corrections of the `reason` field
(`rumeur models adapt` hands both to `nlp.workspace_reasons.train_reason_model`).

A query may match a hundred thousand posts: the newest `POOL` matches are read (the full-text
index drives, as for a search) and `PER_REASON` of them sampled with a fixed seed, so that the
same store gives the same model and a common reason does not drown a rare one.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from rumeur.nlp.workspace_reasons import NO_REASON
from rumeur.query.parser import parse
from rumeur.store.corrected import NONE
from rumeur.store.corrections import corrections_for
from rumeur.store.search import search
from rumeur.store.store import Store

if TYPE_CHECKING:
    from rumeur.config import Workspace

POOL = 1_000  # newest matches read per reason
PER_REASON = 100  # of them, sampled
SEED = 17


def reason_examples(store: Store, workspace: Workspace) -> list[tuple[str, str]]:
    """(text, reason) pairs: each reason's query's sampled matches, then the corrections of the
    reason, oldest first (a correction to `none` is an example of no reason, `""`). A post
    corrected to another reason is left out of its query's sample: the analyst knows better."""
    corrected = corrections_for(store, workspace.slug, "reason")
    overruled = {c.post_id for c in corrected if c.post_id is not None}
    pairs: list[tuple[str, str]] = []
    with store.engine.connect() as conn:
        for reason in workspace.reasons:
            if reason.query is None:
                continue
            rows = search(conn, workspace.slug, parse(reason.query), limit=POOL)
            rows = [r for r in rows if r["id"] not in overruled and r["text"]]
            picked = random.Random(f"{SEED}:{reason.name}").sample(rows, min(PER_REASON, len(rows)))
            pairs += [(r["text"], reason.name) for r in picked]
    pairs += [(c.text, NO_REASON if c.value == NONE else c.value) for c in corrected if c.text]
    return pairs
