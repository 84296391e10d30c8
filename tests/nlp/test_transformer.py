"""A Hugging Face model folder on disk: a tiny, randomly initialised BERT built for the test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs the transformers extra (installed by make test)")
transformers = pytest.importorskip("transformers")

from rumeur.errors import ConfigError  # noqa: E402
from rumeur.nlp.transformer import TransformerClassifier  # noqa: E402

WORDS = [
    "le",
    "la",
    "colis",
    "est",
    "perdu",
    "merci",
    "super",
    "nul",
    "retard",
    "vol",
    "bagage",
    "the",
    "flight",
    "is",
    "late",
    "great",
    "bad",
]
TEXTS = ["le colis est perdu", "merci super", "the flight is late", "", "nul " * 500, "bagage 😡"]


def tiny_model(folder: Path, id2label: dict[int, str]) -> Path:
    torch.manual_seed(7)
    (folder / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])
    )
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=5 + len(WORDS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(id2label),
        id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return tiny_model(tmp_path, {0: "NEGATIVE", 1: "Neutral", 2: "positive"})


def test_loads_from_disk_and_maps_the_labels(model_dir: Path) -> None:
    model = TransformerClassifier(model_dir, batch_size=4, max_length=32, device="cpu")
    assert model.classes == ["negative", "neutral", "positive"]
    result = model.predict(TEXTS)
    assert len(result.labels) == len(TEXTS)
    assert set(result.labels) <= {"negative", "neutral", "positive"}
    assert all(0.33 <= result.score(i) <= 1 for i in range(len(TEXTS)))
    assert result.model == f"transformer:{model_dir.name}"
    assert len(result.version) == 12


def test_batching_does_not_change_the_answers(model_dir: Path) -> None:
    classes, batched = TransformerClassifier(model_dir, batch_size=4, device="cpu").predict_proba(
        TEXTS
    )
    one_by_one = TransformerClassifier(model_dir, batch_size=1, device="cpu").predict_proba(TEXTS)[
        1
    ]
    assert classes == ("negative", "neutral", "positive")
    assert batched.shape == (len(TEXTS), 3)
    np.testing.assert_allclose(batched.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_generic_label_names_need_an_explicit_mapping(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(ConfigError, match="does not name negative/neutral/positive"):
        TransformerClassifier(folder, device="cpu")
    model = TransformerClassifier(folder, labels=["negative", "neutral", "positive"], device="cpu")
    assert model.predict(["merci"]).label(0) in {"negative", "neutral", "positive"}


def test_nothing_is_fetched_from_a_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="not a Hugging Face model folder"):
        TransformerClassifier(tmp_path / "bert-base-uncased", device="cpu")
    assert json.loads((tiny_model(tmp_path, {0: "neg", 1: "neu", 2: "pos"}) / "config.json")
                      .read_text())["model_type"] == "bert"  # fmt: skip
