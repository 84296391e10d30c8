"""Notification targets in the settings: strict, and never a secret written in the file."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from rumeur.alerts.notify import EmailTarget, Target
from rumeur.config import validate_toml
from rumeur.errors import ConfigError


class Holder(BaseModel):
    notify: list[Target]


def load(text: str) -> Holder:
    return validate_toml(Holder, text, "alerts.toml")


EMAIL = """
[[notify]]
name = "mail"
kind = "email"
host = "smtp.acme.example"
sender = "rumeur@acme.example"
to = ["veille@acme.example"]
"""


def test_each_kind_is_read_by_its_discriminator() -> None:
    holder = load(
        EMAIL
        + """
[[notify]]
name = "mm"
kind = "mattermost"
url_env = "RUMEUR_MM_URL"
username = "rumeur"
"""
    )
    mail, mm = holder.notify
    assert isinstance(mail, EmailTarget)
    assert mail.smtp_port() == 25
    assert mm.kind == "mattermost"


def test_a_literal_password_is_refused_in_one_line_that_does_not_repeat_it() -> None:
    with pytest.raises(ConfigError) as caught:
        load(EMAIL + 'username = "alerts"\npassword = "hunter2"\n')
    message = str(caught.value)
    assert message == (
        "alerts.toml: notify[0].email: password is never written in the settings; "
        "give password_env or password_file"
    )
    assert "hunter2" not in message


def test_a_literal_webhook_secret_is_refused() -> None:
    text = '[[notify]]\nname = "h"\nkind = "webhook"\nurl = "https://h.example/x"\n'
    with pytest.raises(ConfigError, match="secret is never written"):
        load(text + 'secret = "abc"\n')


def test_a_bad_url_is_refused_without_quoting_it() -> None:
    text = '[[notify]]\nname = "s"\nkind = "slack"\nurl = "hooks.slack.com/services/T/B/tok3n"\n'
    with pytest.raises(ConfigError) as caught:
        load(text)
    assert "url must start with https:// or http://" in str(caught.value)
    assert "tok3n" not in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("ssl = true\nstarttls = true\n", "ssl and starttls exclude each other"),
        ('password_env = "P"\n', "a password needs a username"),
        ("tls = true\n", "unknown key"),
    ],
)
def test_email_settings_that_make_no_sense_are_refused(extra: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load(EMAIL + extra)


def test_a_header_cannot_be_smuggled_in_an_address() -> None:
    with pytest.raises(ConfigError, match=r"notify\[0\]\.email\.to\[0\]"):
        load(EMAIL.replace('"veille@acme.example"', '"a@b.example\\nBcc: c@d.example"'))


def test_ports_follow_the_tls_mode() -> None:
    base = {"name": "m", "kind": "email", "host": "h", "sender": "a@b.c", "to": ["d@e.f"]}
    assert EmailTarget.model_validate({**base, "ssl": True}).smtp_port() == 465
    assert EmailTarget.model_validate({**base, "starttls": True}).smtp_port() == 587
    assert EmailTarget.model_validate({**base, "port": 2525}).smtp_port() == 2525


def test_one_url_exactly() -> None:
    text = '[[notify]]\nname = "t"\nkind = "teams"\n'
    with pytest.raises(ConfigError, match="exactly one of url, url_env or url_file"):
        load(text)
