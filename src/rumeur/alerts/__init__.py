"""Alerts: what is unusual in the stream, and who is told about it (issue #8)."""
