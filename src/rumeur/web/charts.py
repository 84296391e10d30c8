"""Server-side SVG charts for the listening dashboard: share of voice over time (`line_chart`),
sentiment over time (`stacked_bars`) and ranked lists (`bar_list`).

Each function returns `Markup` holding one complete `<svg>` element, to be embedded inline in a
Jinja page: no JavaScript and no chart library. Three constraints shape the code:

- Series names, labels and titles are strangers' text (brand names, hashtags, handles). Markup is
  only ever built by `_el`, which escapes every attribute value and every text child; nothing is
  concatenated by hand.
- The page's Content-Security-Policy has `style-src 'self'`, so there is no `style` attribute and no
  `<style>` element: presentation attributes give the look, and `chart-*` classes let the site's
  CSS restyle it (CSS wins over presentation attributes).
- Charts are printed and read in grayscale: each series has a colour (Okabe–Ito) and also a dash
  pattern and marker shape (lines) or a hatching (bars), plus a text legend. Each point or bar has
  a `<title>` child ("label: value"), which browsers show as a tooltip.

Charts are drawn at the size they are shown: `width` is the width they are meant to take on the
page (a wide figure, half a page), and the `<svg>` carries it as its own width. The site's CSS
lets a chart shrink to a narrower column (`max-width: 100%`) but never stretches it, so that text
is read at `FONT_SIZE` pixels, not blown up on a wide screen nor shrunk to a few pixels in half a
page. `caption` gives the visible title and subtitle that the page puts before the chart: the
`<title>` inside the SVG is only read by screen readers and shown as a tooltip.

Numbers are formatted by the caller's `fmt`, so the caller decides on the locale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

__all__ = [
    "DASHES",
    "MARKERS",
    "PALETTE",
    "Series",
    "bar_list",
    "caption",
    "format_number",
    "line_chart",
    "nice_ticks",
    "stacked_bars",
]

SVG_NS = "http://www.w3.org/2000/svg"

# Okabe & Ito's colour-blind-safe palette, ordered so that the first series contrast most on white;
# the yellow comes last because it is faint on a white page.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Dash patterns and marker shapes tell series apart in grayscale, where colours may look alike.
DASHES = ("", "6 3", "2 2", "8 3 2 3", "4 4", "10 2", "2 4 6 4", "1 3")
MARKERS = (
    "circle",
    "square",
    "triangle",
    "diamond",
    "triangle-down",
    "ring",
    "hollow-square",
    "hollow-diamond",
)
# Hatching for bar segments, same purpose: (kind, angle in degrees); the first series is plain.
HATCHES: tuple[tuple[str, int] | None, ...] = (
    None,
    ("line", 45),
    ("dots", 0),
    ("line", -45),
    ("cross", 45),
    ("line", 0),
    ("line", 90),
    ("dots", 45),
)

WIDTH = 640  # the default width, in pixels as drawn (viewBox units)
WIDE = 1120  # a chart across the page (the dashboard's main column, less its padding)
NARROW = 540  # a chart in half of it
FONT_SIZE = 13  # pixels: charts are drawn at their size, so this is what is read
FONT_FAMILY = "system-ui, sans-serif"
# Average advance of a sans-serif glyph: text is never measured server-side, so estimate it
# generously enough to keep labels from overlapping.
CHAR_W = FONT_SIZE * 0.62
PAD = 8
TEXT_FILL = "#333333"
MUTED_FILL = "#666666"
GRID = "#e0e0e0"
AXIS = "#888888"
MAX_X_LABELS = 12
MAX_LABEL_CHARS = 16  # x labels (dates, hours): longer ones are cut with an ellipsis
MAX_LEGEND_CHARS = 28
ELLIPSIS = "…"

_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9:-]*\Z")  # tag and attribute names: ours, never input
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# XML 1.0 forbids these even as character references; a stranger's text may hold some (terminal
# escapes, stray surrogates) and one would make the whole SVG unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    """One named line or bar segment: `values[i]` belongs to `labels[i]`."""

    name: str
    values: Sequence[float]


def format_number(value: float) -> str:
    """The default `fmt`: integers without ".0", other numbers with at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


Fmt = Callable[[float], str]
Attr = str | int | float | None


