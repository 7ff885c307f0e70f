"""The Shapley decomposition one subset at a time: the plain loop the core's vectorised version
must match bit for bit."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np


def shapley_one_by_one(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    f0, f1 = np.asarray(before, np.float64), np.asarray(after, np.float64)
    k = f0.shape[-1]
    effects = np.zeros_like(f0)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        total = np.zeros(f0.shape[:-1])
        for size in range(k):
            weight = factorial(size) * factorial(k - size - 1) / factorial(k)
            for subset in combinations(others, size):
                mask = np.zeros(k, dtype=bool)
                mask[list(subset)] = True
                total = total + weight * np.prod(np.where(mask, f1, f0)[..., others], axis=-1)
        effects[..., j] = (f1[..., j] - f0[..., j]) * total
    return effects
