"""The engagement formula: the Python half and the SQL half agree, and views stay out."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from rumeur.metrics import ENGAGEMENT, engagement, engagement_of, engagement_sql
from rumeur.model import Metrics


def test_engagement_sums_the_four_counts_and_leaves_views_out() -> None:
    assert engagement(1, 2, 3, 4) == 10
    assert Metrics(likes=1, reposts=2, replies=3, quotes=4, views=1000).engagement == 10


def test_a_row_missing_or_null_count_reads_zero() -> None:
    assert engagement_of({"likes": 5, "reposts": None, "quotes": "2", "views": 99}) == 7


def test_the_sql_expression_counts_what_python_counts() -> None:
    table = Table("counts", MetaData(), *(Column(name, Integer) for name in ENGAGEMENT))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    rows = [dict(zip(ENGAGEMENT, counts, strict=True)) for counts in [(1, 2, 3, 4), (0, 7, 0, 9)]]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        c = table.c
        got = conn.execute(select(engagement_sql(c.likes, c.reposts, c.replies, c.quotes))).all()
    assert [value for (value,) in got] == [engagement_of(row) for row in rows]
