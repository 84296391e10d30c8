"""Server-side SVG charts: well-formed, escaped, CSP-clean (no inline style), readable without
colour, and graceful with empty data."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import pytest
from jinja2 import Environment
from markupsafe import Markup

from rumeur.web.charts import (
    DASHES,
    MARKERS,
    MAX_LABEL_SHARE,
    NARROW,
    PAD,
    PALETTE,
    WIDE,
    Series,
    bar_list,
    caption,
    format_number,
    line_chart,
    nice_ticks,
    stacked_bars,
)

NS = "{http://www.w3.org/2000/svg}"
# Every element the charts may emit: anything else in the output would be injected markup.
SVG_TAGS = {
    "svg",
    "title",
    "desc",
    "g",
    "line",
    "path",
    "circle",
    "rect",
    "text",
    "defs",
    "pattern",
}
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "]]>",
    "&amp;",
    "' onload='alert(1)",
    "<!-- x -->",
]
DAYS = [f"2024-03-{day:02d}" for day in range(1, 31)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in (el.get("class") or "").split()]


def titles(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}title")]


def texts(root: ET.Element, cls: str) -> list[str]:
    """The visible text of the <text> elements of a class (a <title> child is the tooltip)."""
    out = []
    for el in by_class(root, cls):
        tooltip = el.find(f"{NS}title")
        out.append(tooltip.tail if tooltip is not None else el.text)
    return [text or "" for text in out]


def hostile_charts() -> list[str]:
    series = [Series(name, [i + 1, i * 2, 3]) for i, name in enumerate(HOSTILE)]
    labels = ["<b>mon</b>", "tue&amp;", "]]>wed"]
    items = [(name, float(i + 1)) for i, name in enumerate(HOSTILE)]
    return [
        line_chart("c1", "<h1>Share</h1>", labels, series),
        stacked_bars("c2", '"><svg onload=alert(1)>', labels, series, colors={HOSTILE[0]: '"x'}),
        bar_list("c3", "]]>&amp;", items),
        line_chart("c4", "<x>", labels, [], empty_text="<i>none</i> & ]]>"),
    ]


@pytest.mark.parametrize("index", range(4))
def test_hostile_text_stays_text(index: int) -> None:
    svg = hostile_charts()[index]
    root = parse(svg)  # well-formed XML, or this raises
    assert tag(root) == "svg"
    for el in root.iter():
        assert el.tag.startswith(NS) and tag(el) in SVG_TAGS, el.tag
        assert not any(name.lower().startswith("on") for name in el.attrib)
        assert "style" not in el.attrib
    assert "<script" not in svg and "<img" not in svg and "<i>" not in svg


def test_hostile_names_round_trip_exactly() -> None:
    line, stacked, listed, empty = (parse(svg) for svg in hostile_charts())
    assert titles(line)[0] == "<h1>Share</h1>"
    assert titles(stacked)[0] == '"><svg onload=alert(1)>'
    assert titles(listed)[0] == "]]>&amp;"
    for root in (line, stacked):
        # Legend entries carry the full name as tooltip; the text is cut when long.
        assert [el.findtext(f"{NS}title") for el in by_class(root, "chart-legend-item")] == HOSTILE
        for shown, name in zip(texts(root, "chart-name"), HOSTILE, strict=True):
            assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
        assert texts(root, "chart-name")[0] == HOSTILE[0]
        assert texts(root, "chart-xlabel") == ["<b>mon</b>", "tue&amp;", "]]>wed"]
    assert f"<b>mon</b> · {HOSTILE[1]}: 2" in titles(line)
    assert texts(listed, "chart-label") == HOSTILE
    assert [el.findtext(f"{NS}title") for el in by_class(listed, "chart-bar")] == [
        f"{name}: {i + 1}" for i, name in enumerate(HOSTILE)
    ]
    assert "".join(empty.itertext()).endswith("<i>none</i> & ]]>")


def test_control_characters_cannot_break_the_xml() -> None:
    name = "\x1b[31mred\x00 @brand\ud800"
    root = parse(line_chart("c", "t", ["a", "b"], [Series(name, [1, 2])]))
    assert texts(root, "chart-name") == ["\ufffd[31mred\ufffd @brand\ufffd"]


def test_no_style_anywhere_and_root_attributes() -> None:
    series = [Series("A", [1, 2, 3]), Series("B", [3, 2, 1])]
    for svg in (
        line_chart("sov", "Share of voice", ["x", "y", "z"], series),
        stacked_bars("sent", "Sentiment", ["x", "y", "z"], series),
        bar_list("emo", "Emotions", [("joy", 3)]),
        bar_list("none", "Emotions", []),
    ):
        assert "style" not in svg
        root = parse(svg)
        chart_id = root.get("id")
        assert root.get("role") == "img"
        minx, miny, width, height = (float(v) for v in root.get("viewBox", "").split())
        assert (minx, miny) == (0, 0) and width > 0 and height > 0
        # Drawn at its size: one viewBox unit is a pixel (the CSS may only shrink it).
        assert float(root.get("width", "")) == width and root.get("height") is None
        label_ids = root.get("aria-labelledby", "").split()
        assert label_ids == [f"{chart_id}-title", f"{chart_id}-desc"]
        assert tag(root[0]) == "title" and root[0].get("id") == label_ids[0]
        assert tag(root[1]) == "desc" and root[1].get("id") == label_ids[1]
        ids = [el.get("id") for el in root.iter() if el.get("id")]
        assert len(ids) == len(set(ids)) and all(i.startswith(chart_id) for i in ids)


def test_pattern_ids_differ_between_charts() -> None:
    series = [Series("a", [1]), Series("b", [2]), Series("c", [3])]
    one = parse(stacked_bars("one", "t", ["x"], series))
    two = parse(stacked_bars("two", "t", ["x"], series))
    ids_one = {el.get("id") for el in one.iter(f"{NS}pattern")}
    ids_two = {el.get("id") for el in two.iter(f"{NS}pattern")}
    assert len(ids_one) == 2 and not ids_one & ids_two


@pytest.mark.parametrize(
    ("lo", "hi", "integer"),
    [
        (0, 1, False),
        (0, 1, True),
        (0, 3, True),
        (0, 7, False),
        (0, 10, False),
        (0, 99, False),
        (0, 101, True),
        (0, 12_345, True),
        (0, 0.003, False),
        (0, 1e9, False),
        (-5, 17, False),
        (-0.7, 0, False),
        (0, 0, False),
        (3, 3, True),
        *[(0, hi, True) for hi in (2, 4, 6, 9, 11, 19, 26, 49, 51, 73, 999, 1001)],
        *[(0, hi / 7, False) for hi in range(1, 60)],
    ],
)
def test_ticks_are_nice_and_cover_the_range(lo: float, hi: float, integer: bool) -> None:
    ticks = nice_ticks(lo, hi, integer=integer)
    assert 3 <= len(ticks) <= 6
    assert ticks[0] <= lo and ticks[-1] >= hi
    steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-9
    assert all(math.isclose(t / step, round(t / step), abs_tol=1e-9) for t in ticks)
    if integer:
        assert step >= 1 and all(float(t).is_integer() for t in ticks)


def test_ticks_have_no_float_noise() -> None:
    assert nice_ticks(0, 0.9) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 1, integer=True) == [0, 1, 2]
    assert nice_ticks(0, 140) == [0, 50, 100, 150]


def test_y_axis_labels_use_the_callers_format() -> None:
    fmt = "{:,.0f} posts".format
    svg = line_chart("c", "t", DAYS[:3], [Series("A", [120, 4_400, 3_000])], fmt=fmt)
    root = parse(svg)
    ticks = texts(root, "chart-tick")
    assert ticks == [
        "0 posts",
        "1,000 posts",
        "2,000 posts",
        "3,000 posts",
        "4,000 posts",
        "5,000 posts",
    ]
    assert "2024-03-02 · A: 4,400 posts" in titles(root)


def test_one_point_per_value() -> None:
    series = [Series(f"brand{i}", [(d * (i + 3)) % 17 for d in range(30)]) for i in range(6)]
    root = parse(line_chart("c", "t", DAYS, series))
    assert len(by_class(root, "chart-point")) == 6 * 30
    assert len(by_class(root, "chart-trace")) == 6
    for group in by_class(root, "chart-series"):
        points = [el for el in group if "chart-point" in (el.get("class") or "")]
        assert len(points) == 30 and all(el.findtext(f"{NS}title") for el in points)


def test_missing_values_break_the_line() -> None:
    root = parse(line_chart("c", "t", ["a", "b", "c", "d"], [Series("A", [1, math.nan, 2, 3])]))
    assert len(by_class(root, "chart-point")) == 3
    (path,) = by_class(root, "chart-trace")
    assert path.get("d", "").count("M") == 2
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()


def test_series_differ_in_colour_dash_and_marker() -> None:
    series = [Series(f"s{i}", [i, i + 1]) for i in range(8)]
    root = parse(line_chart("c", "t", ["a", "b"], series))
    lines = by_class(root, "chart-trace")
    styles = {(el.get("stroke"), el.get("stroke-dasharray")) for el in lines}
    assert len({stroke for stroke, _ in styles}) == 8 and len({d for _, d in styles}) == 8
    shapes = set()
    for group in by_class(root, "chart-series"):
        point = next(el for el in group if "chart-point" in (el.get("class") or ""))
        shapes.add((tag(point), point.get("fill") == "#ffffff", point.get("d", "")[:12]))
    assert len(shapes) == len(MARKERS) == len(DASHES) == len(PALETTE) == 8


def test_x_labels_are_thinned() -> None:
    for count in (7, 30, 90, 200):
        labels = [f"label {i:03d}" for i in range(count)]
        for svg in (
            line_chart("c", "t", labels, [Series("A", list(range(count)))], width=WIDE),
            stacked_bars("c", "t", labels, [Series("A", list(range(1, count + 1)))], width=WIDE),
        ):
            shown = texts(parse(svg), "chart-xlabel")
            assert 1 <= len(shown) <= 12 and shown[0] == "label 000"
            assert set(shown) <= set(labels)
            if count <= 12:
                assert shown == labels


def test_visible_x_labels_do_not_overlap() -> None:
    labels = [f"2024-03-{d:02d} 12:00" for d in range(1, 91)]
    root = parse(line_chart("c", "t", labels, [Series("A", [1] * 90)]))
    xs = [float(el.get("x", "")) for el in by_class(root, "chart-xlabel")]
    gap = min(b - a for a, b in itertools.pairwise(xs))
    assert gap > len(labels[0]) * 11 * 0.55  # wider than one label at 11px


def test_stacked_bars_one_segment_per_nonzero_value() -> None:
    values = {"negative": [1, 0, 3], "neutral": [2, 2, 0], "positive": [0, 5, 1]}
    colors = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}
    series = [Series(name, vals) for name, vals in values.items()]
    root = parse(stacked_bars("s", "t", ["a", "b", "c"], series, colors=colors))
    bars = by_class(root, "chart-bar")
    assert len(bars) == 6
    assert [b.findtext(f"{NS}title") for b in bars[:2]] == ["a · negative: 1", "a · neutral: 2"]
    assert bars[0].get("fill") == "#c0392b"  # the first series is plain colour
    assert bars[1].get("fill", "").endswith(" #95a5a6")  # hatched, with the colour as fallback
    # Stacked from the bottom: each segment sits on the previous one, and the tallest column
    # reaches no higher than the top tick.
    assert math.isclose(
        float(bars[1].get("y", "")) + float(bars[1].get("height", "")), float(bars[0].get("y", ""))
    )
    assert max(float(t) for t in texts(root, "chart-tick")) >= 7


def test_bar_list_truncates_long_labels_but_keeps_them_in_tooltips() -> None:
    long = "#" + "verylonghashtag" * 5
    items = [(f"item{i}", 20 - i) for i in range(15)] + [(long, 1)]
    root = parse(bar_list("b", "t", [(long, 50), *items], max_items=10))
    bars = by_class(root, "chart-bar")
    assert len(bars) == 10
    assert bars[0].findtext(f"{NS}title") == f"{long}: 50"
    label = texts(root, "chart-label")[0]
    assert label.endswith("…") and long.startswith(label[:-1]) and len(label) < len(long)
    assert by_class(root, "chart-label")[0].findtext(f"{NS}title") == long
    assert texts(root, "chart-value")[:2] == ["50", "20"]
    widths = [float(b.get("width", "")) for b in bars]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[1] > 0


@pytest.mark.parametrize(
    "svg",
    [
        line_chart("e", "t", [], [], empty_text="Aucune donnée"),
        line_chart("e", "t", DAYS, [], empty_text="Aucune donnée"),
        line_chart("e", "t", DAYS, [Series("A", [0] * 30)], empty_text="Aucune donnée"),
        line_chart("e", "t", ["a"], [Series("A", [math.nan])], empty_text="Aucune donnée"),
        stacked_bars("e", "t", [], [], empty_text="Aucune donnée"),
        stacked_bars(
            "e", "t", ["a"], [Series("A", [0]), Series("B", [-2])], empty_text="Aucune donnée"
        ),
        bar_list("e", "t", [], empty_text="Aucune donnée"),
        bar_list("e", "t", [("a", 0), ("b", 0)], empty_text="Aucune donnée"),
        bar_list("e", "t", [("a", 5)], max_items=0, empty_text="Aucune donnée"),
    ],
)
def test_empty_data_shows_the_callers_text(svg: str) -> None:
    root = parse(svg)
    assert texts(root, "chart-empty") == ["Aucune donnée"]
    assert not by_class(root, "chart-point") and not by_class(root, "chart-bar")
    assert "chart-is-empty" in (root.get("class") or "")


def test_one_bucket() -> None:
    line = parse(line_chart("c", "t", ["2024-03-01"], [Series("A", [5]), Series("B", [2])]))
    points = by_class(line, "chart-point")
    assert len(points) == 2 and points[0].get("cx") is not None
    assert texts(line, "chart-xlabel") == ["2024-03-01"]
    bars = parse(stacked_bars("c", "t", ["2024-03-01"], [Series("A", [5])]))
    assert len(by_class(bars, "chart-bar")) == 1
    one = parse(bar_list("c", "t", [("joy", 0.5)]))
    assert texts(one, "chart-value") == ["0.5"]


def test_negative_values_extend_the_axis_below_zero() -> None:
    root = parse(line_chart("c", "t", ["a", "b"], [Series("net", [-3, 8])]))
    ticks = [float(t) for t in texts(root, "chart-tick")]
    assert ticks[0] <= -3 and ticks[-1] >= 8 and 0 in ticks


def test_output_is_deterministic_markup() -> None:
    def render() -> list[Markup]:
        series = [Series("A", [1.5, 2.25, 3]), Series("B", [0.1, 0.2, 0.3])]
        return [
            line_chart("c", "t", ["x", "y", "z"], series),
            stacked_bars("s", "t", ["x", "y", "z"], series),
            bar_list("b", "t", [("a", 1 / 3), ("b", 2 / 3)]),
        ]

    first, second = render(), render()
    assert first == second
    assert all(isinstance(svg, Markup) for svg in first)


def test_embeds_unescaped_in_an_autoescaping_template() -> None:
    env = Environment(autoescape=True)
    svg = bar_list("b", "<t>", [("<joy>", 1)])
    html = env.from_string("<div>{{ chart }}</div>").render(chart=svg)
    assert html == f"<div>{svg}</div>" and html.startswith("<div><svg ")
    assert "<joy>" not in html and "&lt;joy&gt;" in html


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="3 values for 2 labels"):
        line_chart("c", "t", ["a", "b"], [Series("A", [1, 2, 3])])
    with pytest.raises(ValueError, match="chart_id"):
        line_chart('x" onload="alert(1)', "t", ["a"], [Series("A", [1])])
    with pytest.raises(ValueError, match="chart_id"):
        bar_list("1abc", "t", [("a", 1)])
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(0, math.inf)


def test_default_format() -> None:
    assert [format_number(v) for v in (0, 3.0, 2.5, 1 / 3, 1_000_000)] == [
        "0",
        "3",
        "2.5",
        "0.33",
        "1000000",
    ]


def test_charts_are_drawn_at_the_width_asked() -> None:
    series = [Series("A", [1, 2, 3])]
    for svg, width in (
        (line_chart("l", "t", ["x", "y", "z"], series, width=WIDE), WIDE),
        (stacked_bars("s", "t", ["x", "y", "z"], series, width=WIDE), WIDE),
        (bar_list("b", "t", [("joy", 3)], width=NARROW), NARROW),
        (bar_list("e", "t", [], width=NARROW), NARROW),
    ):
        root = parse(svg)
        assert root.get("width") == str(width)
        assert root.get("viewBox", "").split()[2] == str(width)
        # Nothing drawn past the right edge.
        xs = [float(el.get("x", "0")) + float(el.get("width", "0")) for el in root.iter()]
        assert max(xs) <= width


def test_a_bar_list_is_as_tall_as_its_bars() -> None:
    """Three bars take the room of three bars, not of ten; an empty list one line."""
    heights = {}
    for n in (1, 3, 10):
        root = parse(bar_list("b", "t", [(f"item {i}", 10 - i) for i in range(n)]))
        heights[n] = float(root.get("viewBox", "").split()[3])
    assert heights[1] < heights[3] < heights[10]
    assert heights[10] - heights[3] == pytest.approx(7 * (heights[3] - heights[1]) / 2)
    empty = parse(bar_list("e", "t", []))
    assert float(empty.get("viewBox", "").split()[3]) < heights[1] + 20


def test_a_bar_lists_label_column_follows_its_labels() -> None:
    """Short labels leave the bars the room; a long one takes at most its share."""
    short = parse(bar_list("b", "t", [("joy", 3), ("fear", 1)], width=NARROW))
    long = parse(bar_list("b", "t", [("Flight Attendant Complaints", 3)], width=NARROW))
    huge = parse(bar_list("b", "t", [("x" * 200, 3)], width=NARROW))
    lefts = [float(by_class(r, "chart-bar")[0].get("x", "")) for r in (short, long, huge)]
    assert lefts[0] < lefts[1] < lefts[2] <= NARROW * MAX_LABEL_SHARE + 2 * PAD
    assert texts(long, "chart-label") == ["Flight Attendant Complaints"]  # not cut
    assert texts(huge, "chart-label")[0].endswith("…")


def test_the_caption_is_visible_html_with_escaped_text() -> None:
    html = str(caption("Volume <b>", 'Posts about "A&B" · Feb 17 – 24, 2015'))
    root = ET.fromstring(html)
    assert root.tag == "figcaption" and root.get("class") == "chart-caption"
    title, subtitle = list(root)
    assert (title.get("class"), title.text) == ("chart-title", "Volume <b>")
    assert (subtitle.get("class"), subtitle.text) == (
        "chart-subtitle",
        'Posts about "A&B" · Feb 17 – 24, 2015',
    )
    assert "<b>" not in html
