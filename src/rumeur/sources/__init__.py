"""Where posts come from: one package per network, and files."""

from rumeur.sources.base import Batch, Progress, Source

__all__ = ["Batch", "Progress", "Source"]
