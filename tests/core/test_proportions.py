"""Wilson interval and two-proportion z-test against statsmodels' reference values."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from tests.reference.proportions import two_proportion_ztest, wilson_interval


def test_the_ztest_matches_statsmodels_reference_values() -> None:
    # statsmodels/stats/tests/test_proportion.py; tolerance 1e-8.
    res = two_proportion_ztest(5, 83, 12, 99)
    assert res.z == pytest.approx(-1.4078304151258787, abs=1e-8)
    assert res.p_value == pytest.approx(0.15918129181156992, abs=1e-8)


@pytest.mark.parametrize(
    ("x", "n", "low", "high", "tol"),
    [
        # statsmodels/stats/tests/test_proportion.py.
        (19, 38, 0.348499283643951, 0.651500716356049, 1e-8),
        (18, 20, 0.6989663547715128, 0.972133518786232, 1e-8),
        (0, 30, 0.0, 0.11351339, 1e-6),
    ],
)
def test_wilson_matches_statsmodels_reference_values(
    x: int, n: int, low: float, high: float, tol: float
) -> None:
    lo, hi = wilson_interval(x, n)
    assert float(lo) == pytest.approx(low, abs=tol)
    assert float(hi) == pytest.approx(high, abs=tol)


def test_wilson_agrees_with_statsmodels_over_a_grid() -> None:
    n = np.repeat(np.arange(1, 60), 3)
    x = (n * np.tile([0.0, 0.37, 1.0], 59)).round().astype(int)
    lo, hi = wilson_interval(x, n, level=0.9)
    ref_lo, ref_hi = proportion_confint(x, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(lo, ref_lo, atol=1e-10)
    np.testing.assert_allclose(hi, ref_hi, atol=1e-10)


def test_the_ztest_agrees_with_statsmodels_on_other_counts() -> None:
    for counts in ((40, 100, 55, 100), (3, 10, 9, 12), (120, 900, 150, 850)):
        ours = two_proportion_ztest(*counts)
        z, p = proportions_ztest([counts[0], counts[2]], [counts[1], counts[3]])
        assert ours.z == pytest.approx(z, rel=1e-10)
        assert ours.p_value == pytest.approx(p, rel=1e-10)


def test_wilson_with_no_tries_is_the_whole_range() -> None:
    lo, hi = wilson_interval(0, 0)
    assert (float(lo), float(hi)) == (0.0, 1.0)


def test_identical_extreme_groups_give_no_evidence() -> None:
    res = two_proportion_ztest(10, 10, 5, 5)
    assert (res.z, res.p_value) == (0.0, 1.0)
