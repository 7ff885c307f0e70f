"""Fixed-horizon intervals and tests for proportions (Wilson interval, two-proportion z-test).

Checked against statsmodels ``statsmodels/stats/proportion.py`` (``proportion_confint`` with
``method="wilson"`` and ``proportions_ztest``) and the reference values of its own tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


def wilson_interval(
    x: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    r"""Wilson score interval for x successes out of n (vectorised).

    .. math::
        \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n},
        \qquad z = \Phi^{-1}(1 - (1-\text{level})/2)

    Wilson (1927), *J. Am. Stat. Assoc.* 22:209. Unlike the Wald interval it stays inside [0, 1]
    and keeps its coverage at the small counts of a single rep. ``n == 0`` gives (0, 1).

    Returns
    -------
    (low, high) : tuple of ndarray
    """
    xa = np.asarray(x, dtype=np.float64)
    na = np.asarray(n, dtype=np.float64)
    z = stats.norm.ppf(1.0 - (1.0 - level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(na > 0, xa / na, 0.0)
        denom = 1.0 + z**2 / na
        centre = (p + z**2 / (2 * na)) / denom
        half = z * np.sqrt(p * (1 - p) / na + z**2 / (4 * na**2)) / denom
    low = np.where(na > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    high = np.where(na > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    return low, high


@dataclass(frozen=True)
class ZTest:
    """Result of :func:`two_proportion_ztest`: statistic, two-sided p-value, difference p1 − p2."""

    z: float
    p_value: float
    difference: float


def two_proportion_ztest(x1: int, n1: int, x2: int, n2: int) -> ZTest:
    r"""Two-sided z-test of p1 = p2 with the pooled variance (statsmodels' default).

    .. math::
        z = \frac{\hat p_1 - \hat p_2}{\sqrt{\bar p(1-\bar p)(1/n_1 + 1/n_2)}},\quad
        \bar p = \frac{x_1 + x_2}{n_1 + n_2}, \quad p = 2\,\Phi(-|z|)

    Equivalent to ``statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])``.
    A fixed-horizon test: not valid when looked at every day (see the experiments module).
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one try")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        # Both groups all-success or all-failure: no evidence of a difference.
        return ZTest(z=0.0, p_value=1.0, difference=p1 - p2)
    z = (p1 - p2) / se
    return ZTest(z=float(z), p_value=float(2 * stats.norm.sf(abs(z))), difference=p1 - p2)
