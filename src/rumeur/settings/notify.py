"""Where alerts are sent: the notification targets of a workspace, validated strictly.

Each target has a `name` (stable: the delivery log remembers what each name has received) and a
`kind`. Secrets are never written in the settings file: an SMTP password and a webhook's signing
secret are read from an environment variable (`*_env`) or a file (`*_file`, e.g. a mounted
secret) when an alert is sent. A chat webhook's URL is itself a secret (its path is the token):
give it as `url_env` or `url_file` rather than `url` when the file is shared.

They are the `targets` of a workspace's `[workspaces.notify]` (`config.NotifySettings`, with
`base_url`, `growth`, `escalate_after` and `escalation`; docs/alerts.md), one
`[[workspaces.notify.targets]]` table each, under the workspace's `[[workspaces]]`:

    [[workspaces]]
    slug = "acme"
    # ...

    [workspaces.notify]
    escalate_after = "30m"
    escalation = ["duty-hook"]

    [[workspaces.notify.targets]]
    name = "comms-mail"
    kind = "email"
    host = "smtp.example.org"
    starttls = true
    username = "alerts"
    password_env = "RUMEUR_SMTP_PASSWORD"
    sender = "rumeur@example.org"
    to = ["veille@example.org"]

    [[workspaces.notify.targets]]
    name = "comms-slack"
    kind = "slack"
    url_env = "RUMEUR_SLACK_WEBHOOK"

    [[workspaces.notify.targets]]
    name = "duty-hook"
    kind = "webhook"
    url = "https://duty.example.org/rumeur"
    secret_env = "RUMEUR_DUTY_SECRET"  # signs each body (X-Rumeur-Signature)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rumeur.settings.secrets import read_secret as _read

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
# One address, without the display name, and never a line break (a header injection).
Address = Annotated[str, Field(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+$", max_length=254)]


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name


def _refuse_inline(data: Any, key: str, instead: str) -> Any:
    """A literal secret in the file is refused, with a message that does not repeat it."""
    if isinstance(data, dict) and key in data:
        raise ValueError(f"{key} is never written in the settings; give {instead}")
    return data


def read_secret(target: str, what: str, env: str | None, file: Path | None) -> str:
    """A secret from its file or environment variable; SecretMissing (a ConfigError, which
    `deliver` turns into the target's permanent NotifyError) if there is none."""
    return _read(target, what, env, file, give=f"give {what}_env or {what}_file")


class _UrlTarget(_Target):
    kind: str  # each target narrows it to its Literal
    url: str | None = None
    url_env: EnvName | None = None
    url_file: Path | None = None

    @model_validator(mode="after")
    def _one_url(self) -> _UrlTarget:
        given = [x for x in (self.url, self.url_env, self.url_file) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of url, url_env or url_file")
        # The URL is checked here, not by a field pattern, so that an error never quotes it.
        if self.url is not None and not self.url.startswith(("https://", "http://")):
            raise ValueError("url must start with https:// or http://")
        return self

    def resolve_url(self) -> str:
        if self.url is not None:
            return self.url
        return read_secret(f"{self.kind} {self.name}", "url", self.url_env, self.url_file)


class WebhookTarget(_UrlTarget):
    """A generic JSON webhook; with `secret_env` or `secret_file`, each body is signed."""

    kind: Literal["webhook"]
    secret_env: EnvName | None = None
    secret_file: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secret(cls, data: Any) -> Any:
        return _refuse_inline(data, "secret", "secret_env or secret_file")

    def signing_secret(self) -> str | None:
        if self.secret_env is None and self.secret_file is None:
            return None
        return read_secret(f"webhook {self.name}", "secret", self.secret_env, self.secret_file)


class SlackTarget(_UrlTarget):
    kind: Literal["slack"]


class MattermostTarget(_UrlTarget):
    kind: Literal["mattermost"]
    username: str | None = None  # shown as the poster, when the server allows overriding it
    icon_url: str | None = None


class TeamsTarget(_UrlTarget):
    kind: Literal["teams"]


class EmailTarget(_Target):
    kind: Literal["email"]
    host: Annotated[str, Field(min_length=1, pattern=r"^[^\s/@]+$")]
    port: Annotated[int, Field(ge=1, le=65535)] | None = None  # 465 with ssl, 587 with starttls
    starttls: bool = False
    ssl: bool = False  # SMTP over TLS from the first byte (SMTPS)
    username: str | None = None
    password_env: EnvName | None = None
    password_file: Path | None = None
    sender: Address
    to: Annotated[list[Address], Field(min_length=1)]
    timeout: Annotated[float, Field(gt=0, le=300)] = 30.0

    @model_validator(mode="before")
    @classmethod
    def _no_inline_password(cls, data: Any) -> Any:
        return _refuse_inline(data, "password", "password_env or password_file")

    @model_validator(mode="after")
    def _consistent(self) -> EmailTarget:
        if self.ssl and self.starttls:
            raise ValueError("ssl and starttls exclude each other: ssl is TLS from the start")
        has_password = self.password_env is not None or self.password_file is not None
        if has_password and self.username is None:
            raise ValueError("a password needs a username")
        return self

    def smtp_port(self) -> int:
        return self.port or (465 if self.ssl else 587 if self.starttls else 25)

    def password(self) -> str | None:
        if self.username is None:
            return None
        what = f"email {self.name}"
        return read_secret(what, "password", self.password_env, self.password_file)


Target = Annotated[
    EmailTarget | WebhookTarget | SlackTarget | MattermostTarget | TeamsTarget,
    Field(discriminator="kind"),
]
