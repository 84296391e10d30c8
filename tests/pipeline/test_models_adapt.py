"""`rumeur models adapt` (issue 17, what it must show, point 3): 40 corrections from a domain
the shipped model has not seen (video games, in French: tests/nlp/data/games-fr.jsonl, written
by the project) make the workspace's adapter, which raises its accuracy on 40 other posts of
the domain, through `rumeur classify -w` and through the pipeline; a workspace without
corrections is unchanged."""

from __future__ import annotations

import csv
import json
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from clirun import rumeur
from rumeur.config import load_settings
from rumeur.i18n import using
from rumeur.nlp.cards import title
from rumeur.nlp.why import explain_post
from rumeur.pipeline.adapters import own_models
from rumeur.store import Store
from rumeur.store.adapters import history
from rumeur.store.schema import enrichments, posts

DATA = Path(__file__).parent.parent / "nlp" / "data" / "games-fr.jsonl"
CONFIG = """
[[workspaces]]
slug = "games"
name = "Studio"
[workspaces.brand]
name = "Studio"

[[workspaces]]
slug = "other"
name = "Other"
[workspaces.brand]
name = "Other"
"""


@pytest.fixture
def site(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A database with the games workspace's 40 corrections, imported as a team imports them
    (`rumeur labels import`), and where the rest is written."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    config = tmp_path / "rumeur.toml"
    config.write_text(CONFIG, encoding="utf-8")
    lines = {
        part: "".join(
            json.dumps({"text": r["text"], "sentiment": r["sentiment"]}, ensure_ascii=False) + "\n"
            for r in rows
            if r["part"] == part
        )
        for part in ("train", "test")
    }
    corrections, test = tmp_path / "corrections.jsonl", tmp_path / "test.jsonl"
    corrections.write_text(lines["train"], encoding="utf-8")
    test.write_text(lines["test"], encoding="utf-8")
    where = ("--db", db_url, "--config", str(config), "-w", "games")
    ran = rumeur(capsys, "labels", "import", str(corrections), *where, "--by", "ana")
    assert ran.code == 0, ran.err
    return {"db": db_url, "config": str(config), "test": str(test), "dir": str(tmp_path)}


def truth() -> list[str]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    return [r["sentiment"] for r in rows if r["part"] == "test"]


def classify(capsys: pytest.CaptureFixture[str], site: dict[str, str], ws: str) -> list[dict]:
    where = ("--db", site["db"], "--config", site["config"], "-w", ws)
    ran = rumeur(capsys, "classify", site["test"], *where)
    assert ran.code == 0, ran.err
    return [json.loads(line) for line in ran.out.splitlines()]


def accuracy(answers: list[dict]) -> float:
    return sum(a["label"] == t for a, t in zip(answers, truth(), strict=True)) / len(answers)


def test_corrections_raise_the_workspaces_accuracy_and_leave_the_others_alone(
    capsys: pytest.CaptureFixture[str], site: dict[str, str]
) -> None:
    games_before, other_before = classify(capsys, site, "games"), classify(capsys, site, "other")
    assert games_before == other_before  # no adapter yet: the shipped model's answers
    where = ("--db", site["db"], "--config", site["config"])
    ran = rumeur(capsys, "models", "adapt", *where, "-w", "games")
    assert ran.code == 0, ran.err
    assert "sentiment: workspace adapter v1, learnt from 40 corrections" in ran.out
    assert "negative 16, neutral 12, positive 12" in ran.out
    assert "emotion: nothing learnt: no corrections to learn from" in ran.out
    games_after, other_after = classify(capsys, site, "games"), classify(capsys, site, "other")
    before, after = accuracy(games_before), accuracy(games_after)
    print(f"games test posts: shipped {before:.3f}, adapter v1 {after:.3f}")
    # The shipped model reads the domain's slang wrongly (0.300: "une tuerie", "c'est sale",
    # "ça déchire" negative, "ça lag" neutral); the adapter gets 0.825: margins of 3 posts.
    assert before <= 0.45 and after >= 0.75 and after >= before + 0.3
    assert other_after == other_before
    assert {a["model"] for a in games_after} == {"rumeur-sentiment-linear+adapter:games"}


def test_the_pipeline_labels_the_workspaces_posts_with_its_adapter(
    capsys: pytest.CaptureFixture[str], site: dict[str, str]
) -> None:
    """Posts imported before the adapter get the shipped model's labels, those imported after
    it the adapter's; `rumeur reenrich` then gives the first ones the adapter's too."""
    where = ("--db", site["db"], "--config", site["config"], "-w", "games")
    texts = [
        json.loads(line)["text"] for line in Path(site["test"]).read_text("utf-8").splitlines()
    ]
    shipped = [a["label"] for a in classify(capsys, site, "games")]
    assert rumeur(capsys, "import", csv_of(site, texts[:20], 0), *where).code == 0
    ran = rumeur(capsys, "models", "adapt", *where, "--json")
    assert ran.code == 0, ran.err
    said = {o["task"]: o for o in map(json.loads, ran.out.splitlines())}
    assert said["sentiment"]["version"] == 1 and said["sentiment"]["examples"] == 40
    assert said["emotion"]["version"] is None
    assert rumeur(capsys, "import", csv_of(site, texts[20:], 20), *where).code == 0
    adapted = [a["label"] for a in classify(capsys, site, "games")]
    assert stored_labels(site) == shipped[:20] + adapted[20:]
    assert rumeur(capsys, "reenrich", *where).code == 0
    assert stored_labels(site) == adapted
    sentiment = enrichments.c.task == "sentiment"
    with closing(Store.open(site["db"])) as store, store.engine.connect() as conn:
        models = set(conn.execute(select(enrichments.c.model).where(sentiment)).scalars())
        [stored] = history(store, "games", "sentiment")
    assert models == {"rumeur-sentiment-linear", "rumeur-sentiment-linear+adapter:games"}
    assert stored.examples == 40 and stored.metrics["labels"]["negative"] == 16
    assert page_title(site, adapted[0]) == (
        f"{title('rumeur-sentiment-linear', stored.base_version)}, with the workspace adapter v1"
    )
    with using("fr"):
        assert page_title(site, adapted[0]).endswith(
            ", avec l'adaptateur de l'espace de travail v1"
        )


def csv_of(site: dict[str, str], texts: list[str], first: int) -> str:
    """A CSV file of `texts`, posts numbered from `first`."""
    source = Path(site["dir"]) / f"posts-{first}.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "author", "text", "url", "platform"])
        for i, text in enumerate(texts, start=first):
            writer.writerow(["2026-11-20 10:00", f"u{i}", text, f"https://x.com/u/status/{i}", "x"])
    return str(source)


def stored_labels(site: dict[str, str]) -> list[str]:
    with closing(Store.open(site["db"])) as store, store.engine.connect() as conn:
        return list(conn.execute(select(posts.c.sentiment).order_by(posts.c.id)).scalars())


def page_title(site: dict[str, str], label: str) -> str:
    """Who the post page says explained a post's sentiment (nlp/why.py, web/views.py)."""
    settings = load_settings(Path(site["config"]))
    ws = settings.workspace("games")
    post = {"text": "Le lag est revenu", "title": None, "language": "fr", "sentiment": label}
    with closing(Store.open(site["db"])) as store:
        own = own_models(store, settings, ws)
    [why] = [w for w in explain_post(settings, ws, post, [], models=own) if w.task == "sentiment"]
    assert why.explanation is not None and why.explanation.supporting
    return why.explainer_title()


REASONS = """
[[workspaces]]
slug = "games"
name = "Studio"
[workspaces.brand]
name = "Studio"
[[workspaces.reasons]]
name = "Technique"
examples = ["Le jeu crash au lancement", "Encore du lag sur les serveurs"]
[[workspaces.reasons]]
name = "Boutique"
examples = ["Remboursement refusé pour mon achat", "Le DLC payé n'apparaît pas"]
"""
REASON_CORRECTIONS = [
    ("Le battle pass est une arnaque, dix euros pour rien", "Boutique"),
    ("Battle pass hors de prix cette saison", "Boutique"),
    ("Matchmaking cassé, des parties contre des bots", "Technique"),
    ("Merci pour le tournoi de samedi", "none"),
]


def test_the_workspaces_reason_model_learns_its_corrections(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    config = tmp_path / "rumeur.toml"
    config.write_text(REASONS, encoding="utf-8")
    corrections = tmp_path / "reasons.jsonl"
    lines = [
        json.dumps({"text": t, "reason": r}, ensure_ascii=False) for t, r in REASON_CORRECTIONS
    ]
    corrections.write_text("\n".join(lines) + "\n", encoding="utf-8")
    asked = tmp_path / "asked.jsonl"
    asked.write_text(json.dumps({"text": "Ce battle pass, une arnaque"}) + "\n", "utf-8")
    where = ("--db", db_url, "--config", str(config), "-w", "games")

    def reason() -> str:
        ran = rumeur(capsys, "classify", str(asked), "--task", "reason", *where)
        assert ran.code == 0, ran.err
        return json.loads(ran.out)["label"]

    assert reason() == "unknown"  # no reason: nothing in the settings' examples says it
    assert rumeur(capsys, "labels", "import", str(corrections), *where).code == 0
    ran = rumeur(capsys, "models", "adapt", *where)
    assert ran.code == 0, ran.err
    assert "reason: workspace reason model v1, learnt from 4 corrections" in ran.out
    assert "(Boutique 2, Technique 1, not a complaint 1)" in ran.out
    assert reason() == "Boutique"
    with using("fr"):
        ran = rumeur(capsys, "models", "adapt", *where)
    assert (
        "motif : modèle de motifs de l'espace de travail v2, appris à partir de 4 corrections "
        "(Boutique 2, Technique 1, pas une réclamation 1)"
    ) in ran.out
    said = "sentiment : rien n'a été appris : aucune correction à partir de laquelle apprendre"
    assert said in ran.out
    ran = rumeur(capsys, "models", "list", *where, "--json")
    assert ran.code == 0, ran.err
    rows = [json.loads(line) for line in ran.out.splitlines()]
    assert [(r["task"], r["version"], r["examples"]) for r in rows] == [
        ("reason", 2, 4), ("reason", 1, 4),
    ]  # fmt: skip
    ran = rumeur(capsys, "models", "list", *where)
    assert ran.out.split()[:4] == ["task", "version", "made", "corrections"]
    with using("fr"):
        ran = rumeur(capsys, "models", "list", "--db", db_url, "--config", str(config), "-w", "x")
    assert ran.code == 1 and "x" in ran.err
