"""The five kinds of alert, named once: the code each detector writes in `alerts.kind`, and the
name people read, in the current language (`i18n.using` for a workspace's). The notifications,
the web pages and the commands show these names through sentences.py (and the `kind` macro of
_alert_macros.html).
"""

from __future__ import annotations

from rumeur.i18n import _

VOLUME = "volume_spike"
NEGATIVE = "negative_surge"
WATCH = "watch_word"
VIRAL = "viral_post"
INFLUENCER = "influencer"
KINDS = (VOLUME, NEGATIVE, VIRAL, INFLUENCER, WATCH)


def label(kind: str) -> str:
    """The name of `kind` in the current language; an unknown code as it is."""
    # Built at each call: `_()` answers in the language of the moment.
    names = {
        VOLUME: _("Volume spike"),
        NEGATIVE: _("Negative surge"),
        WATCH: _("Watch word"),
        VIRAL: _("Viral post"),
        INFLUENCER: _("Influencer"),
    }
    return names.get(kind, kind)
