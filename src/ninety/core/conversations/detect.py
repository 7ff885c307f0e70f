"""Which playbook way a rep's opening used, by similarity between the rep's opening sentences
and each way's text and example lines.

The similarity comes from an :class:`Embedder`: anything with ``name`` and ``encode(texts)``
returning one L2-normalised row per text. Two are provided: :class:`LexicalEmbedder` (hashed
word stems and word pairs: always there, no model) and, with the ``embeddings`` extra, the
sentence model in :mod:`ninety.core.conversations.minilm`. A way is *detected* when its best
sentence scores at least the embedder's threshold and leads the runner-up by its margin;
otherwise the opening used no way of the behavior (or none that can be told).

Two optional settings of an embedder change how an opening is scored (an embedder without them
scores as the lexical one does): ``top_k``, a way's score for a sentence is the mean of its
``top_k`` most similar phrases (the text and example lines) rather than the single best, so one
stray example line does not carry a way; and ``suffix_step``, a long sentence is also scored by
its tails starting every ``suffix_step`` words (see :func:`segments`), because a speech
recogniser's text runs the rep's greeting and the way into one sentence, and the greeting's
words drown the way's in a whole-sentence embedding (``tail_min_words``: the shortest tail).
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ninety.core.conversations.roles import REP
from ninety.core.conversations.transcript import Turn

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_TOKEN = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"\S+")
# A tail keeps at least this many words (shorter ones match ways by chance), and starts within
# this many words of its sentence's start (a greeting is short: tails further in would only
# add model calls on long turns).
TAIL_MIN_WORDS = 8
TAIL_MAX_START = 16
# Words that say nothing about which way was used.
_STOP_TEXT = """
a an the and or but so of to in on at for with from by as is are was were be been being
am i im i'm you your yours we our us it its it's this that these those there here my me
hi hello hey good morning afternoon evening thanks thank just really very quite
do does did doing have has had having will would can could should may might shall
what who whom which when where why how if then than about any some all not no yes
ok okay oh um uh well right sure get got go going call calling
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


class Embedder(Protocol):
    name: str
    threshold: float
    margin: float

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _stem(word: str) -> str:
    """A light suffix stripper: enough for 'calling'/'called'/'calls' to meet."""
    for suffix in ("ingly", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_words(text: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


@dataclass
class LexicalEmbedder:
    """Bag of word stems and stem pairs, hashed into ``dims`` buckets (no vocabulary to keep)."""

    dims: int = 4096
    name: str = "lexical"
    # Set on the labelled openings of bench/bench_conversations.py: precision first.
    threshold: float = 0.25
    margin: float = 0.02

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, text in enumerate(texts):
            stems = content_words(text)
            grams = stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]
            for g in grams:
                out[i, zlib.crc32(g.encode()) % self.dims] += 1.0 if " " not in g else 0.5
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class WayText:
    """A way to look for: its key, its text, and example lines of what it sounds like."""

    key: str
    text: str
    examples: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.text, *self.examples)


@dataclass(frozen=True)
class Detection:
    way_key: str | None
    score: float
    method: str
    #: The opening sentence that matched best (the one to highlight), and its turn.
    sentence: str = ""
    turn_index: int | None = None
    scores: dict[str, float] = field(default_factory=dict)


def opening(
    turns: Sequence[Turn], roles: Mapping[str, str], max_turns: int = 2, max_seconds: float = 60
) -> list[tuple[int, str]]:
    """The rep's opening: their first ``max_turns`` turns within ``max_seconds`` of the call's
    start, cut into sentences, as (turn index, sentence)."""
    out: list[tuple[int, str]] = []
    first = next((t.start for t in turns if t.start is not None), None)
    seen = 0
    for i, t in enumerate(turns):
        if roles.get(t.speaker) != REP:
            continue
        if seen and first is not None and t.start is not None and t.start - first > max_seconds:
            break
        out += [(i, s.strip()) for s in _SENTENCE.findall(t.text) if content_words(s)]
        seen += 1
        if seen >= max_turns:
            break
    return out