# --- markup ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _num(x: float) -> str:
    """A coordinate: two decimals at most, so that output is short and deterministic."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr(name: str, value: Attr) -> str:
    if not _NAME.match(name):
        raise ValueError(f"bad attribute name {name!r}")
    if value is None:
        return ""
    shown = _num(value) if isinstance(value, float) else _clean(str(value))
    return f' {name}="{escape(shown)}"'


def _el(tag: str, attrs: Mapping[str, Attr] | None = None, *children: str) -> Markup:
    """One element. Attribute values and `str` children are escaped; `Markup` children are
    elements built here, and are kept as they are. Built with f-strings over `escape()`, not
    `Markup.format`: a month's dashboard draws thousands of elements, and `format` made their
    drawing cost more than the queries of some figures."""
    if not _NAME.match(tag):
        raise ValueError(f"bad tag name {tag!r}")
    head = tag + "".join(_attr(k, v) for k, v in (attrs or {}).items())
    if not children:
        return Markup(f"<{head}/>")
    body = "".join(c if isinstance(c, Markup) else escape(_clean(c)) for c in children)
    return Markup(f"<{head}>{body}</{tag}>")


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str,
    cls: str,
    fill: str = TEXT_FILL,
    tooltip: str | None = None,
) -> Markup:
    attrs = {"class": cls, "x": float(x), "y": float(y), "text-anchor": anchor, "fill": fill}
    if tooltip is None:
        return _el("text", attrs, content)
    return _el("text", attrs, _el("title", None, tooltip), content)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(_clean(text).split())  # a newline in a label would not show anyway
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + ELLIPSIS


def _svg(
    chart_id: str, title: str, desc: str, size: tuple[float, float], cls: str, *body: Markup
) -> Markup:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    width, height = size
    attrs = {
        "xmlns": SVG_NS,
        "id": chart_id,
        "class": f"chart {cls}",
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "width": _num(width),  # drawn at its size; the CSS may only shrink it
        "role": "img",
        "aria-labelledby": f"{title_id} {desc_id}",
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }
    head = (_el("title", {"id": title_id}, title), _el("desc", {"id": desc_id}, desc))
    return _el("svg", attrs, *head, *body)


def _empty(
    chart_id: str, title: str, empty_text: str, size: tuple[float, float], cls: str
) -> Markup:
    width, height = size
    message = _text(
        width / 2,
        height / 2 + FONT_SIZE / 3,
        empty_text,
        anchor="middle",
        cls="chart-empty",
        fill=MUTED_FILL,
    )
    return _svg(chart_id, title, empty_text, size, f"{cls} chart-is-empty", message)


# --- scales ----------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, *, max_ticks: int = 6, integer: bool = False) -> list[float]:
    """Evenly spaced ticks at 1, 2 or 5 × 10ⁿ that cover [lo, hi]: 3 to `max_ticks` of them.

    `integer` forbids fractional steps (counts of mentions have no 0.2). A flat range gets one unit
    of room above it rather than a zero-height axis.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("tick range must be finite")
    if max_ticks < 3:
        raise ValueError("max_ticks must be at least 3")
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        hi = lo + 1
    exponent = math.floor(math.log10((hi - lo) / max_ticks))
    # Steps grow from well below the span's scale; the first one that fits is the finest.
    for e in count(exponent - 1):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**e
            if integer and step < 1:
                continue
            first = math.floor(lo / step + 1e-9)
            last = math.ceil(hi / step - 1e-9)
            if last - first + 1 <= max_ticks:
                digits = max(0, -e)  # round away float noise such as 0.30000000000000004
                ticks = [round(k * step, digits) for k in range(first, last + 1)]
                while len(ticks) < 3:  # only small integer ranges end up here
                    ticks.append(round(ticks[-1] + step, digits))
                return ticks
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class _Frame:
    """The plot area, in viewBox units, and the value range it shows."""

    left: float
    top: float
    right: float
    bottom: float
    lo: float
    hi: float

    def y(self, value: float) -> float:
        return self.bottom - (value - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)

    @property
    def width(self) -> float:
        return self.right - self.left


def _finite(value: float) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _all_integers(values: Sequence[float]) -> bool:
    return all(float(v).is_integer() for v in values)


def _check(chart_id: str, labels: Sequence[str], series: Sequence[Series]) -> None:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be a plain identifier, not {chart_id!r}")
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )


