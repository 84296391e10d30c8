"""How `rumeur classify` reads the customer-care development set: accuracy and macro-F1 of the
sentiment answers per language, per kind of message and per domain.

The posts go through the command itself (`python -m rumeur classify -` in a subprocess, the
language model first as in the pipeline), so the figures are what a user meets with the models
this checkout ships or the workspace's own model. It reports, it does not judge: the exit status
is 0 whatever the figures. Since issue 17 the shipped sentiment model is trained on this set too,
so its figures here are a regression test (a post it learnt and now misreads); what a new post
meets is the out-of-fold figure in `docs/models.md`.

    .venv/bin/python scripts/care_eval.py [--set FILE] [--markdown] [-- classify options]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from rumeur.nlp.careset import KINDS, SENTIMENTS, CarePost, read_care_set

GROUPS = ("lang", "kind", "domain")


def classify(posts: Sequence[CarePost], extra: Sequence[str]) -> list[str]:
    """The label `rumeur classify` gives each post, in order."""
    lines = "".join(json.dumps({"text": p.text}, ensure_ascii=False) + "\n" for p in posts)
    command = [sys.executable, "-m", "rumeur", "classify", "-", "--task", "sentiment", *extra]
    done = subprocess.run(command, input=lines.encode("utf-8"), capture_output=True, timeout=600)
    if done.returncode != 0:
        # rumeur's own one-line error (no workspace, no model) says what to fix.
        raise SystemExit(done.stderr.decode("utf-8", "replace").strip())
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    if len(answers) != len(posts):
        raise SystemExit(f"rumeur classify answered {len(answers)} lines for {len(posts)} posts")
    return [a.get("label", "") for a in answers]


def macro_f1(pairs: Iterable[tuple[str, str]]) -> float:
    """Mean F1 over the three sentiments (a class absent from both sides counts 0, as
    scikit-learn's default does for a class present in the labels list)."""
    pairs = list(pairs)
    scores = []
    for label in SENTIMENTS:
        tp = sum(1 for want, got in pairs if want == label and got == label)
        fp = sum(1 for want, got in pairs if want != label and got == label)
        fn = sum(1 for want, got in pairs if want == label and got != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


Row = tuple[str, str, int, float, float]  # language, group, posts, accuracy, macro-F1


def rows(posts: Sequence[CarePost], found: Sequence[str]) -> list[Row]:
    """A row for each language, then for each of its kinds and domains."""
    table = []
    for lang in sorted({p.lang for p in posts}, key=["fr", "en"].index):
        buckets: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for post, got in zip(posts, found, strict=True):
            if post.lang != lang:
                continue
            buckets[("all", lang)].append((post.sentiment, got))
            buckets[("kind", post.kind)].append((post.sentiment, got))
            buckets[("domain", post.domain)].append((post.sentiment, got))
        order = [("all", lang)] + [("kind", k) for k in KINDS]
        order += sorted(k for k in buckets if k[0] == "domain")
        for key in order:
            pairs = buckets.get(key, [])
            if not pairs:
                continue
            accuracy = sum(1 for want, got in pairs if want == got) / len(pairs)
            name = lang if key[0] == "all" else f"{lang} {key[0]} {key[1]}"
            table.append((lang, name, len(pairs), accuracy, macro_f1(pairs)))
    return table


def markdown(table: Sequence[Row]) -> list[str]:
    """One row per group, one column per language: accuracy (posts), and macro-F1 for the
    whole language (inside a kind or a domain one sentiment dominates: macro-F1 says little)."""
    langs = list(dict.fromkeys(lang for lang, *_ in table))
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    for lang, name, n, accuracy, f1 in table:
        if name == lang:
            cells["all: accuracy / macro-F1"][lang] = f"{accuracy:.3f} / {f1:.3f} ({n})"
        else:
            cells[name.removeprefix(f"{lang} ")][lang] = f"{accuracy:.3f} ({n})"
    lines = ["| posts | " + " | ".join(langs) + " |", "| --- |" + " --- |" * len(langs)]
    for name, by_lang in cells.items():
        lines.append(f"| {name} | " + " | ".join(by_lang.get(x, "—") for x in langs) + " |")
    return lines


def confusion(posts: Sequence[CarePost], found: Sequence[str], lang: str) -> list[str]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for post, got in zip(posts, found, strict=True):
        if post.lang == lang:
            counts[(post.sentiment, got)] += 1
    head = f"{lang}: true \\ found | " + " | ".join(SENTIMENTS)
    lines = [head]
    for want in SENTIMENTS:
        lines.append(f"{want} | " + " | ".join(str(counts[(want, got)]) for got in SENTIMENTS))
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=None, help="a JSON lines set (the shipped one)")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table for the docs")
    parser.add_argument("extra", nargs="*", help="options passed on to rumeur classify (-w W)")
    args = parser.parse_args(argv)
    posts = read_care_set(args.set)
    found = classify(posts, args.extra)
    table = rows(posts, found)
    if args.markdown:
        print("\n".join(markdown(table)))
    else:
        for lang, name, n, accuracy, f1 in table:
            shown = f"  macro-F1 {f1:.3f}" if name == lang else ""
            print(f"{name:<28} {n:>4}  accuracy {accuracy:.3f}{shown}")
    print()
    for lang in ("fr", "en"):
        print("\n".join(confusion(posts, found, lang)))
        print()


if __name__ == "__main__":
    main()
