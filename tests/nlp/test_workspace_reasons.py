"""A workspace's own complaint reasons: its settings, its reason model, and the pipeline that
gives them. Another workspace never gets the airline reasons of the demo."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from clirun import rumeur
from factories import make_post
from rumeur.config import Workspace, load_settings, parse_settings
from rumeur.errors import ConfigError
from rumeur.model import EnrichmentResult
from rumeur.nlp.cards import WORKSPACE_REASONS
from rumeur.nlp.registry import enrichers, model_for
from rumeur.nlp.why import explain_post
from rumeur.nlp.workspace_reasons import (
    MODEL,
    NO_REASON,
    ReasonModel,
    ReasonModelError,
    for_workspace,
    train_reason_model,
)
from rumeur.pipeline.stages import enrich
from rumeur.settings.reasons import AIRLINE_REASONS
from rumeur.store import Store
from rumeur.store.corrections import record_correction
from rumeur.store.reason_examples import reason_examples
from rumeur.store.schema import post_brands, posts

MODELS = Path(__file__).resolve().parents[2] / "src" / "rumeur" / "nlp" / "models"
VELORA = """
[[workspaces]]
slug = "velora"
name = "Velora"

[workspaces.brand]
name = "Velora"

[[workspaces.reasons]]
name = "Livraison <express>"
examples = [
    "Mon colis n'est toujours pas arrivé, livraison en retard",
    "Colis perdu par le transporteur, personne ne répond",
    "Livraison annoncée hier, rien reçu, colis introuvable",
]

[[workspaces.reasons]]
name = "Facturation"
examples = ["Facture erronée, prélevé deux fois ce mois-ci"]
query = 'rembours* OR (prélev* NEAR/3 (double OR deux))'

[[workspaces.departments]]
slug = "service-client"
name = "Service client"
reasons = ["Livraison <express>", "Facturation"]

[[workspaces]]
slug = "plain"
name = "Plain"