def _label_slots(labels: Sequence[str], width: float) -> tuple[list[int], float]:
    """Which x labels to show, so that they neither overlap nor exceed `MAX_X_LABELS`, and the
    estimated width of one label."""
    label_w = max(len(_truncate(lab, MAX_LABEL_CHARS)) for lab in labels) * CHAR_W + PAD
    fits = max(1, math.floor(width / label_w))
    step = math.ceil(len(labels) / min(MAX_X_LABELS, fits))
    return list(range(0, len(labels), step)), label_w


def _frame(
    ticks: list[float], labels: Sequence[str], fmt: Fmt, top: float, size: tuple[int, int]
) -> _Frame:
    width, height = size
    tick_w = max(len(fmt(t)) for t in ticks) * CHAR_W
    _, label_w = _label_slots(labels, width)
    # The first and last x labels may be centred on the plot's edges: leave them half a label.
    left = max(PAD + tick_w + 6, label_w / 2 + 2)
    right = width - max(PAD * 2, label_w / 2 + 2)
    bottom = height - (PAD + FONT_SIZE + 8)
    top = min(top, bottom - 40)  # a crowded legend must still leave a plot
    return _Frame(left, top, right, bottom, ticks[0], ticks[-1])


def _y_axis(frame: _Frame, ticks: list[float], fmt: Fmt) -> Markup:
    parts = []
    for tick in ticks:
        y = frame.y(tick)
        is_base = tick == 0 or tick == ticks[0]
        line = {
            "class": "chart-axis" if is_base else "chart-grid",
            "x1": frame.left,
            "x2": frame.right,
            "y1": y,
            "y2": y,
            "stroke": AXIS if is_base else GRID,
            "stroke-width": 1,
        }
        parts.append(_el("line", line))
        parts.append(
            _text(
                frame.left - 6,
                y + FONT_SIZE / 3,
                fmt(tick),
                anchor="end",
                cls="chart-tick",
                fill=MUTED_FILL,
            )
        )
    return _el("g", {"class": "chart-y"}, *parts)


def _x_axis(frame: _Frame, labels: Sequence[str], xs: list[float]) -> Markup:
    shown, _ = _label_slots(labels, frame.width)
    y = frame.bottom + FONT_SIZE + 6
    parts = []
    for i in shown:
        label = _truncate(labels[i], MAX_LABEL_CHARS)
        tooltip = labels[i] if label != labels[i] else None
        parts.append(_text(xs[i], y, label, anchor="middle", cls="chart-xlabel", tooltip=tooltip))
    return _el("g", {"class": "chart-x"}, *parts)


# --- legend ----------------------------------------------------------------------------------

Swatch = Callable[[float, float], Markup]  # draws a 28×12 key whose left-middle is at (x, y)
SWATCH_W = 28
LEGEND_ROW = 18


def _legend(
    entries: Sequence[tuple[str, Swatch]], top: float, width: float
) -> tuple[Markup, float]:
    """Legend entries in rows across the top, wrapping; returns the markup and its height."""
    parts, x, row = [], float(PAD), 0
    for name, swatch in entries:
        shown = _truncate(name, MAX_LEGEND_CHARS)
        entry_w = SWATCH_W + 6 + len(shown) * CHAR_W + 16
        if x > PAD and x + entry_w > width - PAD:
            x, row = float(PAD), row + 1
        y = top + row * LEGEND_ROW + LEGEND_ROW / 2
        key = _text(x + SWATCH_W + 6, y + FONT_SIZE / 3, shown, anchor="start", cls="chart-name")
        parts.append(
            _el("g", {"class": "chart-legend-item"}, _el("title", None, name), swatch(x, y), key)
        )
        x += entry_w
    return _el("g", {"class": "chart-legend"}, *parts), (row + 1) * LEGEND_ROW


# --- line chart ------------------------------------------------------------------------------


