"""Exact decompositions of a change in a product of factors.

``result = volume × Π stage rates × deal size``. In logs the decomposition is additive and exact;
in currency the Shapley value (identical to Das Gupta's 1993 formula for a product) splits the
difference symmetrically, without depending on the order of the factors.

References
----------
Das Gupta, P. (1993), *Standardization and Decomposition of Rates: A User's Manual*, U.S. Census
Bureau P23-186; ``josiahpjking/DasGuptR`` (its README reproduces the book's examples).
Shapley, L. S. (1953), "A value for n-person games".
"""

from __future__ import annotations

import functools
from itertools import combinations
from math import factorial

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def log_decomposition(before: ArrayLike, after: ArrayLike) -> FloatArray:
    r"""Log-point contribution of each factor: :math:`\ln(f_{k1}/f_{k0})`.

    The terms add up exactly to :math:`\ln(R_1/R_0)` with :math:`R = \prod_k f_k`.
    Factors are along the last axis; any leading axes (e.g. reps) are kept.
    """
    return np.log(np.asarray(after, dtype=np.float64)) - np.log(
        np.asarray(before, dtype=np.float64)
    )


def shapley_decomposition(before: ArrayLike, after: ArrayLike) -> FloatArray:
    r"""Shapley / Das Gupta decomposition of :math:`R_1 - R_0` for :math:`R = \prod_k f_k`.

    .. math::
        E_k = \sum_{S \subseteq K\setminus\{k\}} \frac{|S|!\,(K-|S|-1)!}{K!}
              \big[v(S\cup\{k\}) - v(S)\big]

    where :math:`v(S)` is the product with the factors in :math:`S` at their ``after`` value and
    the others at ``before``. The effects add up exactly to :math:`R_1 - R_0`; for two factors
    :math:`E_a = \Delta a\,(b_0 + b_1)/2`.

    Parameters
    ----------
    before, after : array_like, shape (..., K)
        Factor values; factors along the last axis (K up to about 10: the sum has 2^(K−1) terms).

    Returns
    -------
    ndarray, shape (..., K)
        Effect of each factor in the units of R.
    """
    f0 = np.asarray(before, dtype=np.float64)
    f1 = np.asarray(after, dtype=np.float64)
    if f0.shape != f1.shape:
        raise ValueError(f"before and after differ in shape: {f0.shape} vs {f1.shape}")
    k = f0.shape[-1]
    lead = f0.shape[:-1]
    f0, f1 = f0.reshape(-1, k), f1.reshape(-1, k)
    effects = np.zeros_like(f0)
    for j, (others, masks, weights) in enumerate(_shapley_plan(k)):
        # Every subset's product at once; the weighted terms added subset after subset in order
        # (an accumulation is strictly sequential), so the same bits as one by one.
        prods = np.prod(np.where(masks[:, None, :], f1, f0)[..., others], axis=-1)
        total = np.add.accumulate(weights[:, None] * prods, axis=0)[-1]
        effects[:, j] = (f1[:, j] - f0[:, j]) * total
    return effects.reshape(*lead, k)


@functools.cache
def _shapley_plan(k: int) -> tuple[tuple[list[int], NDArray[np.bool_], FloatArray], ...]:
    """Per factor: the other factors, each subset of them as a mask over all ``k`` factors, and
    each subset's Shapley weight |S|! (k − |S| − 1)! / k! (sizes in increasing order)."""
    plan = []
    for j in range(k):
        others = [i for i in range(k) if i != j]
        subsets = [(size, sub) for size in range(k) for sub in combinations(others, size)]
        masks = np.zeros((len(subsets), k), dtype=bool)
        for r, (_, sub) in enumerate(subsets):
            masks[r, list(sub)] = True
        weights = np.array(
            [factorial(size) * factorial(k - size - 1) / factorial(k) for size, _ in subsets]
        )
        masks.flags.writeable = False
        weights.flags.writeable = False
        plan.append((others, masks, weights))
    return tuple(plan)
