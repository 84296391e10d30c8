"""Plain-text search over the full-text index, on both dialects."""

from __future__ import annotations

from factories import make_post
from rumeur.store import Store
from rumeur.store.search import search


def test_search_needs_every_word_and_ignores_case(store: Store) -> None:
    store.write(
        "ws",
        [
            make_post("1", "Mon colis est PERDU depuis lundi"),
            make_post("2", "Colis livré, merci !"),
            make_post("3", "perdu dans le métro"),
        ],
    )
    store.write("other", [make_post("4", "colis perdu ailleurs")])
    with store.engine.connect() as conn:
        found = [r["native_id"] for r in search(conn, "ws", "colis perdu")]
        assert found == ["1"]
        assert search(conn, "ws", "   ") == []
        assert search(conn, "ws", '"; DROP TABLE posts; --') == []


def test_sqlite_search_ignores_accents(tmp_path) -> None:
    store = Store.open(str(tmp_path / "a.db"))
    store.write("ws", [make_post("1", "Résultats de l'ÉLECTION à Besançon")])
    with store.engine.connect() as conn:
        assert [r["native_id"] for r in search(conn, "ws", "election besancon")] == ["1"]
        assert [r["native_id"] for r in search(conn, "ws", "élection")] == ["1"]


def test_an_edited_text_is_found_by_its_new_words(store: Store) -> None:
    store.write("ws", [make_post("1", "premier jet")])
    store.write("ws", [make_post("1", "texte corrigé")])
    with store.engine.connect() as conn:
        assert search(conn, "ws", "premier") == []
        assert [r["native_id"] for r in search(conn, "ws", "corrigé")] == ["1"]