def _marker(
    shape: str, x: float, y: float, r: float, color: str, tooltip: str | None, cls: str
) -> Markup:
    hollow = shape in ("ring", "hollow-square", "hollow-diamond")
    paint = {
        "class": cls,
        "fill": "#ffffff" if hollow else color,
        "stroke": color,
        "stroke-width": 1.5,
    }
    children = (_el("title", None, tooltip),) if tooltip is not None else ()
    if shape in ("circle", "ring"):
        return _el("circle", {**paint, "cx": x, "cy": y, "r": r}, *children)
    if shape in ("square", "hollow-square"):
        side = r * 1.7
        rect = {"x": x - side / 2, "y": y - side / 2, "width": side, "height": side}
        return _el("rect", {**paint, **rect}, *children)
    points = {
        "triangle": [(0, -1.25), (1.1, 0.75), (-1.1, 0.75)],
        "triangle-down": [(0, 1.25), (1.1, -0.75), (-1.1, -0.75)],
    }.get(shape, [(0, -1.35), (1.35, 0), (0, 1.35), (-1.35, 0)])  # diamonds
    d = "M" + " L".join(f"{_num(x + dx * r)} {_num(y + dy * r)}" for dx, dy in points) + " Z"
    return _el("path", {**paint, "d": d}, *children)


def _line_style(index: int, color: str) -> dict[str, Attr]:
    dash = DASHES[index % len(DASHES)] or None
    return {
        "fill": "none",
        "stroke": color,
        "stroke-width": 2,
        "stroke-dasharray": dash,
        "stroke-linejoin": "round",
        "stroke-linecap": "round",
    }


def _line_swatch(index: int) -> Swatch:
    color, shape = PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]

    def draw(x: float, y: float) -> Markup:
        line = {"x1": float(x), "x2": float(x + SWATCH_W), "y1": float(y), "y2": float(y)}
        return _el(
            "g",
            None,
            _el("line", {**_line_style(index, color), **line}),
            _marker(shape, x + SWATCH_W / 2, y, 3.5, color, None, "chart-key"),
        )

    return draw


def _path(points: list[tuple[float, float] | None]) -> str:
    """An SVG path through the points; `None` (a missing value) breaks the line."""
    commands, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{_num(point[0])} {_num(point[1])}")
        pen_down = True
    return " ".join(commands)


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Fmt = format_number,
    empty_text: str = "No data",
    height: int = 260,
    width: int = WIDTH,
    desc: str | None = None,
) -> Markup:
    """One line per series over `labels` (time buckets), e.g. share of voice per brand.

    Non-finite values (NaN, inf) are missing: the line breaks there and no point is drawn. With no
    labels, no series or only zeros, the chart shows `empty_text`. `desc` is the accessible
    description; by default, the series names and the first and last labels.
    """
    _check(chart_id, labels, series)
    rows = [[_finite(v) for v in s.values] for s in series]
    known = [v for row in rows for v in row if v is not None]
    if not known or all(v == 0 for v in known):
        return _empty(chart_id, title, empty_text, (width, height), "chart-line")
    ticks = nice_ticks(min(0.0, *known), max(0.0, *known), integer=_all_integers(known))
    entries = [(s.name, _line_swatch(i)) for i, s in enumerate(series)]
    legend, legend_h = _legend(entries, PAD, width)
    frame = _frame(ticks, labels, fmt, PAD + legend_h + PAD + 4, (width, height))
    n = len(labels)
    step = frame.width / (n - 1) if n > 1 else 0.0
    xs = [frame.left + i * step for i in range(n)] if n > 1 else [frame.left + frame.width / 2]
    radius = max(1.8, min(3.5, step / 3)) if n > 1 else 3.5  # dense series get smaller points
    lines = []
    for index, (s, row) in enumerate(zip(series, rows, strict=True)):
        color, shape = PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]
        points = [None if v is None else (xs[i], frame.y(v)) for i, v in enumerate(row)]
        parts = [
            _el("path", {"class": "chart-trace", **_line_style(index, color), "d": _path(points)})
        ]
        for label, value, point in zip(labels, row, points, strict=True):
            if value is not None and point is not None:
                tooltip = f"{label} · {s.name}: {fmt(value)}"
                parts.append(
                    _marker(shape, point[0], point[1], radius, color, tooltip, "chart-point")
                )
        lines.append(_el("g", {"class": f"chart-series chart-series-{index}"}, *parts))
    body = (legend, _y_axis(frame, ticks, fmt), _x_axis(frame, labels, xs), *lines)
    text = desc or _default_desc(labels, series)
    return _svg(chart_id, title, text, (width, height), "chart-line", *body)


def _default_desc(labels: Sequence[str], series: Sequence[Series]) -> str:
    names = ", ".join(s.name for s in series)
    span = labels[0] if len(labels) == 1 else f"{labels[0]} – {labels[-1]}"
    return f"{names} ({span})"