def segments(
    sentences: Sequence[tuple[int, str]],
    step: int,
    min_words: int = TAIL_MIN_WORDS,
    max_start: int = TAIL_MAX_START,
) -> list[tuple[int, str]]:
    """Each sentence and, with ``step`` > 0, the first one's tails: that sentence less its
    first ``step``, ``2 * step``, ... words (up to ``max_start``), while ``min_words`` words
    are left. Only the first: the greeting opens the call, so only there does it run into the
    way; tails of every sentence found no more on the tuning set and cost the model three
    times the tokens. A tail is a substring of its sentence, so the call page can mark it."""
    out: list[tuple[int, str]] = []
    for turn, sentence in sentences:
        out.append((turn, sentence))
        if step <= 0 or len(out) > 1:
            continue
        starts = [m.start() for m in _WORD.finditer(sentence)]
        for k in range(step, min(len(starts) - min_words, max_start) + 1, step):
            tail = sentence[starts[k] :]
            if content_words(tail):
                out.append((turn, tail))
    return out


class WayIndex:
    """The ways of one behavior, encoded once, to score many openings against."""

    def __init__(
        self, ways: Sequence[WayText], embedder: Embedder, no_way: Sequence[str] = ()
    ) -> None:
        self.ways = list(ways)
        self.embedder = embedder
        self.owner = [k for k, w in enumerate(self.ways) for _ in w.phrases]
        # Each way's phrases are contiguous columns: where each way's first one is.
        self.starts = np.cumsum([0] + [len(w.phrases) for w in self.ways[:-1]])
        self.ends = np.cumsum([len(w.phrases) for w in self.ways])
        self.top_k = int(getattr(embedder, "top_k", 1))
        self.suffix_step = int(getattr(embedder, "suffix_step", 0))
        self.tail_min_words = int(getattr(embedder, "tail_min_words", TAIL_MIN_WORDS))
        phrases = [p for w in self.ways for p in w.phrases]
        self.matrix = embedder.encode(phrases) if phrases else np.zeros((0, 1), np.float32)
        # Lines that use no way: a sentence nearer one of them than any way counts for none.
        self.no_way = embedder.encode(list(no_way)) if no_way else None

    def _per_way(self, sims: np.ndarray) -> np.ndarray:
        """(sentence, way): the best phrase's similarity, or the mean of the ``top_k`` best."""
        if self.top_k <= 1:
            return np.maximum.reduceat(sims, self.starts, axis=1)
        cols = [np.sort(sims[:, a:b], axis=1)[:, -self.top_k :].mean(axis=1)
                for a, b in zip(self.starts, self.ends, strict=True)]  # fmt: skip
        return np.stack(cols, axis=1)

    def detect(self, sentences: Sequence[tuple[int, str]]) -> Detection:
        """The way the ``sentences`` used, if one scores high enough."""
        method = self.embedder.name
        if not self.ways or not sentences:
            return Detection(None, 0.0, method)
        sentences = segments(sentences, self.suffix_step, self.tail_min_words)
        vectors = self.embedder.encode([s for _, s in sentences])
        sims = vectors @ self.matrix.T
        per_way = np.maximum(self._per_way(sims), -1.0).astype(float)
        if self.no_way is not None:
            neutral = (vectors @ self.no_way.T).max(axis=1)
            per_way[per_way.max(axis=1) <= neutral] = -1.0
        best_per_way = per_way.max(axis=0)
        order = np.argsort(-best_per_way)
        top = int(order[0])
        score = float(best_per_way[top])
        second = float(best_per_way[order[1]]) if len(order) > 1 else -1.0
        row = int(per_way[:, top].argmax())
        scores = {w.key: round(float(s), 4) for w, s in zip(self.ways, best_per_way, strict=True)}
        found = score >= self.embedder.threshold and score - second >= self.embedder.margin
        return Detection(
            self.ways[top].key if found else None,
            score,
            method,
            sentence=sentences[row][1],
            turn_index=sentences[row][0],
            scores=scores,
        )


def detect_way(
    turns: Sequence[Turn], roles: Mapping[str, str], ways: Sequence[WayText], embedder: Embedder
) -> Detection:
    """The way the rep's opening of this call used (``way_key`` None: none could be told)."""
    return WayIndex(ways, embedder).detect(opening(turns, roles))
