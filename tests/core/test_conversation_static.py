"""The static (Model2Vec kind) embedder: the token-table lookup, weighted and quantised, without
the model; the folder and install checks; and, when the package that ships a model is
installed, the same vectors as the package's own encoder."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ninety.core.conversations.minilm import ModelUnavailable
from ninety.core.conversations.static import StaticEmbedder, static_dir


@dataclass
class _Encoding:
    ids: list[int]


class FakeTokenizer:
    """Token ids by word, from a fixed vocabulary; unknown words have no token."""

    VOCAB = {"your": 0, "bill": 1, "neighbour": 2, "cold": 3}

    def encode_batch(self, texts: list[str], add_special_tokens: bool = True) -> list[_Encoding]:
        assert add_special_tokens is False  # a static model has no [CLS]/[SEP] rows
        return [_Encoding([self.VOCAB[w] for w in t.lower().split() if w in self.VOCAB])
                for t in texts]  # fmt: skip


def test_a_sentence_is_the_normalised_mean_of_its_tokens_rows() -> None:
    table = np.array([[1, 0], [0, 1], [3, 4]], dtype=np.float32)
    emb = StaticEmbedder(table=table, tokenizer=FakeTokenizer())
    out = emb.encode(["your bill", "Neighbour", "nothing known", "bill bill"])
    assert out.shape == (4, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], [2**-0.5, 2**-0.5], atol=1e-6)
    np.testing.assert_allclose(out[1], [0.6, 0.8], atol=1e-6)
    assert not out[2].any()  # no token: a zero row, not a division by zero
    np.testing.assert_allclose(out[3], [0.0, 1.0], atol=1e-6)
    assert emb.encode([]).shape == (0, 2)


def test_a_quantised_vocabulary_maps_tokens_to_rows_and_weighs_them() -> None:
    # Four tokens share two rows (the quantised clusters); "bill" weighs three times "your".
    table = np.array([[1, 0], [0, 1]], dtype=np.float32)
    emb = StaticEmbedder(
        table=table,
        tokenizer=FakeTokenizer(),
        mapping=np.array([0, 1, 0, 1]),
        weights=np.array([1.0, 3.0, 1.0, 1.0], dtype=np.float32),
    )
    out = emb.encode(["your bill", "your neighbour", "cold"])
    np.testing.assert_allclose(out[0], np.array([1, 3]) / np.sqrt(10), atol=1e-6)
    np.testing.assert_allclose(out[1], [1.0, 0.0], atol=1e-6)  # both tokens on row 0
    np.testing.assert_allclose(out[2], [0.0, 1.0], atol=1e-6)


def test_a_folder_without_the_files_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NINETY_STATIC_MODEL", str(tmp_path))
    assert static_dir() == tmp_path
    with pytest.raises(ModelUnavailable, match=r"lacks model\.safetensors"):
        StaticEmbedder.load()


def test_the_shipped_model_when_installed_else_the_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NINETY_STATIC_MODEL", raising=False)
    installed = all(importlib.util.find_spec(m) for m in ("tokenizers", "safetensors",
                                                          "static_model"))  # fmt: skip
    if not installed:
        with pytest.raises(ModelUnavailable):
            StaticEmbedder.load()
        return
    from static_model import get_embeddings  # the package's own (Rust) encoder

    texts = ["A man is eating food.", "so um we did the Patels at number twelve"]
    ours = StaticEmbedder.load().encode(texts)
    np.testing.assert_allclose(ours, np.array(get_embeddings(texts)), atol=1e-5)
    assert float(ours[0] @ ours[1]) < 0.9