[workspaces.brand]
name = "Plain"
"""
NEGATIVE = [
    ("1", "Toujours pas de colis, la livraison a trois jours de retard", "Livraison <express>"),
    ("2", "J'attends mon remboursement depuis un mois, scandaleux", "Facturation"),
    ("3", "Colis introuvable, le transporteur ne répond jamais", "Livraison <express>"),
    ("4", "Le vendeur en boutique était désagréable et hautain", NO_REASON),
]
AIRLINE_POSTS = [
    ("5", "@united you lost my luggage, bag still missing after 3 days"),
    ("6", "@united flight cancelled again, no rebooking, terrible"),
]


@dataclass(frozen=True)
class Spec:
    name: str
    examples: tuple[str, ...] = ()
    query: str | None = None


SPECS = [
    Spec("Livraison", ("Mon colis n'est toujours pas arrivé", "Colis perdu par La Poste")),
    Spec("Facturation", ("Prélevé deux fois sur ma facture", "Remboursement jamais reçu")),
]


def test_the_examples_teach_each_reason_and_an_unrelated_complaint_gets_none() -> None:
    model = train_reason_model(SPECS)
    result = model.predict(
        ["Toujours pas reçu mon colis", "On m'a prélevé deux fois", "Le vendeur était hautain"]
    )
    assert list(result.labels) == ["Livraison", "Facturation", NO_REASON]
    assert 0.5 < result.score(0) <= 1.0


def test_a_correction_to_no_reason_teaches_what_is_no_complaint() -> None:
    text = "Merci pour le colis, arrivé en avance"
    assert train_reason_model(SPECS).predict([text]).label(0) == "Livraison"
    taught = train_reason_model(SPECS, [("Merci, colis arrivé en avance, parfait", NO_REASON)])
    assert taught.predict([text]).label(0) == NO_REASON


def test_examples_of_reasons_the_workspace_no_longer_defines_are_left_out() -> None:
    model = train_reason_model(SPECS, [("Vol annulé sans prévenir", "Cancelled Flight")])
    assert model.classes == ("Livraison", "Facturation", NO_REASON)
    assert model.counts["Livraison"] == 2


def test_the_explanation_is_exact_and_names_the_query_and_the_nearest_examples() -> None:
    specs = [*SPECS, Spec("Magasin", query="vendeur* OR boutique")]
    rules = {"Magasin": lambda text, lang: "vendeur" in text}
    model = train_reason_model(specs).with_rules(rules)
    why = model.explain("Colis perdu, toujours pas arrivé")
    assert why.label == "Livraison" and why.query is None
    assert {w for w, _ in why.supporting} == {"colis", "perdu", "toujours", "arrivé"}
    scores = model.scores("Colis perdu, toujours pas arrivé")
    assert sum(w for _, w in why.supporting) == pytest.approx(scores[0])
    assert why.examples == ["Mon colis n'est toujours pas arrivé", "Colis perdu par La Poste"]
    shop = model.explain("Le vendeur était hautain")
    assert (shop.label, shop.query) == ("Magasin", "vendeur* OR boutique")
    assert shop.as_dict()["query"] == "vendeur* OR boutique"


def test_the_model_round_trips_through_bytes_that_are_plain_json() -> None:
    model = train_reason_model(SPECS, [("Colis abîmé à l'arrivée", "Livraison")])
    data = model.to_bytes()
    assert json.loads(data)["reasons"] == ["Livraison", "Facturation"]
    again = ReasonModel.from_bytes(data)
    assert again.to_bytes() == data and again.version == model.version
    texts = ["colis abîmé", "remboursement", "rien à voir"]
    assert list(again.predict(texts).labels) == list(model.predict(texts).labels)


@pytest.mark.parametrize(
    "data",
    [b"\x80\x81", b"[]", b'{"model": "other"}', b'{"model": "rumeur-reason-workspace"}'],
)
def test_bytes_that_are_no_reason_model_are_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(ReasonModelError) as caught:
        ReasonModel.from_bytes(data)
    assert "\n" not in str(caught.value)


def test_a_stored_model_is_used_only_while_it_knows_the_workspace_reasons() -> None:
    ws = parse_settings(VELORA, "t.toml").workspace("velora")
    names = ("Livraison <express>", "Facturation")
    stored = train_reason_model(ws.reasons, [("Carton écrasé", "Livraison <express>")])
    assert for_workspace(ws, stored.to_bytes()).version == stored.version
    old = train_reason_model(SPECS).to_bytes()
    assert for_workspace(ws, old).reasons == names
    assert for_workspace(ws, b"garbage").reasons == names


def test_the_airline_reasons_are_the_shipped_models_classes() -> None:
    card = json.loads((MODELS / "reason.json").read_text(encoding="utf-8"))
    assert tuple(card["classes"]) == AIRLINE_REASONS
    assert load_settings(None).workspace().reason_names == AIRLINE_REASONS


def test_a_workspace_without_reasons_has_no_reason_model() -> None:
    settings = parse_settings(VELORA, "t.toml")
    plain = settings.workspace("plain")
    assert [m.task for m in enrichers(settings, plain)] == ["language", "sentiment", "emotion"]
    with pytest.raises(ConfigError, match=r"^workspace 'plain' defines no complaint reasons"):
        model_for("reason", settings, plain)


def test_the_pipeline_gives_each_workspace_only_its_own_reasons() -> None:
    settings = parse_settings(VELORA, "t.toml")
    texts = [*((i, t) for i, t, _ in NEGATIVE), *AIRLINE_POSTS]
    batch = [make_post(i, t, sentiment="negative") for i, t in texts]
    found = {}
    for ws in (settings.workspace("velora"), settings.workspace("plain")):
        results = enrich(batch, enrichers(settings, ws))
        found[ws.slug] = [r for r in results if r.task == "reason"]
    [velora] = found["velora"]
    assert list(velora.labels[: len(NEGATIVE)]) == [r for _, _, r in NEGATIVE]
    assert set(velora.labels) <= {"Livraison <express>", "Facturation", NO_REASON}
    assert found["plain"] == []
    demo = load_settings(None)
    [airline] = [r for r in enrich(batch, enrichers(demo, demo.workspace())) if r.task == "reason"]
    assert list(airline.labels[-2:]) == ["Lost Luggage", "Cancelled Flight"]


def test_an_import_stores_the_workspace_reasons_and_none_of_the_demo(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reasons = {}
    for slug in ("velora", "plain"):
        _import(capsys, tmp_path, db_url, slug)
        reasons[slug] = _stored_reasons(db_url, slug)
    velora = reasons["velora"]
    expected = {i: r or None for i, _, r in NEGATIVE}  # the store keeps no reason as NULL
    assert {i: velora[f"velora-{i}"] for i, _, _ in NEGATIVE} == expected
    assert not set(velora.values()) & set(AIRLINE_REASONS)
    assert len(reasons["plain"]) == 6 and set(reasons["plain"].values()) == {None}


def test_the_store_teaches_by_the_queries_matches_and_the_corrections(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _import(capsys, tmp_path, db_url, "velora")
    store = Store.open(db_url)
    try:
        ids = {native: pid for pid, native in _ids(store)}
        refund = "J'attends mon remboursement depuis un mois, scandaleux"
        assert reason_examples(store, ws) == [(refund, "Facturation")]
        record_correction(store, "velora", ids["velora-2"], None, "reason", "none", "ada")
        record_correction(store, "velora", ids["velora-4"], None, "reason", "Facturation", "ada")
        record_correction(
            store, "velora", None, "Carton écrasé", "reason", "Livraison <express>", "ada"
        )
        found = reason_examples(store, ws)
    finally:
        store.close()
    shop = "Le vendeur en boutique était désagréable et hautain"
    # The analyst said post 2 is no complaint: its query's match is left out.
    assert found == [
        (refund, NO_REASON),
        (shop, "Facturation"),
        ("Carton écrasé", "Livraison <express>"),
    ]
    model = train_reason_model(ws.reasons, found)
    assert model.counts == {"Livraison <express>": 4, "Facturation": 2, NO_REASON: 1}


def _import(capsys: pytest.CaptureFixture[str], folder: Path, db_url: str, slug: str) -> Workspace:
    """`rumeur import` of the posts into workspace `slug` of VELORA; that workspace."""
    config = folder / "rumeur.toml"
    config.write_text(VELORA, encoding="utf-8")
    mapping = folder / "tone.toml"
    mapping.write_text(
        'name = "tone"\nformat = "csv"\nplatform = "x"\n\n[columns]\nnative_id = "id"\n'
        'text = "text"\ncreated_at = "date"\nauthor = "author"\n\n'
        '[labels]\nsentiment = { column = "tone" }\n',
        encoding="utf-8",
    )
    source = _posts_file(folder, slug)
    args = ("--db", db_url, "--config", str(config), "-w", slug, "--mapping", str(mapping))
    ran = rumeur(capsys, "import", str(source), *args)
    assert ran.code == 0, ran.err
    return parse_settings(VELORA, str(config)).workspace(slug)


def _ids(store: Store) -> list[tuple[int, str]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(posts.c.id, posts.c.native_id))]


def _posts_file(folder: Path, slug: str) -> Path:
    """The negative posts (the file says so), their ids in the workspace's own range: a post
    belongs to one workspace."""
    source = folder / f"{slug}.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "author", "text", "tone"])
        for ident, text in [*((i, t) for i, t, _ in NEGATIVE), *AIRLINE_POSTS]:
            out.writerow([f"{slug}-{ident}", "2026-11-20 10:00", f"u{ident}", text, "negative"])
    return source


def _stored_reasons(db_url: str, workspace: str) -> dict[str, str | None]:
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(posts.c.native_id, posts.c.reason)
                .join(post_brands, post_brands.c.post_id == posts.c.id)
                .where(post_brands.c.workspace == workspace)
            ).all()
    finally:
        store.close()
    return dict(rows)


BASE = '[[workspaces]]\nslug = "w"\nname = "W"\n\n[workspaces.brand]\nname = "W"\n'
REFUSED = [
    (
        '[[workspaces.reasons]]\nname = "Livraison"\nexamples = ["colis perdu"]\n\n'
        '[[workspaces.departments]]\nslug = "sc"\nname = "SC"\n'
        'reasons = ["Livraison", "Lost Luggage"]\n',
        "bad.toml: workspaces[0].departments[0].reasons[1]: no reason 'Lost Luggage' in this "
        "workspace (known: 'Livraison')",
    ),
    (
        '[[workspaces.departments]]\nslug = "sc"\nname = "SC"\nreasons = ["Livraison"]\n',
        "bad.toml: workspaces[0].departments[0].reasons[0]: no reason 'Livraison' in this "
        "workspace: define it under [[workspaces.reasons]] (a name, a few examples or a query)",
    ),
    (  # a file written when every workspace got the airline reasons
        '[[workspaces.departments]]\nslug = "sc"\nname = "SC"\nreasons = ["Lost Luggage"]\n',
        "bad.toml: workspaces[0].departments[0].reasons[0]: no reason 'Lost Luggage' in this "
        "workspace: take the demo's airline reasons with [workspaces.nlp] reason_model = "
        '"airline", or define your own under [[workspaces.reasons]]',
    ),
    (
        '[[workspaces.reasons]]\nname = "Livraison"\n',
        "bad.toml: workspaces[0].reasons[0]: reason 'Livraison' needs a few `examples` or a "
        "`query`",
    ),
    (
        '[[workspaces.reasons]]\nname = "Livraison"\nquery = "colis AND ("\n',
        "bad.toml: workspaces[0].reasons[0].query: a parenthesis is not closed (column 11); "
        "add the missing ')' (got 'colis AND (')",
    ),
    (
        '[[workspaces.reasons]]\nname = "Livraison"\nexamples = ["a"]\n\n'
        '[[workspaces.reasons]]\nname = "livraison"\nexamples = ["b"]\n',
        "bad.toml: workspaces[0].reasons[1].name: two reasons are named 'livraison'",
    ),
    (
        '[workspaces.nlp]\nreason_model = "airline"\n\n'
        '[[workspaces.reasons]]\nname = "Livraison"\nexamples = ["a"]\n',
        'bad.toml: workspaces[0].reasons: a workspace with reason_model = "airline" takes the '
        "airline reasons: define reasons of its own or leave reason_model out",
    ),
    (
        '[[workspaces.reasons]]\nname = " Livraison"\nexamples = ["a"]\n',
        "bad.toml: workspaces[0].reasons[0].name: a reason's name is one line without spaces "
        "around it (got ' Livraison')",
    ),
    (
        '[[workspaces.reasons]]\nname = "Livraison"\nexample = ["a"]\n',
        "bad.toml: workspaces[0].reasons[0].example: unknown key (check its spelling)",
    ),
]


@pytest.mark.parametrize(("fragment", "message"), REFUSED)
def test_bad_reason_settings_stop_with_one_line_naming_the_key(fragment: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(BASE + fragment, "bad.toml")
    assert str(caught.value) == message


def test_a_department_of_the_demo_may_name_airline_reasons_only() -> None:
    demo = load_settings(None).workspace()
    assert demo.nlp.reason_model == "airline"
    text = BASE + '[workspaces.nlp]\nreason_model = "airline"\n\n[[workspaces.departments]]\n'
    parse_settings(text + 'slug = "bags"\nname = "Bags"\nreasons = ["Lost Luggage"]\n', "ok")
    with pytest.raises(ConfigError, match=r"reasons\[0\]: no reason 'Livraison'"):
        parse_settings(text + 'slug = "sc"\nname = "SC"\nreasons = ["Livraison"]\n', "bad.toml")


def test_a_post_explains_its_workspace_reason_and_asks_no_model_of_a_workspace_without() -> None:
    settings = parse_settings(VELORA, "t.toml")
    text = "Colis introuvable, le transporteur ne répond jamais"
    post = {"text": text, "language": "fr", "reason": "Livraison <express>"}
    answer = {"task": "reason", "model": MODEL, "version": "x", "label": "Livraison <express>"}
    found = explain_post(settings, settings.workspace("velora"), post, [answer | {"score": 0.9}])
    [why] = [w for w in found if w.task == "reason"]
    assert why.explanation is not None and why.explanation.label == "Livraison <express>"
    assert why.explainer_title().startswith("The workspace's complaint reasons, version ")
    # A file's airline label in a workspace without reasons: shown, not explained.
    post = {"text": text, "language": "fr", "reason": "Lost Luggage"}
    found = explain_post(settings, settings.workspace("plain"), post, [])
    [why] = [w for w in found if w.task == "reason"]
    assert (why.label, why.explanation) == ("Lost Luggage", None)
    assert WORKSPACE_REASONS == MODEL


def test_only_the_negative_posts_of_a_batch_are_asked_and_each_keeps_its_place() -> None:
    settings = parse_settings(VELORA, "t.toml")
    texts = [(i, t) for i, t, _ in NEGATIVE]
    batch = [
        make_post(i, t, sentiment="negative" if n % 2 else "positive")
        for n, (i, t) in enumerate(texts)
    ]
    [reason] = [
        r
        for r in enrich(batch, enrichers(settings, settings.workspace("velora")))
        if r.task == "reason"
    ]
    assert list(reason.labels) == ["", "Facturation", "", NO_REASON]
    assert [s == s for s in reason.scores] == [False, True, False, True]  # NaN: not asked


def test_reenrich_replaces_an_older_models_airline_reason_with_the_workspace_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store enriched by an older rumeur, whose airline model answered every workspace: a
    reason the workspace's model does not give is taken away, as a fresh import stores it.
    (SQLite only: relabel's statements are the same on both.)"""
    db_url = str(tmp_path / "old.db")
    _import(capsys, tmp_path, db_url, "velora")
    store = Store.open(db_url)
    try:  # the shipped airline model's answer, stored as an older rumeur stored it
        ids = [pid for pid, native in _ids(store) if native.startswith("velora-")]
        labels, scores = ["Lost Luggage"] * len(ids), [0.9] * len(ids)
        store.relabel("velora", ids, [EnrichmentResult("reason", "airline", "1", labels, scores)])
        assert set(_stored_reasons(db_url, "velora").values()) == {"Lost Luggage"}
    finally:
        store.close()
    config = str(tmp_path / "rumeur.toml")
    ran = rumeur(
        capsys, "reenrich", "--db", db_url, "--config", config, "-w", "velora", "--task", "reason"
    )
    assert ran.code == 0, ran.err
    found = _stored_reasons(db_url, "velora")
    assert {i: found[f"velora-{i}"] for i, _, _ in NEGATIVE} == {
        i: r or None for i, _, r in NEGATIVE
    }
    assert "Lost Luggage" not in found.values()


