"""The vectorised Shapley decomposition gives exactly the numbers of the one-by-one loop."""

from __future__ import annotations

import numpy as np

from ninety.core.decompose import shapley_decomposition
from tests.reference.shapley import shapley_one_by_one


def test_same_bits_as_one_subset_at_a_time() -> None:
    rng = np.random.default_rng(3)
    for shape in [(7,), (40, 7), (250, 7), (6, 30, 5), (12, 2), (5, 1), (9, 9)]:
        f0 = np.exp(rng.normal(0, 1.5, shape))
        f1 = np.exp(rng.normal(0, 1.5, shape))
        f1[..., 0] = f0[..., 0]  # a factor that did not move
        got = shapley_decomposition(f0, f1)
        want = shapley_one_by_one(f0, f1)
        assert np.array_equal(got, want), shape
        # The effects add up to the change of the product.
        np.testing.assert_allclose(got.sum(-1), f1.prod(-1) - f0.prod(-1), rtol=1e-9)
