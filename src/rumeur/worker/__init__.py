"""rumeur's distributed mode: the pipeline's stages as Celery tasks on Redis (docs/workers.md)."""