# --- stacked bars ----------------------------------------------------------------------------


def _is_light(color: str) -> bool:
    """Whether hatching on `color` should be dark rather than white (only #rgb/#rrggbb known)."""
    hex_digits = color.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    if len(hex_digits) != 6 or not re.fullmatch(r"[0-9a-fA-F]{6}", hex_digits):
        return False
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue > 170


def _pattern(pattern_id: str, color: str, hatch: tuple[str, int]) -> Markup:
    kind, angle = hatch
    size = 6
    ink = {"stroke": "#000000" if _is_light(color) else "#ffffff", "stroke-opacity": 0.6}
    if kind == "dots":
        dot = {"cx": 3.0, "cy": 3.0, "r": 1.3, "fill": ink["stroke"], "fill-opacity": 0.7}
        marks = [_el("circle", dot)]
    else:
        marks = [_el("line", {"x1": 0, "y1": 0, "x2": 0, "y2": size, "stroke-width": 2, **ink})]
        if kind == "cross":
            marks.append(
                _el("line", {"x1": 0, "y1": 0, "x2": size, "y2": 0, "stroke-width": 2, **ink})
            )
    attrs = {
        "id": pattern_id,
        "width": size,
        "height": size,
        "patternUnits": "userSpaceOnUse",
        "patternTransform": f"rotate({angle})",
    }
    return _el(
        "pattern", attrs, _el("rect", {"width": size, "height": size, "fill": color}), *marks
    )


def _fills(
    chart_id: str, series: Sequence[Series], colors: Mapping[str, str] | None
) -> tuple[list[str], Markup]:
    """Each series' fill (a hatching pattern over its colour, colour alone as the fallback) and
    the `<defs>` holding the patterns."""
    fills, patterns = [], []
    for index, s in enumerate(series):
        color = (colors or {}).get(s.name) or PALETTE[index % len(PALETTE)]
        hatch = HATCHES[index % len(HATCHES)]
        if hatch is None:
            fills.append(color)
            continue
        pattern_id = f"{chart_id}-hatch-{index}"
        patterns.append(_pattern(pattern_id, color, hatch))
        fills.append(f"url(#{pattern_id}) {color}")
    return fills, _el("defs", None, *patterns) if patterns else Markup("")


def _bar_swatch(fill: str) -> Swatch:
    def draw(x: float, y: float) -> Markup:
        return _el(
            "rect",
            {
                "x": float(x + 6),
                "y": float(y - 6),
                "width": 16,
                "height": 12,
                "fill": fill,
                "stroke": AXIS,
                "stroke-width": 0.5,
            },
        )

    return draw


def stacked_bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    colors: Mapping[str, str] | None = None,
    fmt: Fmt = format_number,
    empty_text: str = "No data",
    height: int = 260,
    width: int = WIDTH,
    desc: str | None = None,
) -> Markup:
    """One column per label, its segments stacked in the order of `series` (from the bottom),
    e.g. sentiment over time. `colors` maps series names to colours; others take the palette's.

    Negative and non-finite values count as zero; zero segments are not drawn. With no labels, no
    series or only zeros, the chart shows `empty_text`.
    """
    _check(chart_id, labels, series)
    rows = [[max(0.0, _finite(v) or 0.0) for v in s.values] for s in series]
    totals = [sum(column) for column in zip(*rows, strict=True)] if rows else []
    if not totals or max(totals) <= 0:
        return _empty(chart_id, title, empty_text, (width, height), "chart-stacked")
    ticks = nice_ticks(0.0, max(totals), integer=all(_all_integers(row) for row in rows))
    fills, defs = _fills(chart_id, series, colors)
    entries = [(s.name, _bar_swatch(fill)) for s, fill in zip(series, fills, strict=True)]
    legend, legend_h = _legend(entries, PAD, width)
    frame = _frame(ticks, labels, fmt, PAD + legend_h + PAD + 4, (width, height))
    slot = frame.width / len(labels)
    bar_w = max(1.0, slot * 0.72)
    xs = [frame.left + (i + 0.5) * slot for i in range(len(labels))]
    columns = []
    for i, label in enumerate(labels):
        base, segments = 0.0, []
        for s, row, fill in zip(series, rows, fills, strict=True):
            value = row[i]
            if value <= 0:
                continue
            # Rounded before subtracting, so that a segment ends exactly where the next starts
            y_top, y_base = round(frame.y(base + value), 2), round(frame.y(base), 2)
            rect = {
                "class": "chart-bar",
                "x": xs[i] - bar_w / 2,
                "y": y_top,
                "width": bar_w,
                "height": y_base - y_top,
                "fill": fill,
                "stroke": "#ffffff",
                "stroke-width": 0.5,
            }
            segments.append(
                _el("rect", rect, _el("title", None, f"{label} · {s.name}: {fmt(value)}"))
            )
            base += value
        if segments:
            columns.append(_el("g", {"class": "chart-column"}, *segments))
    body = (defs, legend, _y_axis(frame, ticks, fmt), _x_axis(frame, labels, xs), *columns)
    text = desc or _default_desc(labels, series)
    return _svg(chart_id, title, text, (width, height), "chart-stacked", *body)


