"""Which ways work: each way of a behavior is an arm of a multi-armed bandit.

A way's successes ``x`` out of ``n`` tries are the activities logged with that way at the
behavior's stage (the stage's *entry* type) and those that reached the stage's *exit* type. Each
way gets a Beta posterior under a prior fitted over the behavior's ways (empirical Bayes, the
beta-binomial fit of :mod:`ninety.core.shrinkage`), so a way with ten tries never outranks one
with a thousand, and a way nobody has used yet starts from the prior. From the posteriors:

- **P(best)** — the probability that a way has the highest rate of all the behavior's ways,
  :math:`P(p_i = \\max_j p_j)`, by Monte Carlo with a fixed seed and, as a cross-check, by
  numerical integration :math:`\\int f_i(t) \\prod_{j \\ne i} F_j(t)\\,dt`;
- **Thompson sampling** — the way to practise next: draw one rate from every posterior and take
  the largest. Ways are suggested in proportion to their chance of being best, so a promising
  new way gets tried, and a proven weak way rarely;
- **adherence** — the share of the stage's activities that recorded a way at all.

References
----------
W. R. Thompson (1933), "On the likelihood that one unknown probability exceeds another in view
of the evidence of two samples", *Biometrika* 25, 285-294. Evan Miller, "Formulas for Bayesian
A/B testing" (2015) for the exact two-arm comparison. PostHog
``posthog/hogql_queries/experiments/funnels_statistics_v2.py`` (``calculate_probabilities_v2``:
Beta(1, 1) prior, 10,000 draws) and GrowthBook ``packages/stats/gbstats/bayesian/bandits.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, stats

from ninety.core.shrinkage import BetaPrior, fit_beta_prior

FloatArray = NDArray[np.float64]

#: Largest prior strength α + β for the ways of one behavior. When the ways look alike the
#: beta-binomial fit runs to a very strong prior, which would pin a brand-new way to the average
#: so tightly that Thompson sampling would never try it. 200 tries' worth of weight still shrinks
#: small samples hard while leaving a new way a real chance of being drawn.
WAY_PRIOR_MAX_STRENGTH = 200.0
#: Prior strength when fewer than ``MIN_WAYS_FOR_FIT`` ways have tries: a weak prior centred on
#: the stage's rate (worth four tries), so the first few outcomes of a way soon dominate.
WEAK_PRIOR_STRENGTH = 4.0
#: Ways with tries needed to fit the prior over the ways themselves.
MIN_WAYS_FOR_FIT = 3
#: Monte Carlo draws for P(best): the standard error is at most 0.5/sqrt(draws) ≈ 0.0035.
DEFAULT_DRAWS = 20_000


@dataclass(frozen=True)
class WayEstimate:
    """One way's evidence and posterior.

    Attributes
    ----------
    key : str
        The way's key (or any label the caller uses).
    successes, tries : int
        Activities with this way that advanced, and all activities with this way.
    raw_rate : float or None
        successes / tries, ``None`` without tries.
    alpha, beta : float
        Posterior Beta(α₀ + x, β₀ + n − x).
    mean, low, high : float
        Posterior mean and equal-tailed credible interval at the result's ``level``.
    p_best : float
        P(this way has the highest rate of the behavior's ways), Monte Carlo.
    """

    key: str
    successes: int
    tries: int
    raw_rate: float | None
    alpha: float
    beta: float
    mean: float
    low: float
    high: float
    p_best: float

    @property
    def is_new(self) -> bool:
        """No tries yet: the estimate is the prior."""
        return self.tries == 0


@dataclass(frozen=True)
class WaysResult:
    """The ways of one behavior, ranked.

    Attributes
    ----------
    ways : tuple of WayEstimate
        In the order given (not sorted); see :attr:`ranked`.
    prior : BetaPrior
        The prior every way started from.
    level : float
        Credible level of the intervals.
    adherence : float or None
        Share of the stage's activities that recorded a way (``None`` if not given).
    suggestion : str or None
        The way Thompson sampling suggests practising next (``None`` without ways).
    """

    ways: tuple[WayEstimate, ...]
    prior: BetaPrior
    level: float
    adherence: float | None
    suggestion: str | None

    @property
    def ranked(self) -> tuple[WayEstimate, ...]:
        """Ways from most to least likely to be best (ties: higher posterior mean first)."""
        return tuple(sorted(self.ways, key=lambda w: (-w.p_best, -w.mean, w.key)))

    @property
    def best(self) -> WayEstimate | None:
        """The way most likely to be best, ``None`` without ways."""
        return self.ranked[0] if self.ways else None

    @property
    def tries(self) -> int:
        return sum(w.tries for w in self.ways)


def _counts(successes: ArrayLike, tries: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(successes, dtype=np.float64).reshape(-1)
    n = np.asarray(tries, dtype=np.float64).reshape(-1)
    if x.shape != n.shape:
        raise ValueError(f"successes and tries differ in length: {x.size} and {n.size}")
    if np.any(n < 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= successes <= tries for every way")
    return x, n


def fit_way_prior(
    successes: ArrayLike,
    tries: ArrayLike,
    *,
    stage_rate: float | None = None,
    max_strength: float = WAY_PRIOR_MAX_STRENGTH,
) -> BetaPrior:
    r"""The Beta prior of a behavior's ways.

    With at least :data:`MIN_WAYS_FOR_FIT` ways tried, the beta-binomial maximum-likelihood fit
    over the ways (:func:`ninety.core.shrinkage.fit_beta_prior`), its strength capped at
    ``max_strength``. Otherwise a weak prior worth :data:`WEAK_PRIOR_STRENGTH` tries centred on
    ``stage_rate`` (the stage's conversion over all activities), or on the ways' pooled rate, or
    Beta(1, 1) when nothing is known.

    .. math:: \alpha_0 = \mu s,\quad \beta_0 = (1-\mu) s,\quad s = \min(\hat s, s_{max})

    Parameters
    ----------
    successes, tries : array_like
        Per way.
    stage_rate : float, optional
        The stage's overall rate, for the weak prior.
    max_strength : float
        Cap on α₀ + β₀.
    """
    x, n = _counts(successes, tries)
    used = n > 0
    if int(used.sum()) >= MIN_WAYS_FOR_FIT:
        fit = fit_beta_prior(x[used], n[used])
        strength = min(fit.strength, max_strength)
        return BetaPrior(fit.mean * strength, (1 - fit.mean) * strength, fit.method, fit.n_reps)
    if stage_rate is not None and 0.0 < stage_rate < 1.0:
        mu = float(stage_rate)
    elif n.sum() > 0:
        mu = float((x.sum() + 0.5) / (n.sum() + 1.0))
    else:
        return BetaPrior(1.0, 1.0, method="uniform", n_reps=0)
    return BetaPrior(
        mu * WEAK_PRIOR_STRENGTH, (1 - mu) * WEAK_PRIOR_STRENGTH, "weak", int(used.sum())
    )


def p_best_sampled(
    alpha: ArrayLike, beta: ArrayLike, *, draws: int = DEFAULT_DRAWS, seed: int = 0
) -> FloatArray:
    r"""P(arm i has the largest rate) for independent Beta(αᵢ, βᵢ), by Monte Carlo.

    .. math:: \hat P_i = \frac{1}{D}\sum_{d=1}^{D} [\,\theta_{i}^{(d)} = \max_j \theta_j^{(d)}\,]

    Draws come from ``numpy.random.default_rng(seed)``, so the result is reproducible.
    """
    a = np.asarray(alpha, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    if a.size == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    samples = rng.beta(a[:, None], b[:, None], size=(a.size, draws))
    winners = np.argmax(samples, axis=0)
    return np.bincount(winners, minlength=a.size) / float(draws)


def p_beats(alpha: ArrayLike, beta: ArrayLike, target: int, others: Sequence[int]) -> float:
    r"""P(θ_target > max over ``others`` of θ_j), exactly, by numerical integration.

    .. math:: P = \int_0^1 f_{target}(t) \prod_{j \in others} F_j(t)\, dt

    with :math:`f, F` the Beta density and distribution function (``scipy.stats.beta``), the
    integral by adaptive quadrature over the central 1 - 1e-12 of the target's density. With one
    other arm this is Evan Miller's closed-form P(B > A).
    """
    a = np.asarray(alpha, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    others = [j for j in others if j != target]
    if not others:
        return 1.0
    lo, hi = stats.beta.ppf([1e-13, 1 - 1e-13], a[target], b[target])
    mode = float(np.clip(stats.beta.mean(a[target], b[target]), lo, hi))

    def integrand(t: float) -> float:
        return float(
            stats.beta.pdf(t, a[target], b[target])
            * np.prod([stats.beta.cdf(t, a[j], b[j]) for j in others])
        )

    value, _ = integrate.quad(integrand, lo, hi, points=[mode], limit=200, epsabs=1e-10)
    return float(np.clip(value, 0.0, 1.0))


def p_best_exact(alpha: ArrayLike, beta: ArrayLike) -> FloatArray:
    """P(arm i has the largest rate), by numerical integration (see :func:`p_beats`)."""
    a = np.asarray(alpha, dtype=np.float64)
    arms = range(a.size)
    return np.array([p_beats(alpha, beta, i, [j for j in arms if j != i]) for i in arms])


def thompson_pick(alpha: ArrayLike, beta: ArrayLike, rng: np.random.Generator) -> int:
    """One Thompson-sampling draw: the index of the arm whose sampled rate is largest.

    Each arm's rate is drawn from its posterior Beta(αᵢ, βᵢ) (Thompson 1933); an arm is thus
    picked with probability P(it is best), and an untried arm, drawn from the wide prior, gets
    picked now and then until its own evidence says otherwise.
    """
    a = np.asarray(alpha, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    if a.size == 0:
        raise ValueError("no ways to choose from")
    return int(np.argmax(rng.beta(a, b)))


#: A way this likely to be best (from real tries) is "strong evidence".
STRONG_P_BEST = 0.8


def guard_untried(tries: Sequence[int], p_best: Sequence[float], pick: int) -> int:
    """The practise-next rule on top of a Thompson draw: a way nobody has tried is never
    suggested over a way with strong evidence (tried, P(best) ≥ 0.8); exploring an untried way
    is still fine when the evidence for the others is weak."""
    if tries[pick] > 0:
        return pick
    strong = [i for i in range(len(tries)) if tries[i] > 0 and p_best[i] >= STRONG_P_BEST]
    return max(strong, key=lambda i: p_best[i]) if strong else pick


def adherence(with_way: int, stage_total: int) -> float | None:
    """Share of the stage's activities that recorded which way was used (``None`` if none)."""
    if stage_total < 0 or with_way < 0 or with_way > stage_total:
        raise ValueError("need 0 <= activities with a way <= all activities at the stage")
    return with_way / stage_total if stage_total else None


def rank_ways(
    keys: Sequence[str],
    successes: ArrayLike,
    tries: ArrayLike,
    *,
    stage_rate: float | None = None,
    stage_total: int | None = None,
    level: float = 0.9,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    prior: BetaPrior | None = None,
) -> WaysResult:
    """Posterior, interval, P(best) and a Thompson suggestion for every way of a behavior.

    Parameters
    ----------
    keys : sequence of str
        The ways, in display order.
    successes, tries : array_like
        Per way (same order as ``keys``).
    stage_rate : float, optional
        The stage's overall conversion, centre of the weak prior when few ways have tries.
    stage_total : int, optional
        All activities at the stage (with or without a way), for :func:`adherence`.
    level : float
        Credible level of the intervals (0.9 by default, as on the rep page).
    draws, seed : int
        Monte Carlo draws for P(best) and the seed of ``numpy.random.default_rng``; the
        suggestion is the Thompson draw of the same generator (so a seed per rep and day gives
        each rep a stable suggestion for the day).
    prior : BetaPrior, optional
        Use this prior instead of fitting one.
    """
    x, n = _counts(successes, tries)
    if len(keys) != x.size:
        raise ValueError(f"{len(keys)} keys for {x.size} ways")
    prior = prior or fit_way_prior(x, n, stage_rate=stage_rate)
    a = prior.alpha + x
    b = prior.beta + n - x
    tail = (1.0 - level) / 2.0
    lows = stats.beta.ppf(tail, a, b)
    highs = stats.beta.ppf(1.0 - tail, a, b)
    p_best = p_best_sampled(a, b, draws=draws, seed=seed)
    suggestion = None
    if x.size:
        pick = thompson_pick(a, b, np.random.default_rng([seed, 1]))
        suggestion = keys[guard_untried([int(v) for v in n], list(p_best), pick)]
    with_way = int(n.sum())
    return WaysResult(
        ways=tuple(
            WayEstimate(
                key=keys[i],
                successes=int(x[i]),
                tries=int(n[i]),
                raw_rate=float(x[i] / n[i]) if n[i] else None,
                alpha=float(a[i]),
                beta=float(b[i]),
                mean=float(a[i] / (a[i] + b[i])),
                low=float(lows[i]),
                high=float(highs[i]),
                p_best=float(p_best[i]),
            )
            for i in range(x.size)
        ),
        prior=prior,
        level=level,
        adherence=adherence(with_way, stage_total) if stage_total is not None else None,
        suggestion=suggestion,
    )


def rep_adjusted_successes(
    successes: ArrayLike, tries: ArrayLike, *, iterations: int = 50
) -> FloatArray:
    r"""Per-way successes with the reps' own skill taken out (indirect standardisation).

    Reps choose ways unevenly, and a strong rep who prefers one way makes it look better than it
    is. Fit the multiplicative model :math:`E[x_{rw}] = n_{rw}\,\rho_r\,m_w` (rep rate times way
    multiplier) by alternating the two maximum-likelihood updates of a Poisson model (iterative
    proportional fitting),

    .. math:: m_w = \frac{\sum_r x_{rw}}{\sum_r n_{rw}\rho_r}, \qquad
              \rho_r = \frac{\sum_w x_{rw}}{\sum_w n_{rw} m_w},

    and return :math:`\tilde x_w = n_w\,\bar p\,m_w / \bar m` (clipped to ``[0, n_w]``): the
    successes each way would have had with the average rep, to feed :func:`rank_ways`.

    Parameters
    ----------
    successes, tries : array_like, shape (reps, ways)
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(tries, dtype=np.float64)
    if x.ndim != 2 or x.shape != n.shape:
        raise ValueError("need (reps, ways) arrays of the same shape")
    rho = np.ones(x.shape[0])
    m = np.ones(x.shape[1])
    for _ in range(iterations):
        m = x.sum(0) / np.maximum((n * rho[:, None]).sum(0), 1e-12)
        rho = x.sum(1) / np.maximum((n * m[None, :]).sum(1), 1e-12)
    nw = n.sum(0)
    pooled = x.sum() / n.sum() if n.sum() else 0.0
    used = nw > 0
    mean_m = float(np.average(m[used], weights=nw[used])) if used.any() else 1.0
    adjusted = nw * pooled * m / (mean_m or 1.0)
    return np.clip(adjusted, 0.0, nw)
