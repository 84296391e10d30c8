"""The one error handler: bad input is a 400 in the reader's language, a real fault a 500
logged once with its traceback, and a refusal once an answer began a warning, not a fault."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from rumeur.errors import QueryTooCostly
from website import Site


def test_bad_input_is_a_400_in_the_reader_s_language(site: Site) -> None:
    client = site.client("ana")
    french = {"Accept-Language": "fr"}
    client.cookies.delete("rumeur_lang")
    page = client.get("/w/united/posts/99999999999999999999", headers=french)
    assert page.status_code == 400 and "supérieur à 9223372036854775807" in page.text
    day = client.get("/w/united/stream", params={"until": "9999-12-31"}, headers=french)
    assert day.status_code == 400
    assert "n’est pas un jour entre le 1000-01-01 et le 9998-12-31" in day.text


def test_a_long_query_is_read_up_to_the_stream_s_limit(site: Site) -> None:
    client = site.client("ana")
    words = " OR ".join(f"word{n}" for n in range(300))[:1990].rsplit(" OR ", 1)[0]
    assert len(words) > 1900
    assert client.get("/w/united/stream", params={"q": words}).status_code == 200
    longer = client.get("/w/united/stream", params={"q": words + " OR x" * 30})
    assert longer.status_code == 400 and "longer than 2000 characters" in longer.text


def test_an_export_refused_midway_is_a_warning_without_a_traceback(
    site: Site, log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumeur.web import views

    real = views.export_rows

    def over_budget(*args: object, **kwargs: object) -> Iterator[object]:
        for n, row in enumerate(real(*args, **kwargs)):  # type: ignore[arg-type]
            if n == 1200:
                raise QueryTooCostly("query too costly: it ran past its budget")
            yield row

    monkeypatch.setattr(views, "export_rows", over_budget)
    answer = site.client("ana").get("/w/united/export.csv")
    assert answer.status_code == 200 and answer.text.count("\n") >= 1000  # begun, cut short
    written = log.getvalue()
    assert "request refused midway" in written and "query too costly" in written
    assert "Traceback" not in written
