"""`docs/models.md`, written from the shipped models' cards: the cross-validation that chose each
recipe (mean ± spread over the folds), val read once for the baseline and the shipped model,
per class, and the customer-care set's figures. A card keeps what its training run measured, so
training one task again rewrites the whole page the same way."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ORDER = ("language", "sentiment", "emotion", "reason")


def render(out: Path) -> str:
    lines = [HEADER.strip(), ""]
    cards = {}
    for task in ORDER:
        path = out / f"{task}.json"
        if path.exists():
            cards[task] = json.loads(path.read_text(encoding="utf-8"))
            lines += task_section(cards[task])
    size = sum(p.stat().st_size for p in out.glob("*.npz")) / 1e6
    lines += ["## Size", "", f"Shipped weights: {size:.1f} MB in all (`{out.name}/*.npz`).", ""]
    lines += [CARE_SET.strip(), ""]
    care = cards.get("sentiment", {}).get("cv", {}).get("care")
    if care:
        lines += care_section(care)
    lines += [CARE_BEFORE.strip(), ""]
    return "\n".join(lines)


def task_section(card: dict[str, Any]) -> list[str]:
    cv = card.get("cv")
    lines = [
        f"## {card['task']}",
        "",
        f"Train: {card['train_size']} texts from {'; '.join(card['data'])}. "
        f"Shipped recipe: {card['recipe']}.",
        "",
    ]
    if cv is None:
        # A model this run did not retrain (its features did not change): its card's val.
        note = "Not retrained in issue 17 (its features did not change): chosen on val by an "
        note += "earlier run, no cross-validation recorded."
        return [*lines, note, "", *val_table(card)]
    lines += cv_table(card["task"], cv)
    lines += val_table(card)
    lines += class_table(card)
    if "none" in cv:
        lines += none_section(cv["none"])
    return [*lines, ""]


def _ms(pair: Sequence[float]) -> str:
    return f"{pair[0]:.3f} ± {pair[1]:.3f}"


def cv_table(task: str, cv: dict[str, Any]) -> list[str]:
    rows = [cv["baseline"], *cv["recipes"]]
    groups = list(rows[0]["groups"])
    # A language group holds one language: its macro-F1 says little, its accuracy all.
    metric = "accuracy" if task == "language" else "macro_f1"
    head = ["recipe", "choice score", *[_title(g) for g in groups], "CPU s per fold"]
    lines = [
        f"Cross-validation, {cv['folds']} folds over the train data (stratified by group and "
        f"label, seeded). Choice score: {CHOICE.get(task, CHOICE['*'])}. Cells: "
        f"{metric.replace('macro_f1', 'macro-F1')}, mean ± spread (standard deviation) over the "
        "folds. Chosen: the simplest recipe within the best one's spread of it.",
        "",
        _row(head),
        _row(["---"] * len(head)),
    ]
    for r in rows:
        name = r["name"] + (" **(shipped)**" if r["name"] == cv["chosen"] else "")
        name += f" ({r['note']})" if r.get("note") else ""
        cells = [_ms(r["groups"][g][metric]) for g in groups]
        lines.append(_row([name, _ms(r["score"]), *cells, f"{r['seconds']:.0f}"]))
    return [*lines, ""]


def val_table(card: dict[str, Any]) -> list[str]:
    sets = list(card["val"])
    head = ["val, read once", *[_title(s) for s in sets]]
    lines = [
        "Val (macro-F1 / accuracy), for the baseline and the shipped model only:",
        "",
        _row(head),
        _row(["---"] * len(head)),
    ]
    for label, figs in (("baseline", card["baseline_val"]), ("shipped", card["val"])):
        cells = [f"{figs[s]['macro_f1']:.3f} / {figs[s]['accuracy']:.3f}" for s in sets]
        lines.append(_row([label, *cells]))
    if "val_without_none" in card:
        figs = card["val_without_none"]
        cells = [f"{figs[s]['macro_f1']:.3f} / {figs[s]['accuracy']:.3f}" for s in sets]
        lines.append(_row(["shipped, never `none`", *cells]))
    return [*lines, ""]


def class_table(card: dict[str, Any]) -> list[str]:
    cv = card["cv"]
    chosen = next(r for r in cv["recipes"] if r["name"] == cv["chosen"])
    classes = card["classes"]
    head = ["group", "model", *classes]
    lines = ["F1 per class: CV mean ± spread, then val:", "", _row(head), _row(["---"] * len(head))]
    for g in chosen["groups"]:
        for label, r in (("baseline, CV", cv["baseline"]), ("shipped, CV", chosen)):
            f1 = r["groups"][g]["f1_per_class"]
            cells = [_ms(f1[c]) if _has(g, c, classes) else "–" for c in classes]
            lines.append(_row([_title(g), label, *cells]))
    for s in card["val"]:
        for label, figs in (("baseline, val", card["baseline_val"]), ("shipped, val", card["val"])):
            f1 = figs[s]["f1_per_class"]
            lines.append(_row([_title(s), label, *[f"{f1[c]:.3f}" for c in classes]]))
    return [*lines, ""]


def _has(group: str, label: str, classes: Sequence[str]) -> bool:
    # The language model's groups are its classes: a French group holds no German text, so an
    # F1 for German there is no figure (it read 0.000), not a failure.
    language = group.removeprefix("xlmt-")
    return language not in classes or language == label


def none_section(none: dict[str, Any]) -> list[str]:
    return [
        f"`none`: under a probability of {none['threshold']:.2f} for its likeliest emotion, a "
        "post's emotion is `none`. The threshold gives the best macro-F1 over the four "
        f"emotions and `none` ({none['macro_f1_five']:.3f}; "
        f"{none['macro_f1_five_without']:.3f} without it), on the train split's out-of-fold "
        f"probabilities and {none['none_texts']} neutral posts of the sentiment train data "
        "(which the emotion model never trained on), among the thresholds that cost the "
        "emotional tweets no more than the folds' spread. On TweetEval, where every tweet has "
        f"an emotion, it says `none` for {100 * none['none_share_tweeteval']:.1f} % of the "
        "train split out of fold (macro-F1 over the four "
        f"{none['tweeteval_macro_f1_with']:.3f}, a `none` counted wrong; "
        f"{none.get('tweeteval_macro_f1_without', 0.0):.3f} without `none`).",
        "",
    ]


def care_section(care: dict[str, dict[str, list[int]]]) -> list[str]:
    names = list(care)
    keys = list(next(iter(care.values())))
    head = ["posts (out of fold)", *names]
    lines = [
        "Since issue 17 the set is part of sentiment's train data, so its figures are out of "
        "fold: each post is read by the model of the fold that did not see it. Accuracy (posts), "
        "for the baseline and the shipped recipe:",
        "",
        _row(head),
        _row(["---"] * len(head)),
    ]
    for key in keys:
        cells = []
        for name in names:
            right, n = care[name].get(key, [0, 0])
            cells.append(f"{right / n:.3f} ({n})" if n else "—")
        lines.append(_row([key, *cells]))
    return [*lines, ""]


def _title(name: str) -> str:
    if name.startswith("xlmt-"):
        return name.removeprefix("xlmt-") + " (xlmt)"
    if name.startswith("care-"):
        return name.removeprefix("care-") + " (care)"
    return name


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


CHOICE = {
    "sentiment": "mean of (mean macro-F1 over the 8 xlmt languages, airline accuracy, "
    "customer-care accuracy)",
    "language": "mean accuracy over the 7 languages in their own script (romanised Hindi aside)",
    "*": "macro-F1",
}

HEADER = """
# Models

