"""The alert thresholds' names and groups, as the settings page shows them (config's
`[workspaces.alerts]`, settings/alerts.py), in the request's language: one list, so that a
threshold added to `AlertSettings` without a name here fails its test rather than showing a key."""

from __future__ import annotations

from rumeur.i18n import _

# (group, keys), in the order the page shows them.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("volume", ("window_hours", "volume_ratio", "volume_z", "volume_min_posts")),
    ("baseline", ("baseline_days", "min_days", "trailing_hours")),
    ("negative", ("negative_window_hours", "negative_lift", "negative_z", "negative_min_posts")),
    ("viral", ("viral_window_hours", "viral_ratio", "viral_quantile", "viral_min_engagement")),
    ("influencer", ("influencer_followers", "influencer_window_hours", "influencer_lookback_days")),
    ("general", ("cooldown_hours", "watch_lookback_hours", "top")),
)


def group_title(group: str) -> str:
    titles = {
        "volume": _("Volume spike"),
        "baseline": _("The usual level"),
        "negative": _("Negative surge"),
        "viral": _("Viral post"),
        "influencer": _("Influencer"),
        "general": _("Every alert"),
    }
    return titles[group]


def name(key: str) -> str:
    """What a threshold sets, in a few words."""
    names = {
        "window_hours": _("Hours counted"),
        "volume_ratio": _("Times the usual level"),
        "volume_z": _("Deviations above the usual level"),
        "volume_min_posts": _("Posts at least"),
        "baseline_days": _("Days the usual level is read from"),
        "min_days": _("Days needed, else the last hours"),
        "trailing_hours": _("Last hours, when days are missing"),
        "negative_window_hours": _("Hours counted"),
        "negative_lift": _("Share points above the usual share (0.12 = 12 points)"),
        "negative_z": _("Deviations above the usual share"),
        "negative_min_posts": _("Posts at least"),
        "viral_window_hours": _("Hours counted"),
        "viral_ratio": _("Times the usual engagement"),
        "viral_quantile": _("Usual engagement: this quantile of recent posts"),
        "viral_min_engagement": _("Engagement at least"),
        "influencer_followers": _("Followers at least"),
        "influencer_window_hours": _("Hours counted"),
        "influencer_lookback_days": _("Days without naming the brand before"),
        "cooldown_hours": _("Hours without a fire before an alert closes"),
        "watch_lookback_hours": _("Hours a watch word looks back"),
        "top": _("Posts, terms and authors in an explanation"),
    }
    return names[key]
