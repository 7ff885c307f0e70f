r"""Always-valid p-values and confidence sequences: the normal-mixture SPRT.

An estimate :math:`\hat\theta_t` of an effect :math:`\theta` is looked at after every business
day. Its variance :math:`V_t` shrinks as data come in. A fixed-horizon test (reject when
:math:`|\hat\theta_t| > 1.96\sqrt{V_t}`) looked at every day rejects a true null far more often than
5 %. The mixture sequential probability ratio test (mSPRT) does not: mix the likelihood ratio of
:math:`\theta` against 0 over a normal prior :math:`\theta \sim N(0, \tau^2)`,

.. math::
    \Lambda_t = \sqrt{\frac{V_t}{V_t + \tau^2}}\;
                \exp\!\left(\frac{\tau^2\,\hat\theta_t^2}{2\,V_t\,(V_t + \tau^2)}\right),

a non-negative martingale with mean 1 under :math:`\theta = 0`, so by Ville's inequality
:math:`P(\sup_t \Lambda_t \ge 1/\alpha) \le \alpha`. The always-valid p-value is the running
minimum :math:`p_t = \min(p_{t-1}, 1/\Lambda_t)`, and inverting :math:`\Lambda_t < 1/\alpha` gives
the confidence sequence :math:`\hat\theta_t \pm h_t` with

.. math::
    h_t^2 = \frac{2\,V_t\,(V_t + \tau^2)}{\tau^2}\,
            \ln\!\left(\frac{1}{\alpha}\sqrt{\frac{V_t + \tau^2}{V_t}}\right).

The martingale argument needs :math:`\hat\theta_t` to behave like a running mean
(:math:`\operatorname{Cov}(\hat\theta_s, \hat\theta_t) = V_{\max(s, t)}`). A difference in
differences whose *before* part is fixed and whose *after* part accumulates has exactly that
structure, starting from a positive information :math:`1/V_{\text{before}}`: the guarantee holds
from the first look on.

Tuning: the confidence sequence is narrowest where :math:`c = \tau^2 / V` equals
:math:`k(\alpha) = -2\ln\alpha + \ln(1 - 2\ln\alpha)` (Waudby-Smith et al., eq. 161, in GrowthBook's
parameterisation :math:`n\rho^2 = k` at :math:`n = N`). We set
:math:`\tau^2 = k(\alpha)\,V_{\text{end}}`, where :math:`V_{\text{end}}` is the variance expected at
the planned decision date, computed from the before period only (so the mixture does not depend
on the outcome being tested).

References
----------
R. Johari, P. Koomen, L. Pekelis, D. Walsh, "Peeking at A/B tests: why it matters, and what to do
about it", KDD 2017 (and *Operations Research* 70(3), 2022): the mSPRT and always-valid p-values.
I. Waudby-Smith, D. Arbour, R. Sinha, E. H. Kennedy, A. Ramdas, "Time-uniform central limit theory
and asymptotic confidence sequences", arXiv:2103.06476v7, eqs. 9, 155, 161.
GrowthBook ``gbstats``: ``growthbook/growthbook`` ``packages/stats/gbstats/frequentist/tests.py``
(``SequentialTwoSidedTTest``: ``rho``, ``confidence_interval``, ``p_value``), and its TypeScript
port of the same file (``sequentialRho``, ``sequentialIntervalHalfwidth``).
Eppo documentation, "Sequential confidence intervals" (``Eppo-exp/eppo-docs``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def tuning_constant(alpha: float) -> float:
    r"""The ratio :math:`c = \tau^2/V` at which the two-sided confidence sequence is narrowest.

    .. math:: k(\alpha) = -2\ln\alpha + \ln(1 - 2\ln\alpha)

    Waudby-Smith et al. eq. 161; gbstats writes it as :math:`\rho^2 N` (``sequential_rho``).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    la = np.log(alpha)
    return float(-2.0 * la + np.log(1.0 - 2.0 * la))


def mixture_variance(expected_variance: ArrayLike, alpha: float) -> FloatArray:
    r"""Mixture variance :math:`\tau^2 = k(\alpha)\,V_{\text{end}}` tuned to the decision date.

    Parameters
    ----------
    expected_variance : array_like
        :math:`V_{\text{end}}`, the variance of the estimate expected at the planned end.
    alpha : float
        Two-sided significance level of the test.
    """
    return tuning_constant(alpha) * np.asarray(expected_variance, dtype=np.float64)


def mixture_p_value(estimate: ArrayLike, variance: ArrayLike, tau2: ArrayLike) -> FloatArray:
    r"""One look's mSPRT p-value :math:`\min(1, 1/\Lambda)` (not yet the running minimum).

    .. math::
        1/\Lambda = \sqrt{\frac{V + \tau^2}{V}}
                    \exp\!\left(-\frac{\tau^2\hat\theta^2}{2V(V + \tau^2)}\right)

    Equal to gbstats' eq. 155 form with :math:`n\rho^2 = \tau^2 / V`. An infinite or missing
    variance gives 1 (no evidence).
    """
    th = np.asarray(estimate, dtype=np.float64)
    v = np.asarray(variance, dtype=np.float64)
    t2 = np.asarray(tau2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_inv = 0.5 * np.log1p(t2 / v) - t2 * th**2 / (2.0 * v * (v + t2))
        p = np.exp(np.minimum(log_inv, 0.0))
    ok = np.isfinite(v) & (v > 0) & np.isfinite(th) & np.isfinite(t2) & (t2 > 0)
    return np.where(ok, p, 1.0)


def always_valid_p_value(estimates: ArrayLike, variances: ArrayLike, tau2: ArrayLike) -> FloatArray:
    r"""Always-valid p-values along the last axis (the looks).

    .. math:: p_t = \min_{s \le t} 1/\Lambda_s

    Johari et al. (2017), definition of the always-valid p-value from the mSPRT. Non-increasing
    over looks by construction, so a verdict based on it never has to be taken back because of a
    later look.
    """
    tau = np.asarray(tau2, dtype=np.float64)
    tau = tau[..., np.newaxis] if tau.ndim else tau
    return np.minimum.accumulate(mixture_p_value(estimates, variances, tau), axis=-1)


def confidence_sequence_halfwidth(variance: ArrayLike, tau2: ArrayLike, alpha: float) -> FloatArray:
    r"""Half-width of the two-sided :math:`1-\alpha` confidence sequence.

    .. math::
        h = \sqrt{\frac{2V(V + \tau^2)}{\tau^2}
            \ln\!\left(\frac{1}{\alpha}\sqrt{\frac{V + \tau^2}{V}}\right)}

    Waudby-Smith et al. eq. 9 (gbstats ``SequentialTwoSidedTTest.confidence_interval``) with
    :math:`s^2/n = V` and :math:`n\rho^2 = \tau^2/V`.
    """
    v = np.asarray(variance, dtype=np.float64)
    t2 = np.asarray(tau2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        h2 = 2.0 * v * (v + t2) / t2 * (np.log(1.0 / alpha) + 0.5 * np.log1p(t2 / v))
    return np.where(np.isfinite(v) & (v > 0) & np.isfinite(t2) & (t2 > 0), np.sqrt(h2), np.inf)