Written by `python -m rumeur.nlp.train` (`make models`) from the models' cards; do not edit by
hand. Recipes are chosen by **cross-validation** over the train data only: 5 folds, stratified,
seeded; each figure is the mean over the folds ± their spread (standard deviation), and the
simplest recipe within the best one's spread is shipped. **Val** is read once, at the end, for
the plain baseline and the shipped model: xlmt-sentiment `*-val.jsonl`, TweetEval
`emotion-val.jsonl` and `sentiment-val.jsonl` (without the 1,430 tweets it shares with xlmt's
English train), and the airline tweets' val part (15 % of tweet ids, chosen by CRC-32 of the id;
duplicates of a tweet id dropped). Test splits are held back and were never read.

Features (`rumeur/nlp/features.py`): lowercase, links and mentions replaced by tokens,
elongations squeezed, emoji and emoticons kept as tokens, negation scopes marked (`NEG_` on the 3
tokens after *ne, pas, jamais, not, never, no, nicht, kein, non, não, nunca...*), hashed word 1–2
grams and character 2–5 grams within words, sublinear tf, each block L2-normalised. "The
lexicon's cues" (`rumeur/nlp/cues.py`) add seven named columns read with the project's French
and English polarity lexicon (`rumeur/nlp/data/`): positive and negative words (times 1.5 or 2
after an intensifier, 0.5 after a diminisher, half before a contrast such as *mais*, *but*),
positive and negative words inside a negation's scope (*ne … pas*, *pas du tout*, *aucun*,
*not*, *never*), positive and negative emoji and emoticons, and question cues (*quels sont*,
*est-ce que*, *how do I*, *?*). Explanations name them ("déçu (negative word)", "not satisfied
(negated)") with their exact share of the logit.

The customer-care development set is part of sentiment's train data and of its folds. Recipes
left out of this run for time (a sentiment fold takes minutes on two cores): sentiment's "one
model per language" mixed in at 0.3 (shipped before issue 17; on held-out French it lost to the
plain baseline), emotion's transfer recipes (the sentiment model's logits as inputs) and its
inner-CV offsets (replaced by offsets chosen on the recipe's out-of-fold logits, whose CV
figure is therefore optimistic: val is the check). A model that misreads one of a few clear
posts (`CLEAR` in `rumeur/nlp/train.py`) says so in its row.
"""

CARE_SET = """
## The customer-care development set

`src/rumeur/nlp/data/care-dev.jsonl`: 454 French and 233 English posts as customers write them
to and about brands (post, rail, energy, telecom, banking, retail), written and labelled by the
project (CC0; its README gives the method, the labelling guidelines and the limits). Read it
with `rumeur.nlp.careset.read_care_set()`. `scripts/care_eval.py --markdown` sends every post
through `rumeur classify` (the language model first, as in the pipeline) and compares the
sentiment found with the label; with today's models it reads posts they were trained on, so
only the out-of-fold figures below say what a new post meets.
"""

CARE_BEFORE = """
Before issue 17 (the models of commit 129321f, which had not seen the set), `care_eval.py`
gave:

| posts | fr | en |
| --- | --- | --- |
| all: accuracy / macro-F1 | 0.493 / 0.466 (454) | 0.794 / 0.786 (233) |
| kind complaint | 0.649 (154) | 0.948 (77) |
| kind thanks | 0.495 (109) | 0.596 (57) |
| kind question | 0.236 (89) | 0.922 (51) |
| kind information | 0.472 (72) | 0.750 (36) |
| kind sarcasm | 0.500 (30) | 0.333 (12) |

French neutral posts were mostly read as negative (79 of the 129), and 44 of the 123 positive
French posts too.
"""
