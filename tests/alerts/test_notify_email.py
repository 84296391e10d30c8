"""Email against a local SMTP server (aiosmtpd): headers, both parts, the escaped HTML of a
hostile post, the Message-ID of a revision, a login, and what a refusal means."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from notify_support import PASSWORD, Mailbox, alert, free_port, smtp_server

from rumeur.alerts.notify import EmailTarget, NotifyError, deliver
from rumeur.alerts.notify import email as mail


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def target(port: int, **changes: object) -> EmailTarget:
    fields: dict[str, object] = {
        "name": "comms-mail",
        "kind": "email",
        "host": "127.0.0.1",
        "port": port,
        "sender": "rumeur@acme.example",
        "to": ["veille@acme.example", "dircom@acme.example"],
        "timeout": 5,
    }
    return EmailTarget.model_validate({**fields, **changes})


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_an_alert_arrives_with_both_parts_and_its_headers(mailbox: Mailbox) -> None:
    mail.send(alert(), target(mailbox.port))
    [(sender, recipients, raw)] = mailbox.messages
    assert sender == "rumeur@acme.example"
    assert recipients == ["veille@acme.example", "dircom@acme.example"]
    message = parsed(raw)
    assert message["From"] == "rumeur@acme.example"
    assert message["To"] == "veille@acme.example, dircom@acme.example"
    assert message["Subject"] == "[rumeur] [Poussée négative] Poussée négative sur Acme"
    assert message["Message-ID"] == "<rumeur-alert-42-1@acme.example>"
    assert message["X-Rumeur-Alert"] == "rumeur-alert-42-1"
    assert message["In-Reply-To"] is None
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "<script>alert(1)</script>" in text.get_content()  # plain text is not markup
    html_text = html.get_content()
    assert "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text


def test_a_later_revision_threads_under_the_first(mailbox: Mailbox) -> None:
    mail.send(alert(revision=3), target(mailbox.port))
    message = parsed(mailbox.messages[0][2])
    assert message["Message-ID"] == "<rumeur-alert-42-3@acme.example>"
    assert message["In-Reply-To"] == "<rumeur-alert-42-1@acme.example>"
    assert message["References"] == "<rumeur-alert-42-1@acme.example>"
    assert "(mise à jour 3)" in message["Subject"]


def test_a_line_break_in_a_title_cannot_add_a_header(mailbox: Mailbox) -> None:
    mail.send(alert(title="Acme\r\nBcc: everyone@example.org"), target(mailbox.port))
    [(_, recipients, raw)] = mailbox.messages
    assert parsed(raw)["Bcc"] is None
    assert len(recipients) == 2


def test_a_login_reads_the_password_from_the_environment(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_TEST_SMTP_PASSWORD", PASSWORD)
    login = {"username": "alerts", "password_env": "RUMEUR_TEST_SMTP_PASSWORD"}
    mail.send(alert(), target(mailbox.port, **login))
    assert mailbox.logins == [("alerts", PASSWORD)]
    assert len(mailbox.messages) == 1


def test_a_refused_login_is_permanent_and_never_shows_the_password(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_TEST_SMTP_PASSWORD", "wrong-" + PASSWORD)
    login = {"username": "alerts", "password_env": "RUMEUR_TEST_SMTP_PASSWORD"}
    with pytest.raises(NotifyError) as caught:
        mail.send(alert(), target(mailbox.port, **login))
    assert caught.value.permanent
    assert str(caught.value).startswith(f"email 127.0.0.1:{mailbox.port}: login refused (535)")
    assert PASSWORD not in str(caught.value)
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("answer", "permanent"), [("550 no such user", True), ("451 later", False)]
)
def test_smtp_codes_say_whether_to_retry(mailbox: Mailbox, answer: str, permanent: bool) -> None:
    mailbox.rcpt_answer = answer
    with pytest.raises(NotifyError) as caught:
        mail.send(alert(), target(mailbox.port))
    assert caught.value.permanent is permanent
    assert "refused the recipients" in str(caught.value)


def test_a_server_that_is_not_there_is_worth_another_try() -> None:
    port = free_port()
    with pytest.raises(NotifyError) as caught:
        mail.send(alert(), target(port))
    assert not caught.value.permanent
    assert str(caught.value) == f"email 127.0.0.1:{port}: unreachable (ConnectionRefusedError)"


def test_deliver_sends_one_email_per_revision(mailbox: Mailbox) -> None:
    from rumeur.alerts.notify import MemoryDeliveryLog

    book = MemoryDeliveryLog()
    first = deliver(alert(), [target(mailbox.port)], delivery_log=book, sleep=_no_sleep)
    again = deliver(alert(), [target(mailbox.port)], delivery_log=book, sleep=_no_sleep)
    grown = deliver(alert(revision=2), [target(mailbox.port)], delivery_log=book, sleep=_no_sleep)
    assert [o.status for o in first + again + grown] == [
        "delivered",
        "already_delivered",
        "delivered",
    ]
    ids = [parsed(raw)["Message-ID"] for _, _, raw in mailbox.messages]
    assert ids == ["<rumeur-alert-42-1@acme.example>", "<rumeur-alert-42-2@acme.example>"]


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"no wait expected, got {seconds}")
