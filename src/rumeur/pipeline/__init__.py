"""The flow of a post: normalise, deduplicate, attribute, enrich, store."""

from rumeur.pipeline.runner import RunReport, Step, run
from rumeur.pipeline.stages import attribute_brands, deduplicate, enrich, normalise

__all__ = ["RunReport", "Step", "attribute_brands", "deduplicate", "enrich", "normalise", "run"]
