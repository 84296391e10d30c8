"""Workspace settings, read from TOML and validated strictly with pydantic.

A broken file fails at start with one line that names the file, the key path and what was
expected. Precedence of the database location: the `--db` flag, then `RUMEUR_DB`, then the
`[store] db` key of the file, then `rumeur.db` in the current folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rumeur.errors import ConfigError
from rumeur.logs import redact_text
from rumeur.settings.alerts import AlertSettings
from rumeur.settings.inbox import (
    Approval,
    BusinessHours,
    OwnedAccount,
    RoutingRule,
    SavedReply,
    UserName,
    check_inbox,
)
from rumeur.settings.influence import InfluenceSettings
from rumeur.settings.notify import Target
from rumeur.settings.publishing import Workflow, check_workflows
from rumeur.settings.reasons import (
    AIRLINE_REASONS,
    ReasonSettings,
    check_reasons,
    reasons_matcher,
)
from rumeur.settings.sources import SourceSettings
from rumeur.settings.workers import WorkerSettings

M = TypeVar("M", bound=BaseModel)
DEFAULT_DB = "rumeur.db"
# Every language the shipped language model was trained on (the `classes` of
# nlp/models/language.json, a test checks it), and Dutch, which lingua reads alone:
# `[nlp] languages` narrows this set, never the other way round.
DEFAULT_LANGUAGES = ["fr", "en", "de", "es", "it", "pt", "nl", "ar", "hi"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Brand(Strict):
    name: Annotated[str, Field(min_length=1, pattern=r"^[^*]")]
    terms: list[str] = Field(default_factory=list)
    handles: list[str] = Field(default_factory=list)

    def match_terms(self) -> list[str]:
        """Lower-cased words and handles that attribute a post to this brand."""
        handles = ["@" + h.lstrip("@") for h in self.handles]
        return [t.lower() for t in [*self.terms, *handles] if t.strip()] or [self.name.lower()]


class Department(Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    reasons: list[str] = Field(default_factory=list)
    # Response-time targets in business hours (docs/inbox.md, "Working the inbox").
    first_response: Duration | None = None
    next_response: Duration | None = None
    # Approval of replies (docs/inbox.md, "Approval"): who approves (rumeur user names).
    approval: Approval = "none"
    seniors: list[UserName] = Field(default_factory=list)


class WorkspaceNlp(Strict):
    # A Hugging Face sequence-classification folder on disk (extra rumeur[transformers]).
    sentiment_model: str | None = None
    # Its classes in order, when its config.json names them LABEL_0, LABEL_1...
    sentiment_labels: list[Literal["negative", "neutral", "positive"]] = Field(default_factory=list)
    # "airline": the shipped airline complaint reasons (the demo's), instead of the workspace's
    # own `[[workspaces.reasons]]`.
    reason_model: Literal["airline"] | None = None


class SavedQuery(Strict):
    """A boolean query the workspace listens for; matching posts record its name."""

    name: Slug
    query: Annotated[str, Field(min_length=1)]
    # A watch word: its first matching post raises an alert (docs/alerts.md).
    watch: bool = False

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        from rumeur.query.parser import QueryError, parse

        try:
            parse(value)
        except QueryError as exc:
            raise ValueError(str(exc).splitlines()[0].removeprefix("query: ")) from None
        return value


class HoldingStatement(Strict):
    """A text approved in advance for a crisis, in both languages (the crisis room offers it)."""

    slug: Slug
    title: Annotated[str, Field(min_length=1)]
    text_fr: Annotated[str, Field(min_length=1)]
    text_en: Annotated[str, Field(min_length=1)]
    # The title in each language, where it differs from `title` (the crisis room shows the
    # reader's).
    title_fr: Annotated[str, Field(min_length=1)] | None = None
    title_en: Annotated[str, Field(min_length=1)] | None = None

    def title_in(self, language: str) -> str:
        """The title in `language` (fr or en), else `title`."""
        return {"fr": self.title_fr, "en": self.title_en}.get(language) or self.title


def _duration(value: Any) -> Any:
    """`30m`, `2h`, `1d` (or what pydantic reads as a timedelta: seconds, ISO 8601)."""
    if isinstance(value, str) and (match := re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", value)):
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return timedelta(**{unit: int(match.group(1))})
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class NotifySettings(Strict):
    """Where a workspace's alerts are sent (`[[workspaces.notify.targets]]`, docs/alerts.md)."""

    targets: list[Target] = Field(default_factory=list)
    # An open alert nobody acknowledged for this long (detector clock) goes to `escalation` too.
    escalate_after: Duration = timedelta(minutes=30)
    escalation: list[str] = Field(default_factory=list)  # names of targets
    # A grown alert is sent again once its observed figure is this many times the last one sent.
    growth: Annotated[float, Field(gt=1)] = 1.5
    # The web app's public address, for the crisis room's link (`/w/{ws}/alerts/{id}`).
    base_url: Annotated[str, Field(pattern=r"^https?://")] | None = None

    @model_validator(mode="after")
    def _names(self) -> NotifySettings:
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError("notification target names must differ from each other")
        unknown = [n for n in self.escalation if n not in names]
        if unknown:
            raise ValueError(f"escalation names no target {unknown[0]!r}")
        if self.escalate_after <= timedelta(0):
            raise ValueError("escalate_after must be positive")
        return self


