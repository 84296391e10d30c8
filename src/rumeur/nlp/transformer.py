"""A Hugging Face sequence-classification model from a folder on disk, run in batches on the GPU
when there is one. Never downloaded: `local_files_only` is always set.

Needs the optional extra `rumeur[transformers]` (torch and transformers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rumeur.errors import ConfigError
from rumeur.model import EnrichmentResult

# Names models give their sentiment classes, mapped to rumeur's.
LABEL_NAMES = {
    "negative": "negative", "neg": "negative", "négatif": "negative", "1 star": "negative",
    "neutral": "neutral", "neu": "neutral", "neutre": "neutral", "3 stars": "neutral",
    "positive": "positive", "pos": "positive", "positif": "positive", "5 stars": "positive",
}  # fmt: skip


class TransformerClassifier:
    def __init__(
        self,
        path: str | Path,
        task: str = "sentiment",
        labels: Sequence[str] | None = None,
        batch_size: int = 32,
        max_length: int = 128,
        device: str | None = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise ConfigError(
                f"{path}: a transformer model needs the extra: pip install 'rumeur[transformers]'"
            ) from None
        folder = Path(path)
        if not (folder / "config.json").is_file():
            raise ConfigError(f"{folder}: not a Hugging Face model folder (no config.json)")
        hf_logging.disable_progress_bar()  # rumeur shows its own progress
        self._torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.network = AutoModelForSequenceClassification.from_pretrained(
            folder, local_files_only=True
        )
        self.network.to(self.device).eval()
        self.classes = list(labels) if labels else _classes(self.network.config.id2label, folder)
        self.task = task
        self.model = f"transformer:{folder.name}"
        self.version = _version(folder)
        self.batch_size = batch_size
        limit = getattr(self.network.config, "max_position_embeddings", max_length)
        self.max_length = min(max_length, limit)

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """The classes, and one row of their probabilities per text. `meta` is not used."""
        rows = [
            self._batch(texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        matrix = np.vstack(rows) if rows else np.zeros((0, len(self.classes)))
        return tuple(self.classes), matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        probabilities = self.predict_proba(texts)[1]
        best = probabilities.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        labels = [self.classes[i] for i in best]
        scores = probabilities[np.arange(len(texts)), best] if len(texts) else []
        return EnrichmentResult(self.task, self.model, self.version, labels, list(scores))

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        encoded = self.tokenizer(
            [t or " " for t in texts],
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        ).to(self.device)
        with torch.inference_mode():
            logits = self.network(**encoded).logits
        return torch.softmax(logits.float(), dim=-1).cpu().numpy()


def _classes(id2label: dict[Any, str], folder: Path) -> list[str]:
    names = [str(id2label[i]).strip().lower() for i in sorted(id2label, key=int)]
    mapped = [LABEL_NAMES.get(n) for n in names]
    if None in mapped or len(set(mapped)) != len(mapped):
        raise ConfigError(
            f"{folder}/config.json: id2label {names} does not name negative/neutral/positive; "
            "give the labels in the workspace's sentiment_labels"
        )
    return [m for m in mapped if m is not None]


def _version(folder: Path) -> str:
    """Which weights these are: a digest of each weight file's size, head and tail."""
    digest = hashlib.sha256()
    for weights in sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin")):
        size = weights.stat().st_size
        with weights.open("rb") as fh:
            head = fh.read(1 << 20)
            fh.seek(max(0, size - (1 << 20)))
            digest.update(f"{weights.name}:{size}".encode() + head + fh.read())
    return digest.hexdigest()[:12]