# --- ranked list -----------------------------------------------------------------------------

ROW_H = 26
EMPTY_H = 48  # an empty ranked list: one line of text, not the room of ten bars
MAX_LABEL_SHARE = 0.5  # of the width, at most, for the labels on the left


def bar_list(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    fmt: Fmt = format_number,
    empty_text: str = "No data",
    max_items: int = 10,
    width: int = WIDTH,
    desc: str | None = None,
) -> Markup:
    """Horizontal bars for a ranked list (emotions, hashtags, platforms...): label on the left, cut
    with "…" when long (the full text is in the bar's tooltip), value on the right.

    Items keep the caller's order (its ranking); only the first `max_items` are drawn. Bars are
    scaled to the largest value; negative and non-finite values get no bar. The chart is as tall
    as its rows and its label column as wide as its longest label (up to `MAX_LABEL_SHARE`), so
    that three bars take the room of three bars.
    """
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be a plain identifier, not {chart_id!r}")
    shown = [(label, _finite(value)) for label, value in list(items)[: max(0, max_items)]]
    largest = max((v for _, v in shown if v is not None), default=0.0)
    if largest <= 0:
        return _empty(chart_id, title, empty_text, (width, EMPTY_H), "chart-barlist")
    height = PAD * 2 + ROW_H * len(shown)
    values = ["" if v is None else fmt(v) for _, v in shown]
    value_w = max(len(text) for text in values) * CHAR_W + PAD
    longest = max(len(_clean(label)) for label, _ in shown) * CHAR_W
    label_right = PAD + min(longest, width * MAX_LABEL_SHARE)
    label_chars = max(4, math.floor((label_right - PAD) / CHAR_W))
    bar_left, bar_right = label_right + PAD, width - PAD - value_w
    rows = []
    for i, ((label, value), value_text) in enumerate(zip(shown, values, strict=True)):
        y = PAD + i * ROW_H
        middle = y + ROW_H / 2 + FONT_SIZE / 3
        short = _truncate(label, label_chars)
        parts = [
            _text(
                label_right,
                middle,
                short,
                anchor="end",
                cls="chart-label",
                tooltip=label if short != label else None,
            )
        ]
        length = 0.0 if value is None or value <= 0 else (bar_right - bar_left) * value / largest
        bar = {
            "class": "chart-bar",
            "x": bar_left,
            "y": y + ROW_H * 0.18,
            "width": max(length, 1.0) if length > 0 else 0.0,
            "height": ROW_H * 0.64,
            "fill": PALETTE[0],
        }
        parts.append(_el("rect", bar, _el("title", None, f"{label}: {value_text}")))
        parts.append(_text(width - PAD, middle, value_text, anchor="end", cls="chart-value"))
        rows.append(_el("g", {"class": "chart-row"}, *parts))
    text = desc or "; ".join(f"{label}: {v}" for (label, _), v in zip(shown, values, strict=True))
    return _svg(chart_id, title, text, (width, height), "chart-barlist", *rows)


# --- the visible title -----------------------------------------------------------------------


def caption(title: str, subtitle: str) -> Markup:
    """The `<figcaption>` a page puts first in the chart's `<figure>`: the title, and one line
    saying what is counted and over which period. Both are escaped (a brand's name may be in
    them)."""
    return _el(
        "figcaption",
        {"class": "chart-caption"},
        _el("span", {"class": "chart-title"}, title),
        _el("span", {"class": "chart-subtitle"}, subtitle),
    )
