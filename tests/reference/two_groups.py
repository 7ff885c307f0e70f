r"""Two-group comparisons with published known answers (cross-checks for the experiment core).

Test-only reference code: these small functions follow a public method exactly, so the tests
can check Ninety's numbers against the published values; the experiment verdicts themselves use
:mod:`ninety.core.experiments.analysis`.

References
----------
Evan Miller, "Formulas for Bayesian A/B testing" (2015), https://www.evanmiller.org/bayesian-ab-testing.html:
closed form of :math:`P(p_B > p_A)` for Beta posteriors.
GrowthBook ``gbstats`` (``growthbook/growthbook``, ``packages/stats/gbstats/``):
``frequentist/tests.py`` (``TwoSidedTTest``: relative effect, delta-method variance, Welch
degrees of freedom), ``utils.py`` (``variance_of_ratios``, ``frequentist_variance``) and the
Bayesian effect test with a flat prior (``bayesian/tests.py``: chance to win
:math:`\Phi(\hat\delta/\sigma)`, Gaussian credible interval).
statsmodels ``statsmodels/stats/proportion.py`` (``proportions_ztest``, ``proportion_confint``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

from tests.reference.proportions import two_proportion_ztest, wilson_interval


def prob_b_beats_a(alpha_a: float, beta_a: float, alpha_b: float, beta_b: float) -> float:
    r"""Exact :math:`P(p_B > p_A)` for independent :math:`p_A \sim \text{Beta}(\alpha_A, \beta_A)`,
    :math:`p_B \sim \text{Beta}(\alpha_B, \beta_B)`.

    Evan Miller's closed form, for integer :math:`\alpha_B`:

    .. math::
        P(p_B > p_A) = \sum_{i=0}^{\alpha_B - 1}
            \frac{B(\alpha_A + i,\ \beta_A + \beta_B)}
                 {(\beta_B + i)\,B(1 + i,\ \beta_B)\,B(\alpha_A,\ \beta_A)}

    evaluated in logs. A non-integer :math:`\alpha_B` is integrated numerically instead
    (:math:`\int f_A(x)\,(1 - F_B(x))\,dx`).

    Examples
    --------
    Beta(1, 1) prior, 12 of 80 against 22 of 85:

    >>> round(prob_b_beats_a(1 + 12, 1 + 68, 1 + 22, 1 + 63), 4)
    0.9564
    """
    if min(alpha_a, beta_a, alpha_b, beta_b) <= 0:
        raise ValueError("Beta parameters must be positive")
    if float(alpha_b).is_integer():
        i = np.arange(int(alpha_b), dtype=np.float64)
        log_terms = (
            special.betaln(alpha_a + i, beta_a + beta_b)
            - np.log(beta_b + i)
            - special.betaln(1.0 + i, beta_b)
            - special.betaln(alpha_a, beta_a)
        )
        return float(np.exp(special.logsumexp(log_terms)))
    value, _ = integrate.quad(
        lambda x: stats.beta.pdf(x, alpha_a, beta_a) * stats.beta.sf(x, alpha_b, beta_b), 0.0, 1.0
    )
    return float(value)


@dataclass(frozen=True)
class RelativeLift:
    """A relative lift :math:`(\\bar p_B - \\bar p_A)/\\bar p_A` with its uncertainty.

    Attributes
    ----------
    expected : float
        Point estimate of the relative lift.
    std_error : float
        Delta-method standard error.
    ci : tuple of float
        Interval (credible for the Bayesian test, confidence for the t-test).
    chance_to_win : float
        Bayesian :math:`P(\\text{lift} > 0)` (NaN for the t-test).
    p_value : float
        Two-sided p-value (NaN for the Bayesian test).
    dof : float
        Welch–Satterthwaite degrees of freedom (NaN for the Bayesian test).
    """

    expected: float
    std_error: float
    ci: tuple[float, float]
    chance_to_win: float = float("nan")
    p_value: float = float("nan")
    dof: float = float("nan")


def _relative_moments(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float, float, float]:
    if n_a <= 1 or n_b <= 1 or x_a <= 0:
        raise ValueError("need at least two tries per group and a control rate above zero")
    m_a, m_b = x_a / n_a, x_b / n_b
    v_a, v_b = m_a * (1 - m_a), m_b * (1 - m_b)  # gbstats' ProportionStatistic.variance
    est = (m_b - m_a) / m_a
    # gbstats utils.variance_of_ratios(mean_b, var_b / n_b, mean_a, var_a / n_a, 0)
    var = v_b / n_b / m_a**2 + (v_a / n_a) * m_b**2 / m_a**4
    return est, var, v_a, v_b


def relative_lift_bayesian(
    x_a: int, n_a: int, x_b: int, n_b: int, level: float = 0.95
) -> RelativeLift:
    r"""GrowthBook's Bayesian relative effect for two proportions with a flat prior.

    .. math::
        \hat\delta = \frac{\bar p_B - \bar p_A}{\bar p_A},\quad
        \sigma^2 = \frac{v_B}{n_B \bar p_A^2} + \frac{v_A\,\bar p_B^2}{n_A \bar p_A^4},\quad
        v = \bar p(1 - \bar p),

    chance to win :math:`\Phi(\hat\delta/\sigma)`, interval :math:`\hat\delta \pm z\sigma`.

    Known answer (gbstats' tests): 49/100 vs 51/100 → 0.04082, 0.60918, (−0.24779, 0.32943).
    At a rep's counts this delta method on the *relative* lift is poorly calibrated; the
    experiment core uses log-odds instead (see the module :mod:`.analysis`).
    """
    est, var, _, _ = _relative_moments(x_a, n_a, x_b, n_b)
    se = float(np.sqrt(var))
    z = stats.norm.ppf(1 - (1 - level) / 2)
    return RelativeLift(
        expected=est,
        std_error=se,
        ci=(float(est - z * se), float(est + z * se)),
        chance_to_win=float(stats.norm.cdf(est / se)),
    )


def relative_lift_ttest(
    x_a: int, n_a: int, x_b: int, n_b: int, alpha: float = 0.05
) -> RelativeLift:
    r"""GrowthBook's two-sided Welch t-test of the relative lift (``TwoSidedTTest``).

    .. math::
        t = \hat\delta/\sigma,\quad
        \nu = \frac{(v_B/n_B + v_A/n_A)^2}{v_B^2/(n_B^2(n_B-1)) + v_A^2/(n_A^2(n_A-1))},\quad
        p = 2\,(1 - F_{t,\nu}(|t|))

    Known answer (gbstats' tests): 14/28 vs 16/30 → 0.06667, p = 0.80707.
    """
    est, var, v_a, v_b = _relative_moments(x_a, n_a, x_b, n_b)
    se = float(np.sqrt(var))
    dof = (v_b / n_b + v_a / n_a) ** 2 / (
        v_b**2 / (n_b**2 * (n_b - 1)) + v_a**2 / (n_a**2 * (n_a - 1))
    )
    width = float(stats.t.ppf(1 - alpha / 2, dof)) * se
    return RelativeLift(
        expected=est,
        std_error=se,
        ci=(est - width, est + width),
        p_value=float(2 * stats.t.sf(abs(est / se), dof)),
        dof=float(dof),
    )


@dataclass(frozen=True)
class FixedHorizon:
    """Fixed-horizon comparison of two rates (valid for one planned look only).

    Attributes
    ----------
    rate_a, rate_b : float
        Observed rates.
    interval_a, interval_b : tuple of float
        Wilson intervals at ``level``.
    z, p_value : float
        Pooled two-proportion z-test of :math:`p_A = p_B` (statsmodels' ``proportions_ztest``).
    """

    rate_a: float
    rate_b: float
    interval_a: tuple[float, float]
    interval_b: tuple[float, float]
    z: float
    p_value: float


def fixed_horizon_rates(
    x_a: int, n_a: int, x_b: int, n_b: int, level: float = 0.95
) -> FixedHorizon:
    """Wilson intervals and the pooled z-test for x_a/n_a against x_b/n_b.

    Uses :mod:`ninety.core.proportions`; matches ``statsmodels.stats.proportion`` to 1e-8.
    Looking at this every day inflates false alarms: the benchmark measures by how much.
    """
    lo, hi = wilson_interval(np.array([x_a, x_b]), np.array([n_a, n_b]), level)
    zt = two_proportion_ztest(x_a, n_a, x_b, n_b)
    return FixedHorizon(
        rate_a=x_a / n_a,
        rate_b=x_b / n_b,
        interval_a=(float(lo[0]), float(hi[0])),
        interval_b=(float(lo[1]), float(hi[1])),
        z=zt.z,
        p_value=zt.p_value,
    )
