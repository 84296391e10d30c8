"""Notifiers: one alert revision, rendered for each channel (email, generic webhook, Slack,
Mattermost, Teams) and delivered with retries, each target at most once."""

from rumeur.alerts.notify.deliver import (
    Channels,
    DeliveryLog,
    MemoryDeliveryLog,
    Outcome,
    deliver,
    send,
)
from rumeur.alerts.notify.errors import NotifyError
from rumeur.alerts.notify.message import AlertMessage, render_html, render_text
from rumeur.settings.notify import (
    EmailTarget,
    MattermostTarget,
    SlackTarget,
    Target,
    TeamsTarget,
    WebhookTarget,
)

__all__ = [
    "AlertMessage",
    "Channels",
    "DeliveryLog",
    "EmailTarget",
    "MattermostTarget",
    "MemoryDeliveryLog",
    "NotifyError",
    "Outcome",
    "SlackTarget",
    "Target",
    "TeamsTarget",
    "WebhookTarget",
    "deliver",
    "render_html",
    "render_text",
    "send",
]
