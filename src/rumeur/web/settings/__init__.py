"""The settings area of the web app (docs/web.md, "Settings"): pages.py (the routes), forms.py
(a form read into settings and filled from them), thresholds.py (the alert thresholds' names),
sending.py (a notification target's test message)."""
