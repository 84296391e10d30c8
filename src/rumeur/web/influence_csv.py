"""The influence pages' CSV exports: one line per row of the list shown, with the same columns
in every language (the names are a contract for spreadsheets and scripts). A cell a
spreadsheet would read as a formula gets a leading quote (store/export.safe_cell, as the
posts' export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from fastapi.responses import Response

from rumeur.influence.ranking import Influencer
from rumeur.store.export import safe_cell

INFLUENCER_COLUMNS = (
    "brand", "platform", "author", "display_name", "followers", "tier", "engagement_rate",
    "tier_percentile", "score", "reason", "posts", "interactions", "interactions_per_post",
    "city", "region", "country", "explanation", "listed_for",
)  # fmt: skip


def influencer_rows(found: Iterable[tuple[str, Influencer]]) -> list[Sequence[object]]:
    """The header and a line per (brand, author); the explanation as `name=contribution`."""
    lines: list[Sequence[object]] = [INFLUENCER_COLUMNS]
    for brand, i in found:
        place = i.place or {}
        explanation = "; ".join(
            f"{p.name}={p.contribution:.1f} (value {p.value:.3f}, weight {p.weight:g})"
            for p in i.explanation
        )
        listed = "; ".join(str(r.get("sentence", "")) for r in i.listed_for)
        lines.append(
            (
                brand, i.platform, i.author, i.display_name or "", _blank(i.followers),
                i.tier or "", _blank(i.engagement_rate), _blank(i.tier_percentile),
                _blank(i.score), i.reason or "", i.window_posts, i.interactions,
                round(i.interactions_per_post, 3), place.get("city") or "",
                place.get("region") or "", place.get("country") or "", explanation, listed,
            )
        )  # fmt: skip
    return lines


def csv_response(lines: Sequence[Sequence[object]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in lines:
        writer.writerow(safe_cell(v) if isinstance(v, str) else v for v in line)
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


def _blank(value: object) -> object:
    return "" if value is None else value