class Workspace(Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    brand: Brand
    competitors: list[Brand] = Field(default_factory=list)
    owned_accounts: list[OwnedAccount] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    reasons: list[ReasonSettings] = Field(default_factory=list)  # settings/reasons.py
    timezone: str = "Europe/Paris"
    locale: Literal["fr", "en"] = "fr"
    nlp: WorkspaceNlp = Field(default_factory=WorkspaceNlp)
    queries: list[SavedQuery] = Field(default_factory=list)
    sources: list[SourceSettings] = Field(default_factory=list)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    statements: list[HoldingStatement] = Field(default_factory=list)
    routing: list[RoutingRule] = Field(default_factory=list)  # docs/inbox.md
    business_hours: BusinessHours | None = None  # None: targets count every hour
    saved_replies: list[SavedReply] = Field(default_factory=list)  # the composer's (docs/inbox.md)
    workflows: list[Workflow] = Field(default_factory=list)  # publishing's approvals
    influence: InfluenceSettings = Field(default_factory=InfluenceSettings)  # docs/influence.md

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"an IANA time zone such as 'Europe/Paris', not {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _brands_unique(self) -> Workspace:
        names = [b.name.lower() for b in self.brands]
        if len(set(names)) != len(names):
            raise ValueError("brand and competitor names must differ from each other")
        queries = [q.name for q in self.queries]
        if len(set(queries)) != len(queries):
            raise ValueError("query names must differ from each other")
        sources = [s.name for s in self.sources]
        if len(set(sources)) != len(sources):
            raise ValueError("source names must differ from each other")
        return self

    @model_validator(mode="after")
    def _inbox(self) -> Workspace:
        check_inbox(self.owned_accounts, self.departments, self.sources, self.routing)
        check_workflows(self.workflows, self.owned_accounts, self.departments)
        return self

    @model_validator(mode="after")
    def _reasons(self) -> Workspace:
        check_reasons(self.reasons, self.airline_reasons, self.departments)
        return self

    @property
    def airline_reasons(self) -> tuple[str, ...] | None:
        """The shipped airline reasons when the workspace takes them (the demo), else None."""
        return AIRLINE_REASONS if self.nlp.reason_model == "airline" else None

    @property
    def reason_names(self) -> tuple[str, ...]:
        """The complaint reasons this workspace's posts may get, in the settings' order."""
        return self.airline_reasons or tuple(r.name for r in self.reasons)

    @property
    def reason_matcher(self) -> Callable[[str, str], list[str]] | None:
        """The reasons whose query a text (in a language) matches: every query at once."""
        return reasons_matcher(self.reasons)

    @property
    def brands(self) -> list[Brand]:
        return [self.brand, *self.competitors]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class StoreSettings(Strict):
    db: str | None = None


class NlpSettings(Strict):
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1
    )
    # Below this many letters (once mentions and links are removed) a text is "unknown".
    min_letters: Annotated[int, Field(ge=0)] = 10


class Settings(Strict):
    store: StoreSettings = Field(default_factory=StoreSettings)
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    workspaces: list[Workspace] = Field(min_length=1)
    default_workspace: str | None = None
    source: str = "<built-in>"

    @model_validator(mode="after")
    def _default_exists(self) -> Settings:
        slugs = [w.slug for w in self.workspaces]
        if len(set(slugs)) != len(slugs):
            raise ValueError("workspace slugs must be unique")
        if self.default_workspace and self.default_workspace not in slugs:
            raise ValueError(f"default_workspace {self.default_workspace!r} is not a workspace")
        return self

    def workspace(self, slug: str | None = None) -> Workspace:
        wanted = slug or self.default_workspace
        if wanted is None:
            return self.workspaces[0]
        for ws in self.workspaces:
            if ws.slug == wanted:
                return ws
        known = ", ".join(w.slug for w in self.workspaces)
        raise ConfigError(f"{self.source}: no workspace {wanted!r} (known: {known})")


def load_settings(path: str | Path | None = None) -> Settings:
    """Read the settings file, or the built-in demo workspace when no file is given."""
    path = path or os.environ.get("RUMEUR_CONFIG")
    if path is None:
        text = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8")
        return parse_settings(text, "<built-in demo.toml>")
    return parse_settings(read_toml_text(Path(path)), str(path))


def parse_settings(text: str, source: str) -> Settings:
    return validate_toml(Settings, text, source, extra={"source": source})


def read_toml_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


def validate_toml(model: type[M], text: str, source: str, extra: dict[str, Any] | None = None) -> M:
    """Parse TOML text into `model`, or fail with one line naming the source and key path."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: not valid TOML: arrays or tables nested too deep") from None
    try:
        return model.model_validate({**data, **(extra or {})})
    except ValidationError as exc:
        raise ConfigError(one_line(source, exc)) from None
    except RecursionError:
        raise ConfigError(f"{source}: values nested too deep") from None


def one_line(source: str, exc: ValidationError) -> str:
    """The first problem, as `file: key.path: what was expected (got ...)`."""
    error = exc.errors()[0]
    where = key_path(error["loc"]) or "(top level)"
    message = re.sub(r"^Value error, ", "", error["msg"])
    if error["type"] == "missing":
        return f"{source}: {where}: required key is missing"
    if error["type"] == "extra_forbidden":
        return f"{source}: {where}: unknown key (check its spelling)"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or repr(got) in message else f" (got {got!r})"
    more = len(exc.errors()) - 1
    tail = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
    # pydantic's "Input should be..." reads better in lower case; "OR needs..." must stay.
    if message[1:2].islower():
        message = message[0].lower() + message[1:]
    # A value may be a URL with a secret in it (a webhook's path, a feed's token).
    return redact_text(f"{source}: {where}: {message}{shown}{tail}")


def key_path(loc: tuple[Any, ...]) -> str:
    """('workspaces', 0, 'brand', 'name') -> 'workspaces[0].brand.name'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def resolve_db(flag: str | None, settings: Settings) -> str:
    return flag or os.environ.get("RUMEUR_DB") or settings.store.db or DEFAULT_DB
