"""Email over SMTP: a multipart message (plain text and HTML), over STARTTLS or SMTPS when asked,
with a login when the target has a username.

Its `Message-ID` is derived from the idempotency key, so a resend of one revision is recognisable
(and dropped by mail systems that dedupe on it); every revision after the first replies to the
first (`In-Reply-To`, `References`), so mail clients show one alert as one thread as it grows.
`X-Rumeur-Alert` carries the key for filters. smtplib's exceptions are mapped to `NotifyError`
naming the host only: the password never appears in one."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime

import structlog

from rumeur.alerts.notify.errors import NotifyError, config_error
from rumeur.alerts.notify.message import AlertMessage, one_line, render_html, render_text
from rumeur.settings.notify import EmailTarget

log = structlog.get_logger(__name__)
ALERT_HEADER = "X-Rumeur-Alert"
SmtpFactory = Callable[[EmailTarget], smtplib.SMTP]


def message_id(message: AlertMessage, revision: int, sender: str) -> str:
    return f"<rumeur-alert-{message.alert_id}-{revision}@{sender.rpartition('@')[2]}>"


def build(message: AlertMessage, target: EmailTarget) -> EmailMessage:
    mail = EmailMessage()
    # Folded to one line: a line break in a title must not start a header of its own.
    mail["Subject"] = one_line(f"[rumeur] {message.heading()}", 200)
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.to)
    mail["Date"] = format_datetime(message.updated_at)
    mail["Message-ID"] = message_id(message, message.revision, target.sender)
    if message.revision > 1:
        first = message_id(message, 1, target.sender)
        mail["In-Reply-To"] = first
        mail["References"] = first
    mail[ALERT_HEADER] = message.idempotency_key
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to alerts
    mail.set_content(render_text(message))
    mail.add_alternative(render_html(message), subtype="html")
    return mail


def connect(target: EmailTarget) -> smtplib.SMTP:
    """An SMTP session, TLS and login done, as the target asks."""
    context = ssl.create_default_context()
    host, port = target.host, target.smtp_port()
    smtp: smtplib.SMTP
    if target.ssl:
        smtp = smtplib.SMTP_SSL(host, port, timeout=target.timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=target.timeout)
    try:
        if target.starttls:
            smtp.starttls(context=context)
        password = target.password()
        if target.username is not None and password is not None:
            smtp.login(target.username, password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(message: AlertMessage, target: EmailTarget, client: SmtpFactory | None = None) -> None:
    """Send one revision; `client` makes the SMTP session (tests, pooling), `connect` if None."""
    mail = build(message, target)
    where = f"{target.host}:{target.smtp_port()}"
    try:
        with (client or connect)(target) as smtp:
            refused = smtp.send_message(mail)
    except NotifyError:
        raise
    except OSError as exc:  # smtplib's errors are OSErrors too
        raise smtp_error(where, exc) from None
    if refused:
        # Some recipients took it: the alert is out, and a resend would reach them twice.
        log.warning("some recipients refused the alert", host=where, refused=len(refused))


def smtp_error(where: str, exc: OSError) -> NotifyError:
    """What went wrong, and whether another try could help. SMTP's own codes say it: 4xx is
    "later", 5xx is "never"; a refused login or a missing STARTTLS is a settings problem."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return config_error("email", where, f"login refused ({exc.smtp_code})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return config_error("email", where, "the server does not offer STARTTLS or AUTH")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return _coded(where, "refused the recipients", codes[0] if codes else 550)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _coded(where, "refused the message", exc.smtp_code)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return config_error("email", where, "the server's TLS certificate is not trusted")
    # A refused connection, a timeout, a dropped session: worth another try.
    return NotifyError("email", where, f"unreachable ({type(exc).__name__})", permanent=False)


def _coded(where: str, what: str, code: int) -> NotifyError:
    return NotifyError("email", where, f"{what} ({code})", permanent=code >= 500)
