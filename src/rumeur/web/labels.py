"""Names shown for the values the store keeps as codes: sentiments, emotions, roles, platforms
and languages, in the request's language. The platforms' names live with the model
(`rumeur.model.platform_name`), where the layers below the web app read them too."""

from __future__ import annotations

from functools import cache

from rumeur.i18n import _, language
from rumeur.model import PLATFORM_NAMES, platform_name


def sentiment(value: str | None) -> str:
    names = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
    return _coded(value, names)


def emotion(value: str | None) -> str:
    names = {
        "anger": _("anger"),
        "joy": _("joy"),
        "optimism": _("optimism"),
        "sadness": _("sadness"),
        # The emotion model's answer when no emotion is clear (a calibrated threshold).
        "none": _("no emotion"),
    }
    return _coded(value, names)


def reason(value: str | None) -> str:
    """A complaint reason: the shipped model's classes (the airline data set's annotators')
    by name; a workspace's own reason as it is written."""
    names = {
        "Bad Flight": _("Bad Flight"),
        "Can't Tell": _("Can't Tell"),
        "Cancelled Flight": _("Cancelled Flight"),
        "Customer Service Issue": _("Customer Service Issue"),
        "Damaged Luggage": _("Damaged Luggage"),
        "Flight Attendant Complaints": _("Flight Attendant Complaints"),
        "Flight Booking Problems": _("Flight Booking Problems"),
        "Late Flight": _("Late Flight"),
        "Lost Luggage": _("Lost Luggage"),
        "longlines": _("Long Lines"),
    }
    return _coded(value, names)


def _coded(value: str | None, names: dict[str, str]) -> str:
    """The name of a label the classifiers give: none, or `unknown`, reads "unknown"; a code
    without a name is shown as it is."""
    if not value or value == "unknown":
        return _("unknown")
    return names.get(value, value)


def role(value: str) -> str:
    names = {
        "admin": _("administrator"),
        "analyst": _("analyst"),
        "community_manager": _("community manager"),
        "care": _("customer-care adviser"),
        "department": _("department (read-only)"),
    }
    return names.get(value, value)


def task(value: str) -> str:
    names = {
        "language": _("Language"),
        "sentiment": _("Sentiment"),
        "emotion": _("Emotion"),
        "reason": _("Complaint reason"),
    }
    return names.get(value, value)


def value(task_name: str, label: str | None) -> str:
    """A label of `task_name` as shown: sentiments, emotions, languages and reasons by name."""
    if not label:
        return "–"
    shown = {
        "sentiment": sentiment,
        "emotion": emotion,
        "language": language_name,
        "reason": reason,
    }
    return shown[task_name](label) if task_name in shown else label


def platform_choices() -> dict[str, str]:
    """The stream's platform menu: every network, and posts imported from files."""
    return {**PLATFORM_NAMES, "file": platform_name("file")}


def language_name(code: str | None) -> str:
    return _coded(code, _language_names(language()))


@cache
def _language_names(current: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(current).languages)
