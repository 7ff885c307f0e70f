"""How the ways-detection settings of the sentence models were chosen (#22): k-fold
cross-validation on the *tuning* openings only (``bench/data/openings.yaml``); the held-out set
is never read here.

Run ``.venv/bin/python bench/tune_ways.py [--model minilm|static]``. The tuning openings are
scored as written and as a speech recogniser returns them (capitals and punctuation removed:
the greeting and the way then run into one sentence), both derived from the tuning set. For
each method (tails every ``step`` words of at least ``min words``; a way's score the mean of
its ``top k`` phrases) the threshold and margin are picked on four folds and applied to the
fifth, the folds grouped by written line so that no line is in both; the criterion is the
smaller of precision and recall. It prints each method's cross-validated precision and recall
and the pick on the whole tuning set: the settings of the model's embedder.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import yaml

from bench_conversations import DATA, greeting_ways, labelled  # bench/ is on sys.path
from ninety.core.conversations.analysis import no_way_lines
from ninety.core.conversations.detect import Embedder, WayIndex, opening
from ninety.core.conversations.minilm import MiniLMEmbedder, ModelUnavailable
from ninety.core.conversations.roles import REP
from ninety.core.conversations.static import StaticEmbedder
from ninety.core.conversations.transcript import Turn

THRESHOLDS = np.round(np.arange(0.20, 0.90, 0.01), 2)
MARGINS = (0.0, 0.02, 0.05)
METHODS = [(0, 8, 1), (0, 8, 2), *product((2, 3), (6, 8), (1, 2, 3))]


@dataclass
class Cached:
    """The model under one method's settings, each text encoded once across methods."""

    model: Embedder
    suffix_step: int
    tail_min_words: int
    top_k: int
    cache: dict[str, np.ndarray] = field(default_factory=dict)
    name: str = "cached"
    threshold: float = -2.0  # every score comes back; the grid decides
    margin: float = -2.0

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            self.cache.update(zip(new, self.model.encode(new), strict=True))
        return np.array([self.cache[t] for t in texts])


def unpunctuated(text: str) -> str:
    return re.sub(r"[.,!?;:]", "", text).lower()


def decide(scores: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    order = np.argsort(-scores, axis=1)
    rows = np.arange(len(scores))
    top, second = scores[rows, order[:, 0]], scores[rows, order[:, 1]]
    return np.where((top >= threshold) & (top - second >= margin), order[:, 0], -1)


def precision_recall(found: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    tp = int(((found >= 0) & (found == gold)).sum())
    fp = int(((found >= 0) & (found != gold)).sum())
    fn = int(((gold >= 0) & (found != gold)).sum())
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def best(scores: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """(criterion, threshold, margin) best on these openings."""
    return max((min(precision_recall(decide(scores, t, m), gold)), t, m)
               for t in THRESHOLDS for m in MARGINS)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("minilm", "static"), default="minilm")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    try:
        model: Embedder = (MiniLMEmbedder.load() if args.model == "minilm"
                           else StaticEmbedder.load())  # fmt: skip
    except ModelUnavailable as e:
        raise SystemExit(f"NOT RUN: {e}") from None
    items = labelled(DATA / "openings.yaml")
    n_greetings = len(yaml.safe_load((DATA / "openings.yaml").read_text())["greetings"])
    items += [(unpunctuated(text), key) for text, key in items]
    ways = greeting_ways()
    keys = [w.key for w in ways]
    gold = np.array([keys.index(k) if k != "none" else -1 for _, k in items])
    line = np.arange(len(items)) % (len(items) // 2) // n_greetings
    fold = np.random.default_rng(0).permutation(line.max() + 1)[line] % args.folds
    cache: dict[str, np.ndarray] = {}
    picks = []
    for step, min_words, top_k in METHODS:
        emb = Cached(model, step, min_words, top_k, cache)
        index = WayIndex(ways, emb, no_way_lines())
        scores = np.array([[index.detect(opening([Turn("Rep", t, 0.0, 5.0)], {"Rep": REP}))
                            .scores[k] for k in keys] for t, _ in items])  # fmt: skip
        found = np.full(len(items), -1)
        for f in range(args.folds):
            _, t, m = best(scores[fold != f], gold[fold != f])
            found[fold == f] = decide(scores[fold == f], t, m)
        p, r = precision_recall(found, gold)
        whole = best(scores, gold)
        picks.append((whole, (step, min_words, top_k)))
        print(f"tails every {step} words (>= {min_words}), top {top_k}: cross-validated "
              f"precision {p:.3f} recall {r:.3f}; on the whole tuning set threshold "
              f"{whole[1]:.2f} margin {whole[2]:.2f} gives min(P, R) {whole[0]:.3f}")  # fmt: skip
    (crit, t, m), (step, min_words, top_k) = max(picks)
    print(
        f"pick: suffix_step={step} tail_min_words={min_words} top_k={top_k} "
        f"threshold={t:.2f} margin={m:.2f} (min(P, R) {crit:.3f} on the tuning set)"
    )


if __name__ == "__main__":
    main()
