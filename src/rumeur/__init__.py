"""rumeur: self-hosted social-media listening and community management."""

from rumeur.errors import RumeurError
from rumeur.model import Author, Media, Metrics, Post, RawItem

__version__ = "0.1.0"

__all__ = ["Author", "Media", "Metrics", "Post", "RawItem", "RumeurError", "__version__"]
