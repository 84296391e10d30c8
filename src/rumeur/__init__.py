"""rumeur: self-hosted social-media listening and community management."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Author", "Media", "Metrics", "Post", "RawItem", "RumeurError", "__version__"]

if TYPE_CHECKING:
    from rumeur.errors import RumeurError
    from rumeur.model import Author, Media, Metrics, Post, RawItem


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `rumeur --help` does not pay for numpy.
    if name == "RumeurError":
        from rumeur.errors import RumeurError

        return RumeurError
    if name in __all__:
        from rumeur import model

        return getattr(model, name)
    raise AttributeError(f"module 'rumeur' has no attribute {name!r}")
