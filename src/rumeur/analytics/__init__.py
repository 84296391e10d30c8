"""Figures for the listening analyst, read from the rollups (never a scan of the posts)."""

from rumeur.analytics.summary import Summary, summarise

__all__ = ["Summary", "summarise"]
