"""Empirical-Bayes shrinkage of conversion rates (beta-binomial).

A rep's conversion at a stage is ``x`` successes out of ``n`` tries. The comparison group (the
team, or the org when the team is small) gives a Beta(α, β) prior, fitted to all reps of the
group; each rep's posterior is Beta(α + x, β + n − x). Ten tries never outrank a thousand: the
posterior mean of a small sample sits near the group's rate, a large sample keeps its own.

References
----------
David Robinson, *Introduction to Empirical Bayes: Examples from Baseball Statistics* (2017) and
the blog posts ``dgrtwo/dgrtwo.github.com`` ``_posts/2015-10-01-empirical_bayes_baseball.md``;
R package ``dgrtwo/ebbr`` (``R/ebb_fit_prior.R``) for the beta-binomial maximum-likelihood fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

#: Largest prior strength α + β we allow. When the reps' rates differ no more than binomial noise
#: the likelihood keeps rising as α + β → ∞ (everyone has the same rate); the cap keeps the numbers
#: finite while still shrinking every rep almost completely onto the group's rate.
MAX_STRENGTH = 1e5
#: Prior strength used when the group cannot tell how much reps differ (a single rep): weak, so a
#: rep's own data dominate as soon as there are a few dozen tries.
FALLBACK_STRENGTH = 2.0

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(α, β) prior for the rates of a comparison group.

    Attributes
    ----------
    alpha, beta : float
        Shape parameters.
    method : str
        How it was obtained: ``"mle"`` (beta-binomial maximum likelihood), ``"moments"``,
        ``"pooled"`` (degenerate group: pooled rate with a weak or capped strength),
        ``"uniform"`` (no tries at all: Beta(1, 1)) or ``"given"``.
    n_reps : int
        Number of reps with at least one try that informed the fit.
    """

    alpha: float
    beta: float
    method: str = "given"
    n_reps: int = 0

    @property
    def mean(self) -> float:
        """Prior mean α / (α + β): the group's rate."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        """α + β: how many tries' worth of weight the group gets in each rep's estimate."""
        return self.alpha + self.beta


@dataclass(frozen=True)
class Posterior:
    """Beta posteriors of many reps at one stage (arrays of the reps' length).

    Attributes
    ----------
    alpha, beta : ndarray
        Posterior shapes α + x and β + n − x.
    mean : ndarray
        Posterior mean (α + x) / (α + β + n): the shrunken rate.
    low, high : ndarray
        Equal-tailed credible interval at ``level``.
    p_below : ndarray
        P(rep's rate < ``reference``) under the posterior.
    reference : float or ndarray
        The group's rate the reps are compared with (the prior mean unless given).
    level : float
        Credible level of ``low``/``high``.
    """

    alpha: FloatArray
    beta: FloatArray
    mean: FloatArray
    low: FloatArray
    high: FloatArray
    p_below: FloatArray
    reference: float | FloatArray
    level: float

    @property
    def p_above(self) -> FloatArray:
        """P(rep's rate > reference)."""
        return 1.0 - self.p_below


def _as_counts(x: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    xa = np.asarray(x, dtype=np.float64)
    na = np.asarray(n, dtype=np.float64)
    if xa.shape != na.shape:
        raise ValueError(f"x and n must have the same shape, got {xa.shape} and {na.shape}")
    if np.any(na < 0) or np.any(xa < 0):
        raise ValueError("counts must be non-negative")
    if np.any(xa > na):
        raise ValueError("successes x cannot exceed tries n")
    return xa, na


def _pooled_mean(x: FloatArray, n: FloatArray) -> float:
    # Jeffreys-smoothed pooled rate: never exactly 0 or 1, so α and β stay positive.
    return float((x.sum() + 0.5) / (n.sum() + 1.0))


def _from_mean_strength(mu: float, strength: float, method: str, n_reps: int) -> BetaPrior:
    strength = float(min(max(strength, 1e-3), MAX_STRENGTH))
    return BetaPrior(alpha=mu * strength, beta=(1.0 - mu) * strength, method=method, n_reps=n_reps)


def _degenerate(x: FloatArray, n: FloatArray) -> BetaPrior | None:
    """The fallback prior for a group that cannot support a fit, else ``None``."""
    used = n > 0
    k = int(used.sum())
    if k == 0:
        return BetaPrior(1.0, 1.0, method="uniform", n_reps=0)
    mu = _pooled_mean(x[used], n[used])
    if k == 1:
        return _from_mean_strength(mu, FALLBACK_STRENGTH, "pooled", 1)
    p = x[used] / n[used]
    if np.ptp(p) == 0.0:
        # Every rep has the same observed rate: no evidence that reps differ at all.
        return _from_mean_strength(mu, MAX_STRENGTH, "pooled", k)
    return None


def fit_beta_moments(x: ArrayLike, n: ArrayLike) -> BetaPrior:
    r"""Fit a Beta prior to a group's rates by the method of moments.

    On the raw rates :math:`p_i = x_i / n_i` of reps with :math:`n_i > 0`, with
    :math:`\mu = \bar p` and :math:`v` the variance of the :math:`p_i` less the average binomial
    noise :math:`\overline{\mu(1-\mu)/n_i}` (without that correction small samples make the group
    look more varied than it is, and the prior too weak):

    .. math:: \alpha + \beta = \mu(1-\mu)/v - 1, \quad \alpha = \mu(\alpha+\beta).

    Parameters
    ----------
    x, n : array_like
        Successes and tries per rep.

    Returns
    -------
    BetaPrior
        ``method="moments"``, or the degenerate fallback (see :func:`fit_beta_prior`).
    """
    xa, na = _as_counts(x, n)
    fallback = _degenerate(xa, na)
    if fallback is not None:
        return fallback
    used = na > 0
    p = xa[used] / na[used]
    mu = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
    v = float(p.var(ddof=1)) - float(np.mean(mu * (1 - mu) / na[used]))
    strength = mu * (1 - mu) / v - 1.0 if v > 0 else MAX_STRENGTH
    return _from_mean_strength(mu, strength, "moments", int(used.sum()))


def betabinom_loglik(x: ArrayLike, n: ArrayLike, alpha: float, beta: float) -> float:
    r"""Beta-binomial log-likelihood of the counts, without the binomial coefficients.

    .. math::
        \ell(\alpha,\beta) = \sum_i \log B(\alpha + x_i, \beta + n_i - x_i) - \log B(\alpha,\beta)

    Equals ``scipy.stats.betabinom.logpmf(x, n, alpha, beta).sum()`` minus
    :math:`\sum_i \log\binom{n_i}{x_i}`, which does not depend on α, β (checked in the tests).
    """
    xa, na = _as_counts(x, n)
    return float(np.sum(special.betaln(alpha + xa, beta + na - xa) - special.betaln(alpha, beta)))


def fit_beta_mle(x: ArrayLike, n: ArrayLike, start: BetaPrior | None = None) -> BetaPrior:
    r"""Fit a Beta prior by beta-binomial maximum likelihood.

    Maximises :func:`betabinom_loglik` over :math:`\mu = \alpha/(\alpha+\beta)` (on the logit
    scale) and :math:`\log(\alpha+\beta)` with L-BFGS-B and the analytic gradient, started from
    the moments fit. Unlike the moments fit on raw rates, this weights each rep by its number of
    tries (the ``ebbr`` default, Robinson 2017 ch. 2).

    Parameters
    ----------
    x, n : array_like
        Successes and tries per rep.
    start : BetaPrior, optional
        Starting point; defaults to :func:`fit_beta_moments`.

    Returns
    -------
    BetaPrior
        ``method="mle"``, or the degenerate fallback. If the optimiser fails the moments fit is
        returned (its ``method`` says so).
    """
    xa, na = _as_counts(x, n)
    fallback = _degenerate(xa, na)
    if fallback is not None:
        return fallback
    used = na > 0
    xu, nu = xa[used], na[used]
    start = start or fit_beta_moments(xu, nu)
    lo_s, hi_s = np.log(1e-2), np.log(MAX_STRENGTH)

    def negloglik(theta: FloatArray) -> tuple[float, FloatArray]:
        mu = special.expit(theta[0])
        s = np.exp(theta[1])
        a, b = mu * s, (1 - mu) * s
        ll = np.sum(special.betaln(a + xu, b + nu - xu)) - xu.size * special.betaln(a, b)
        # d ll / d a and d ll / d b (digamma form), then the chain rule to (logit mu, log s).
        dab = special.digamma(a + b) - special.digamma(a + b + nu)
        ga = np.sum(special.digamma(a + xu) - special.digamma(a) + dab)
        gb = np.sum(special.digamma(b + nu - xu) - special.digamma(b) + dab)
        dmu = mu * (1 - mu)
        g_logit = s * dmu * (ga - gb)
        g_logs = s * (mu * ga + (1 - mu) * gb)
        return -float(ll), -np.array([g_logit, g_logs])

    theta0 = np.array(
        [special.logit(start.mean), np.clip(np.log(start.strength), lo_s + 1e-6, hi_s - 1e-6)]
    )
    res = optimize.minimize(
        negloglik, theta0, jac=True, method="L-BFGS-B", bounds=[(-20, 20), (lo_s, hi_s)]
    )
    if not np.all(np.isfinite(res.x)):
        return start
    mu = float(special.expit(res.x[0]))
    return _from_mean_strength(mu, float(np.exp(res.x[1])), "mle", int(used.sum()))


def fit_beta_prior(x: ArrayLike, n: ArrayLike, method: str = "mle") -> BetaPrior:
    """Fit the group's Beta prior, guarding the degenerate cases.

    Parameters
    ----------
    x, n : array_like
        Successes and tries per rep of the comparison group.
    method : {"mle", "moments"}
        Beta-binomial maximum likelihood (default) or method of moments.

    Returns
    -------
    BetaPrior
        Degenerate groups fall back as follows: no tries at all → Beta(1, 1) (``"uniform"``); one
        rep with tries → its Jeffreys-smoothed rate with strength ``FALLBACK_STRENGTH``
        (``"pooled"``); every rep with the same observed rate → the pooled rate with strength
        ``MAX_STRENGTH`` (``"pooled"``: the data show no difference between reps).
    """
    if method == "mle":
        return fit_beta_mle(x, n)
    if method == "moments":
        return fit_beta_moments(x, n)
    raise ValueError(f"unknown prior fit method {method!r}; use 'mle' or 'moments'")


def posterior(
    x: ArrayLike,
    n: ArrayLike,
    prior: BetaPrior | GroupedPrior,
    *,
    level: float = 0.9,
    reference: ArrayLike | None = None,
) -> Posterior:
    r"""Posterior Beta(α + x, β + n − x) of each rep, with a credible interval.

    .. math::
        \hat p_i = \frac{\alpha + x_i}{\alpha + \beta + n_i}, \qquad
        P(p_i < r) = I_r(\alpha + x_i, \beta + n_i - x_i)

    where :math:`I` is the regularised incomplete beta function (``scipy.stats.beta.cdf``) and the
    interval is ``scipy.stats.beta.ppf`` at (1 ∓ level)/2.

    Parameters
    ----------
    x, n : array_like
        Successes and tries per rep (any shape).
    prior : BetaPrior or GroupedPrior
        The group's prior (one for all reps, or one per rep from :func:`fit_grouped_prior`).
    level : float
        Credible level of the interval (0.9 by default).
    reference : float or array_like, optional
        The group's rate for ``p_below`` (per rep if an array); defaults to the prior mean.
    """
    xa, na = _as_counts(x, n)
    if isinstance(prior, GroupedPrior):
        a0, b0 = prior.alpha, prior.beta
    else:
        a0, b0 = np.float64(prior.alpha), np.float64(prior.beta)
    a = a0 + xa
    b = b0 + na - xa
    ref = a0 / (a0 + b0) if reference is None else np.asarray(reference, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    return Posterior(
        alpha=a,
        beta=b,
        mean=a / (a + b),
        low=stats.beta.ppf(tail, a, b),
        high=stats.beta.ppf(1.0 - tail, a, b),
        p_below=stats.beta.cdf(ref, a, b),
        reference=ref,
        level=level,
    )


@dataclass(frozen=True)
class GroupedPrior:
    """Per-rep Beta prior when reps are compared within groups (teams).

    Each group has its own mean; all groups share one strength α + β (how much reps of the same
    team differ), fitted over the whole org. A small team thus borrows the org's knowledge of
    rep-to-rep spread but is still compared with its own rate.

    Attributes
    ----------
    alpha, beta : ndarray, shape (reps,)
        The prior of each rep (that of its group).
    group_mean : ndarray, shape (groups,)
        Each group's rate; groups are ``0 .. groups-1`` as passed.
    strength : float
        Shared α + β.
    method : str
        ``"grouped-mle"`` or the fallback of the org-level fit.
    org_mean, org_strength : float
        The org-level prior's mean and (capped) strength κ₀ that each group's mean is shrunk
        towards (step 2 of :func:`fit_grouped_prior`).
    """

    alpha: FloatArray
    beta: FloatArray
    group_mean: FloatArray
    strength: float
    method: str
    org_mean: float = float("nan")
    org_strength: float = float("nan")


def fit_grouped_prior(
    x: ArrayLike, n: ArrayLike, groups: ArrayLike, method: str = "mle"
) -> GroupedPrior:
    r"""Fit a Beta prior per group with a strength shared by all groups.

    1. Fit one org-level prior (α₀, β₀) by :func:`fit_beta_prior`; :math:`m = α₀/(α₀+β₀)`,
       :math:`κ₀ = α₀ + β₀`.
    2. Each group's mean, shrunk to the org's by κ₀ (a one-rep team is not its own benchmark):
       :math:`m_g = (\sum_{i\in g} x_i + κ₀ m)/(\sum_{i\in g} n_i + κ₀)`.
    3. The shared strength κ maximises the beta-binomial likelihood with
       :math:`α_i = κ m_{g(i)}, β_i = κ(1 - m_{g(i)})` (bounded 1-D search on log κ).

    Parameters
    ----------
    x, n : array_like, shape (reps,)
        Successes and tries per rep.
    groups : array_like of int, shape (reps,)
        Group index ``0 .. G-1`` of each rep.
    """
    xa, na = _as_counts(x, n)
    g = np.asarray(groups, dtype=np.int64)
    if g.shape != xa.shape:
        raise ValueError("groups must give one group per rep")
    org = fit_beta_prior(xa, na, method=method)
    n_groups = int(g.max()) + 1 if g.size else 0
    gx = np.bincount(g, weights=xa, minlength=n_groups)
    gn = np.bincount(g, weights=na, minlength=n_groups)
    k0 = min(org.strength, 1e4)
    group_mean = (gx + k0 * org.mean) / (gn + k0)
    m = group_mean[g]
    used = na > 0
    if org.method not in ("mle", "moments") or used.sum() < 2:
        s = org.strength
        method_used = org.method
    else:
        xu, nu, mu = xa[used], na[used], m[used]

        def negloglik(log_s: float) -> float:
            s = np.exp(log_s)
            a, b = mu * s, (1 - mu) * s
            return -float(np.sum(special.betaln(a + xu, b + nu - xu) - special.betaln(a, b)))

        res = optimize.minimize_scalar(
            negloglik, bounds=(np.log(1e-2), np.log(MAX_STRENGTH)), method="bounded"
        )
        s = float(np.exp(res.x))
        method_used = "grouped-" + org.method
    return GroupedPrior(
        alpha=m * s,
        beta=(1 - m) * s,
        group_mean=group_mean,
        strength=s,
        method=method_used,
        org_mean=float(org.mean),
        org_strength=float(k0),
    )


@dataclass(frozen=True)
class LeaveOneOutReference:
    """Each rep's group rate without the rep, with its uncertainty (log-normal summary).

    Attributes
    ----------
    mean : ndarray (reps,)
        Pooled rate of the rep's group mates, shrunk to the org's rate by κ₀.
    log_sd : ndarray (reps,)
        Standard deviation of the log of that rate: binomial noise of the pooled counts plus the
        rep-to-rep spread the group mates average over (the prior's variance m(1−m)/(κ+1)
        times Σw²/(Σw)² of the tries-weighted mean).
    """

    mean: FloatArray
    log_sd: FloatArray


def leave_one_out_reference(
    x: ArrayLike, n: ArrayLike, groups: ArrayLike, prior: GroupedPrior
) -> LeaveOneOutReference:
    r"""The group's rate each rep is compared with: the pooled rate of the *other* reps.

    .. math::
        r_{-i} = \frac{X_g - x_i + κ_0 m}{N_g - n_i + κ_0}, \qquad
        \operatorname{Var} r_{-i} \approx \frac{r(1-r)}{N_g - n_i + κ_0}
          + \frac{r(1-r)}{κ + 1}\,\frac{\sum_{j \ne i} n_j^2}{(\sum_{j \ne i} n_j)^2}

    with :math:`X_g, N_g` the group's pooled counts, m, κ₀ the org's rate and strength and κ the
    shared within-group strength (:func:`fit_grouped_prior`). Leaving the rep out keeps a weak
    rep from dragging their own benchmark down; pooling (rather than the median of shrunken
    rates) gives a reference whose noise is known and is carried into P(worse).
    """
    xa, na = _as_counts(x, n)
    g = np.asarray(groups, dtype=np.int64)
    n_groups = int(g.max()) + 1 if g.size else 0
    gx = np.bincount(g, weights=xa, minlength=n_groups)[g] - xa
    gn = np.bincount(g, weights=na, minlength=n_groups)[g] - na
    gn2 = np.bincount(g, weights=na**2, minlength=n_groups)[g] - na**2
    k0 = prior.org_strength if np.isfinite(prior.org_strength) else 2.0
    k0 = float(min(max(k0, 1.0), 1e4))
    m = prior.org_mean if np.isfinite(prior.org_mean) else _pooled_mean(xa, na)
    r = (gx + k0 * m) / (gn + k0)
    share2 = np.where(gn > 0, gn2 / np.maximum(gn, 1e-12) ** 2, 1.0)
    spread = r * (1 - r) / (prior.strength + 1.0)
    var = r * (1 - r) / (gn + k0) + spread * share2
    return LeaveOneOutReference(mean=r, log_sd=np.sqrt(var) / r)


def p_below_uncertain(
    a: ArrayLike, b: ArrayLike, ref: ArrayLike, log_sd: ArrayLike, nodes: int = 24
) -> FloatArray:
    r"""P(p < R) for p ~ Beta(a, b) and an uncertain reference ln R ~ N(ln ref, log_sd²).

    Gauss–Hermite quadrature over R of the regularised incomplete beta
    :math:`I_R(a, b)` (``scipy.stats.beta.cdf``); with ``log_sd = 0`` it is ``beta.cdf(ref)``.
    """
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    aa, bb = np.asarray(a, np.float64), np.asarray(b, np.float64)
    r = np.asarray(ref, np.float64)[..., None] * np.exp(np.asarray(log_sd)[..., None] * z)
    cdf = stats.beta.cdf(np.clip(r, 0.0, 1.0), aa[..., None], bb[..., None])
    return cdf @ w


def shrink(
    x: ArrayLike, n: ArrayLike, *, method: str = "mle", level: float = 0.9
) -> tuple[BetaPrior, Posterior]:
    """Fit the group's prior to ``x, n`` and return it with every rep's posterior."""
    prior = fit_beta_prior(x, n, method=method)
    return prior, posterior(x, n, prior, level=level)


#: Grid of rate ratios (rep / group) for the nonparametric prior: 0.25x to 2x, log-spaced.
RATIO_GRID = np.exp(np.linspace(np.log(0.25), np.log(2.0), 64))


@dataclass(frozen=True)
class RatioPosterior:
    """Posterior of each rep's ratio to its group's rate on a grid (nonparametric EB prior).

    Attributes
    ----------
    grid : ndarray (G,)
        Ratio values m (rep's rate = m × group's rate).
    weights : ndarray (G,)
        The fitted prior: the share of reps at each ratio.
    post : ndarray (reps, G)
        Each rep's posterior over the grid.
    """

    grid: FloatArray
    weights: FloatArray
    post: FloatArray

    def prob_below(self, ratio: float) -> FloatArray:
        """P(m < ratio) per rep."""
        return self.post[:, self.grid < ratio].sum(axis=1)

    @property
    def mean_log(self) -> FloatArray:
        """E[ln m] per rep: the rep's log-point contribution."""
        return self.post @ np.log(self.grid)

    def quantile(self, q: float) -> FloatArray:
        """Per-rep quantile of m (the smallest grid value with CDF ≥ q)."""
        cdf = np.cumsum(self.post, axis=1)
        return self.grid[np.minimum((cdf < q).sum(axis=1), self.grid.size - 1)]


def fit_ratio_posterior(
    x: ArrayLike,
    n: ArrayLike,
    reference: ArrayLike,
    grid: ArrayLike | None = None,
    iterations: int = 300,
) -> RatioPosterior:
    r"""Nonparametric empirical Bayes for rate ratios: NPMLE of the prior on a grid, by EM.

    Each rep's rate is :math:`m_i r_i` with :math:`r_i` its group's rate and :math:`m_i` drawn
    from an unknown distribution :math:`G` on a grid. :math:`G` is the maximum-likelihood mixing
    distribution (Kiefer–Wolfowitz NPMLE), fitted by EM (Laird 1978):

    .. math::
        \pi_{ig} \propto w_g\, \mathrm{Bin}(x_i \mid n_i, m_g r_i), \qquad
        w_g \leftarrow \frac{1}{N}\sum_i \pi_{ig}

    Unlike a Beta prior, :math:`G` can have a spike at 1 and a separate tail of weak reps, so a
    clearly weak rep is not pulled back to the group (a unimodal prior over-shrinks outliers).

    References
    ----------
    Koenker, R. & Mizera, I. (2014), "Convex optimization, shape constraints, compound decisions,
    and empirical Bayes rules", *JASA* 109:674. Efron, B. (2016), "Empirical Bayes deconvolution
    estimates", *Biometrika* 103:1.
    """
    xa, na = _as_counts(x, n)
    r = np.asarray(reference, dtype=np.float64)
    m = RATIO_GRID if grid is None else np.asarray(grid, dtype=np.float64)
    p = np.clip(r[:, None] * m[None, :], 1e-9, 1 - 1e-9)
    # Binomial log-likelihood up to a constant per rep (which cancels in the posterior).
    loglik = xa[:, None] * np.log(p) + (na - xa)[:, None] * np.log1p(-p)
    lik = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    w = np.full(m.size, 1.0 / m.size)
    for _ in range(iterations):
        joint = lik * w
        post = joint / joint.sum(axis=1, keepdims=True)
        w = post.mean(axis=0)
    joint = lik * w
    return RatioPosterior(grid=m, weights=w, post=joint / joint.sum(axis=1, keepdims=True))
