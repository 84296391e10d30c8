"""How the columns of a file become a `Post`: a TOML mapping, or one of the shipped presets."""

from __future__ import annotations

import codecs
import string
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rumeur.config import read_toml_text, validate_toml
from rumeur.errors import ConfigError
from rumeur.i18n import _

PRESETS = ("airline", "listening-export")
TEMPLATE_FIELDS = ("author", "native_id")  # what a `url_template` may name
FIELDS = (
    "native_id", "text", "created_at", "author", "author_name", "author_followers",
    "author_location", "url", "title", "platform", "brand", "language", "location",
    "likes", "reposts", "replies", "quotes", "views",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelColumn(_Strict):
    column: str
    score: str | None = None


class Columns(_Strict):
    """For each field of a post, the column (CSV) or key path (JSON, dotted) it comes from."""

    text: str
    created_at: str
    native_id: str | None = None
    author: str | None = None
    author_name: str | None = None
    author_followers: str | None = None
    author_location: str | None = None
    url: str | None = None
    title: str | None = None
    platform: str | None = None
    brand: str | None = None
    language: str | None = None
    location: str | None = None
    likes: str | None = None
    reposts: str | None = None
    replies: str | None = None
    quotes: str | None = None
    views: str | None = None


class Mapping(_Strict):
    name: str = "custom"
    format: Literal["csv", "jsonl"] = "csv"
    encoding: str = "utf-8"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    platform: str = "file"  # when no column gives it
    timezone: str = "UTC"  # for dates written without an offset
    dayfirst: bool = False  # 05/03/2024 is 5 March (French exports) rather than 3 May
    url_template: str | None = None  # e.g. "https://twitter.com/{author}/status/{native_id}"
    label_origin: str = "source"
    columns: Columns
    labels: dict[Literal["sentiment", "emotion", "reason"], LabelColumn] = Field(
        default_factory=dict
    )

    def read_columns(self) -> list[str]:
        """The columns the mapping reads: each field's, then each label's and its score's."""
        wanted = [v for v in self.columns.model_dump().values() if v is not None]
        for spec in self.labels.values():
            wanted += [spec.column, spec.score] if spec.score else [spec.column]
        return list(dict.fromkeys(wanted))

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            text_encoding = codecs.lookup(value)._is_text_encoding  # type: ignore[attr-defined]
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (e.g. utf-8, utf-16, cp1252)") from None
        if not text_encoding:
            raise ValueError(f"{value!r} is not a text encoding (e.g. utf-8, utf-16, cp1252)")
        return value

    @field_validator("url_template")
    @classmethod
    def _known_fields(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
            unknown = [f for f in names if f not in TEMPLATE_FIELDS]
            if not unknown:
                value.format(author="a", native_id="1")
        except (ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"not a valid template ({exc})") from None
        if unknown:
            known = ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS)
            raise ValueError(f"unknown field {{{unknown[0]}}} (known: {known})")
        return value


def load_mapping(preset: str | None = None, path: Path | None = None) -> Mapping:
    if path is not None:
        return parse_mapping(read_toml_text(path), str(path))
    name = preset or "listening-export"
    if name not in PRESETS:
        raise ConfigError(f"--preset {name}: unknown preset (known: {', '.join(PRESETS)})")
    text = resources.files("rumeur.sources.files").joinpath(f"presets/{name}.toml").read_text()
    return parse_mapping(text, f"<preset {name}>")


def parse_mapping(text: str, source: str) -> Mapping:
    return validate_toml(Mapping, text, source)


def preset_hint(header: list[str], mapping: Mapping) -> str | None:
    """What to run instead when a CSV header that `mapping` cannot read is the one a shipped
    preset reads (the airline file imported without `--preset airline`), else None."""
    name = next((n for n in PRESETS if n != mapping.name and _reads(n, header)), None)
    if name is None:
        return None
    if mapping.name in PRESETS:  # the default or another preset, not --mapping FILE
        return _("the header is the one the preset {name} reads: add --preset {name}").format(
            name=name
        )
    return _(
        "the header is the one the preset {name} reads: use --preset {name} instead of --mapping"
    ).format(name=name)


def _reads(preset: str, header: list[str]) -> bool:
    mapping = load_mapping(preset)
    return mapping.format == "csv" and set(mapping.read_columns()) <= set(header)