def test_reenrich_takes_an_older_models_airline_reason_from_a_workspace_without_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workspace left without reasons has no reason model, yet `rumeur reenrich` takes away
    the airline reasons an older rumeur stored, as a fresh import stores none; an analyst's
    correction stays. (SQLite only: relabel's statements are the same on both.)"""
    db_url = str(tmp_path / "old.db")
    _import(capsys, tmp_path, db_url, "plain")
    store = Store.open(db_url)
    try:
        ids = [pid for pid, native in _ids(store) if native.startswith("plain-")]
        labels, scores = ["Lost Luggage"] * len(ids), [0.9] * len(ids)
        store.relabel("plain", ids, [EnrichmentResult("reason", "airline", "1", labels, scores)])
        record_correction(store, "plain", ids[0], None, "reason", "Late Flight", "lea")
    finally:
        store.close()
    config = str(tmp_path / "rumeur.toml")
    ran = rumeur(capsys, "reenrich", "--db", db_url, "--config", config, "-w", "plain")
    assert ran.code == 0, ran.err
    assert "reason (none 1)" in ran.err
    found = _stored_reasons(db_url, "plain")
    corrected = {native: r for native, r in found.items() if r is not None}
    assert len(found) == len(ids) and len(corrected) == 1
    assert set(corrected.values()) == {"Late Flight"}


def test_reenrich_of_the_reason_alone_asks_the_posts_the_model_found_negative(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rumeur reenrich --task reason` reads each post's stored sentiment, the model's when the
    file gave none: it once read none, and took every such post's reason away."""
    config, mapping = tmp_path / "rumeur.toml", tmp_path / "plain.toml"
    config.write_text(VELORA, encoding="utf-8")
    mapping.write_text(
        'name = "plain"\nformat = "csv"\nplatform = "x"\n\n[columns]\nnative_id = "id"\n'
        'text = "text"\ncreated_at = "date"\nauthor = "author"\n',
        encoding="utf-8",
    )  # no sentiment column: the model gives it
    db_url = str(tmp_path / "model.db")
    args = ("--db", db_url, "--config", str(config), "-w", "velora")
    ran = rumeur(
        capsys, "import", str(_posts_file(tmp_path, "velora")), *args, "--mapping", str(mapping)
    )
    assert ran.code == 0, ran.err
    imported = _stored_reasons(db_url, "velora")
    assert imported["velora-2"] == "Facturation"  # the model found it negative
    ran = rumeur(capsys, "reenrich", *args, "--task", "reason")
    assert ran.code == 0, ran.err
    assert _stored_reasons(db_url, "velora") == imported


def test_a_workspace_of_one_reason_learns_from_its_examples() -> None:
    """With no other reason to compare with, a word of the examples is taken as rare elsewhere:
    it is evidence enough; a post that shares none of them gets no reason."""
    model = train_reason_model([SPECS[0]])
    result = model.predict(["Mon colis est bloqué au dépôt", "Le vendeur était hautain"])
    assert list(result.labels) == ["Livraison", NO_REASON]
    assert [w for w, _ in model.explain("Mon colis est bloqué au dépôt").supporting] == ["colis"]
