"""Diagnosis: which factor — activity volume, a stage's conversion, or deal size — explains a rep.

The result of a period is a product of factors,

.. math:: R = V \\times \\prod_k p_k \\times S,

volume V (the first stage's entries, e.g. dials), the conversion :math:`p_k` of each stage and the
average won deal size S. Compared with the group's reference for each factor (for a stage: the
pooled rate of the rep's group mates, leaving the rep out; for volume and deal size: the group
median), the log of the ratio splits exactly into one term per factor:

.. math::
    \\ln\\frac{R}{B}
    = \\underbrace{\\sum_f \\ln\\frac{\\hat f}{f_{\\text{ref}}}}_{\\text{contributions}}
    + \\underbrace{\\ln\\frac{R_{\\text{typical}}}{B}}_{\\text{benchmark term}}
    + \\underbrace{\\ln\\frac{R}{\\hat R}}_{\\text{chance}}

with :math:`\\hat f` the shrunken (posterior-mean) factor, :math:`\\hat R = \\prod \\hat f` the
result those factors lead to, and B the benchmark: the rep's quota share, or the typical rep's
result (``benchmark_kind`` says which). The contributions are in log points (×100 ≈ percent for
small values) and add up exactly; ``chance`` is the part of the raw result that shrinkage
attributes to luck (small samples), ``benchmark_term`` how far the quota sits from the typical rep.

The **focus** is the factor with the most negative contribution that is both *material*
(posterior P(factor materially weak) at least ``material_certainty``; for a stage, the two-groups
posterior of "below ``material_ratio`` × the group's" against "typical") and *certain*
(posterior P(worse than the group) at least ``certainty``); ``None`` when no factor is.
Both probabilities include the uncertainty of the group's reference rate (a pool of a few
hundred tries is not exact), so a rep is not named for sitting a few points below a reference
that is itself a few points high by chance.
It does not look at the result or the quota: a rep above quota can still have a weak stage worth
coaching.

References
----------
STATISTICS.md §1 (empirical Bayes, Robinson 2017) and §4 (exact log decomposition; Shapley / Das
Gupta 1993 in currency, :mod:`ninety.core.decompose`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from ninety.core.decompose import shapley_decomposition
from ninety.core.funnel import Funnel
from ninety.core.shrinkage import (
    RatioPosterior,
    fit_grouped_prior,
    fit_ratio_posterior,
    leave_one_out_reference,
    p_below_uncertain,
    posterior,
)

FloatArray = NDArray[np.float64]

VOLUME = "volume"
DEAL_SIZE = "deal_size"


@dataclass(frozen=True)
class DiagnosisConfig:
    """Thresholds and settings of :func:`diagnose_group` (defaults tuned on the simulator).

    Attributes
    ----------
    material_ratio : float
        A factor is material when its value is below this ratio of the group's.
    certainty : float
        Minimum posterior P(factor worse than the group's) for a focus. 0.7 (was 0.9): with the
        two-groups test below doing the real work, a 0.9 gate mostly dropped weak reps at the
        late stages (a handful of proposals rarely makes the Beta posterior 90 % sure).
    material_certainty : float
        Minimum posterior P(stage materially weak) for a focus — from the two-groups model
        (``material_model``). 0.4: on ``bench/bench_diagnosis.py`` (1,000 reps, both windows;
        chosen on seeds 7-9, checked on 10-12) it keeps false focus between 5 and 10 % and beats
        the naive baseline's hit rate on 10 of 12 runs; see docs/diagnosis-accuracy.md.
    size_material_certainty : float
        The same for volume and deal size, whose P(material) comes from their normal posteriors
        (Monte Carlo): 0.3, the former value. (The two-groups test on deal size flagged healthy
        reps with one or two small wins: one deal's value is far more spread than its CV says.)
    level : float
        Credible level of the per-stage intervals.
    n_draws : int
        Monte Carlo draws per rep for the joint quantities (P(material), P(largest)).
    seed : int
        Seed of ``numpy.random.default_rng`` for the Monte Carlo.
    prior_method : {"mle", "moments"}
        Fit of the Beta prior.
    deal_cv : float
        Coefficient of variation of one deal's value within a rep (the sampling noise of a
        rep's average deal size); estimate it with :func:`ninety.core.funnel.deal_value_cv`.
    volume_noise : float
        Log-sd of a rep's monthly volume beyond Poisson noise (days off, day-to-day swings).
    stage_prior : {"beta", "grid", "grid-pooled"}
        Posterior used for the stage terms: ``"beta"`` — the grouped empirical-Bayes Beta prior
        (:func:`~ninety.core.shrinkage.fit_grouped_prior`); ``"grid"`` — a nonparametric prior on
        the ratio to the group's rate (:func:`~ninety.core.shrinkage.fit_ratio_posterior`), which
        keeps a spike of typical reps and a tail of weak ones, so the clearly weak are not
        over-shrunk; ``"grid-pooled"`` — one such prior for all stages (more reps to fit it).
        The group's rate is the Beta step's in every case. (``"beta"`` is the default: the grid
        variants scored no better at team level and give degenerate intervals when reps are
        alike.)
    peer_ratio, peer_certainty : float
        A rep is reliably strong at a stage when its shrunken rate is at least ``peer_ratio`` times
        the group's and P(better than the group) is at least ``peer_certainty``.
    reference : {"robust", "loo", "median"}
        The group rate a rep's stage is compared with. ``"robust"`` (default): the group mates'
        pooled rate weighted by each mate's probability of being typical at the stage, shrunk on
        the log scale to the whole call's rate by the spread between groups
        (:func:`_robust_reference`), with its uncertainty carried into P(worse) and P(material).
        ``"loo"``: the former default, the unweighted pooled rate of the group mates shrunk to
        the org's (:func:`~ninety.core.shrinkage.leave_one_out_reference`). ``"median"``: the
        group median of shrunken rates taken as exact.
    material_model : {"two-groups", "beta"}
        How P(stage materially weak) is computed. ``"two-groups"`` (default): the posterior of
        "materially weak" (ratio to the reference log-uniform between ``weak_floor`` and
        ``material_ratio``) against "typical" (log-normal ratio, sd ``typical_spread``), prior
        ``weak_prior`` (:func:`_stage_weak_evidence`). ``"beta"``: the former Monte Carlo
        P(ratio < ``material_ratio``) under the Beta posterior, whose unimodal prior pulls a
        clearly weak rep with few tries back to the group.
    weak_floor, typical_spread, weak_prior : float
        Parameters of the two groups: the weakest ratio considered (0.4), the log-sd of typical
        reps around their group (0.08: on the simulator the negative tail of healthy reps is
        heavier than its nominal 0.05) and the prior share of reps materially weak at one stage
        (0.1; about 40 % of reps weak somewhere over five stages).
    between_floor : float
        Smallest log-sd between groups' rates assumed by the robust reference.
    """

    material_ratio: float = 0.8
    certainty: float = 0.7
    material_certainty: float = 0.4
    level: float = 0.9
    n_draws: int = 400
    seed: int = 20240901
    prior_method: str = "mle"
    deal_cv: float = 0.8
    volume_noise: float = 0.1
    stage_prior: str = "beta"
    peer_ratio: float = 1.1
    peer_certainty: float = 0.9
    reference: str = "robust"
    material_model: str = "two-groups"
    weak_floor: float = 0.4
    typical_spread: float = 0.08
    weak_prior: float = 0.1
    between_floor: float = 0.02
    size_material_certainty: float = 0.3


@dataclass(frozen=True)
class StageEstimate:
    """One rep's posterior at one stage.

    ``group_rate`` is the reference the rep is compared with: with ``reference="loo"`` the
    pooled rate of the rep's group mates (so it differs slightly from rep to rep within a team),
    and ``p_below`` is P(rep's rate < that reference) allowing for the reference's uncertainty.
    """

    successes: float
    tries: float
    raw_rate: float
    mean: float
    low: float
    high: float
    group_rate: float
    p_below: float


@dataclass(frozen=True)
class RepDiagnosis:
    """The diagnosis of one rep (index ``rep`` in the arrays passed in).

    ``log_gap == sum(contributions.values()) + benchmark_term + chance`` (exactly, up to floating
    point); all three are ``-inf``-safe except ``chance`` and ``log_gap`` when the result is 0.
    """

    rep: int
    result: float
    benchmark: float
    benchmark_kind: str
    gap_pct: float
    log_gap: float
    contributions: dict[str, float]
    contributions_value: dict[str, float]
    benchmark_term: float
    chance: float
    p_worse: dict[str, float]
    p_material: dict[str, float]
    focus: str | None
    focus_certainty: float | None
    focus_p_largest: float | None
    stages: dict[str, StageEstimate]
    strengths: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupDiagnosis:
    """Diagnosis of every rep of a comparison group (or of an org split into groups)."""

    kind: str
    factors: tuple[str, ...]
    stage_keys: tuple[str, ...]
    benchmark_kind: str
    reps: tuple[RepDiagnosis, ...]
    peer_strength: dict[str, tuple[int, ...]]
    config: DiagnosisConfig = field(default_factory=DiagnosisConfig)

    @property
    def focus(self) -> list[str | None]:
        return [r.focus for r in self.reps]


def _group_median(values: FloatArray, groups: NDArray[np.int64], n_groups: int) -> FloatArray:
    """Median of ``values`` within each group (vectorised by sorting on (group, value))."""
    order = np.lexsort((values, groups))
    gs, vs = groups[order], values[order]
    counts = np.bincount(gs, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    lo = starts + (counts - 1) // 2
    hi = starts + counts // 2
    med = np.full(n_groups, np.nan)
    ok = counts > 0
    med[ok] = 0.5 * (vs[lo[ok]] + vs[hi[ok]])
    return med


def _normal_shrink(
    y: FloatArray, var: FloatArray, center: FloatArray, has: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Normal-normal shrinkage of ``y`` (sampling variance ``var``) towards ``center``.

    The between-rep variance τ² is estimated robustly from the reps that have data: the median
    of (y − center)² − var, over 0.455 (the median of χ²₁), floored; a few extreme reps do not
    inflate it. τ is floored at 0.1: with a dozen reps the estimate can come out near zero, and a
    prior that says "reps never differ" would hide even a rep at half the team's volume.
    Returns the posterior mean and standard deviation.
    """
    tau2_min = 0.01
    if has.sum() > 2:
        excess = (y - center)[has] ** 2 - var[has]
        tau2 = max(float(np.median(excess)) / 0.455, tau2_min)
    else:
        tau2 = 0.05
    precision = 1.0 / tau2 + np.where(has, 1.0 / var, 0.0)
    mean = (center / tau2 + np.where(has, y / var, 0.0)) / precision
    return mean, 1.0 / np.sqrt(precision)


def _volume_posterior(
    volume: FloatArray, groups: NDArray[np.int64], n_groups: int, noise: float
) -> tuple[FloatArray, FloatArray]:
    """Normal posterior of each rep's log volume, shrunk to the group's median.

    :math:`y_i = \\ln V_i` with sampling variance :math:`1/V_i + \\sigma_v^2`: Poisson noise plus
    the day-to-day and absence noise of one month (``volume_noise``); a pure Poisson model
    would be far too sure that a rep who had a week off dials less.
    """
    has = volume > 0
    y = np.log(np.maximum(volume, 0.5))
    center = _group_median(y, groups, n_groups)[groups]
    var = 1.0 / np.maximum(volume, 0.5) + noise**2
    return _normal_shrink(y, var, center, has)


def _deal_size_posterior(
    won_value: FloatArray,
    won_count: FloatArray,
    groups: NDArray[np.int64],
    n_groups: int,
    deal_cv: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normal posterior of each rep's log average deal size, shrunk to the group's.

    :math:`y_i = \\ln(\\text{won value}_i / \\text{wins}_i)` has sampling variance about
    :math:`c^2/W_i` (delta method), c the coefficient of variation of one deal's value; shrunk to
    the group's pooled deal size by :func:`_normal_shrink`.

    Returns the posterior mean, its standard deviation, and the group's log deal size per rep.
    """
    c2 = deal_cv**2
    wins = won_count > 0
    gv = np.bincount(groups, weights=won_value, minlength=n_groups)
    gw = np.bincount(groups, weights=won_count, minlength=n_groups)
    org = won_value.sum() / won_count.sum() if won_count.sum() > 0 else 1.0
    # A group without any win borrows the org's deal size.
    group_size = np.where(gw > 0, gv / np.maximum(gw, 1e-12), org)
    center = np.log(np.maximum(group_size, 1e-12))[groups]
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(wins, np.log(np.maximum(won_value, 1e-12) / np.maximum(won_count, 1)), center)
    var = c2 / np.maximum(won_count, 1.0)
    mean, sd = _normal_shrink(y, var, center, wins)
    return mean, sd, center


def _stage_weak_evidence(
    x: FloatArray,
    n: FloatArray,
    ref: FloatArray,
    ref_sd: FloatArray,
    material_ratio: float,
    weak_floor: float,
    typical_spread: float,
) -> FloatArray:
    r"""Log Bayes factor "materially weak" against "typical", per rep and stage (two groups).

    The two-groups model of empirical Bayes (Efron 2008): a rep's rate at a stage is
    :math:`r\,m` with r the group's reference (log-normal, sd ``ref_sd``) and m the rep's ratio.
    Typical reps: :math:`\ln m \sim N(0, \tau^2)` (``typical_spread``); materially weak reps:
    :math:`\ln m` uniform between ``ln weak_floor`` and ``ln material_ratio``. The likelihood of
    the counts is binomial; both hypotheses are integrated by quadrature (Gauss–Hermite over the
    reference and the typical spread, a 24-point grid over the weak ratios).

    A unimodal Beta prior pulls a clearly weak rep with few tries back to the group; comparing
    the two hypotheses directly keeps the evidence of a handful of tries at its true size.
    """
    z, wz = np.polynomial.hermite_e.hermegauss(9)
    lwz = np.log(wz / wz.sum())
    sd = np.sqrt(ref_sd**2 + typical_spread**2)[..., None]
    lr = np.log(np.clip(ref, 1e-12, 1.0))[..., None] + sd * z  # (reps, stages, nodes)
    xx, nn = x[..., None], n[..., None]
    lo, hi = np.log(1e-12), np.log1p(-1e-9)

    def loglik(log_rate: FloatArray) -> FloatArray:
        lp = np.clip(log_rate, lo, hi)
        return xx * lp + (nn - xx) * np.log1p(-np.exp(lp))

    l_typ = _logsumexp(loglik(lr) + lwz)
    grid = np.linspace(np.log(weak_floor), np.log(material_ratio), 24)
    l_weak = np.stack([_logsumexp(loglik(lr + g) + lwz) for g in grid], axis=-1)
    return _logsumexp(l_weak) - np.log(grid.size) - l_typ


def _logsumexp(a: FloatArray) -> FloatArray:
    """log Σ exp over the last axis, for finite inputs (3× faster than SciPy's general one)."""
    m = a.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=-1, keepdims=True)))[..., 0]


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _pooled_reference(
    x: FloatArray,
    n: FloatArray,
    g: NDArray[np.int64],
    n_groups: int,
    weight: FloatArray,
    between_floor: float,
) -> tuple[FloatArray, FloatArray]:
    r"""Each rep's reference rate per stage: the group mates' rate, shrunk to the whole call's.

    With weights :math:`w_j` (a rep's probability of being typical at the stage, so that the
    weak do not drag the reference down), the group mates' pooled rate
    :math:`r_{g,-i} = (\sum_{j \ne i} w_j x_j + ½)/(\sum_{j \ne i} w_j n_j + 1)` and the same
    over every rep of the call, :math:`r_{-i}`, are combined on the log scale by normal–normal
    shrinkage (a group with few tries leans on the call's rate):

    .. math::
        \ln \hat r_i = \frac{\ln r_{-i}/τ_G^2 + \ln r_{g,-i}/v_{g,-i}}{1/τ_G^2 + 1/v_{g,-i}},
        \qquad v = \frac{1-r}{r\,N}

    with :math:`τ_G^2` the spread of the groups' log rates around the call's, estimated by the
    method of moments over every (group, stage) cell (one spread for all stages; at least
    ``between_floor``²). Returns the reference and the standard deviation of its log.
    """
    n_st = x.shape[1]
    xw, nw = x * weight, n * weight
    gx = np.stack([np.bincount(g, weights=xw[:, k], minlength=n_groups) for k in range(n_st)], 1)
    gn = np.stack([np.bincount(g, weights=nw[:, k], minlength=n_groups) for k in range(n_st)], 1)
    lx, ln_ = gx[g] - xw, gn[g] - nw
    r_g = (lx + 0.5) / (ln_ + 1.0)
    v_g = (1.0 - r_g) / (r_g * (ln_ + 1.0))
    cx, cn = xw.sum(axis=0) - xw, nw.sum(axis=0) - nw
    r_c = (cx + 0.5) / (cn + 1.0)
    v_c = (1.0 - r_c) / (r_c * (cn + 1.0))
    # Spread of the groups' rates around the call's, pooled over stages.
    tr = (gx + 0.5) / (gn + 1.0)
    whole = (gx.sum(axis=0) + 0.5) / (gn.sum(axis=0) + 1.0)
    dev = np.log(tr / whole) ** 2 - (1.0 - tr) / (tr * (gn + 1.0))
    ok = gn > 20
    dof = int(ok.sum()) - int(ok.any(axis=0).sum())
    tau2 = max(float(dev[ok].sum()) / dof, between_floor**2) if dof > 0 else 0.01
    prec = 1.0 / tau2 + 1.0 / v_g
    log_ref = (np.log(r_c) / tau2 + np.log(r_g) / v_g) / prec
    return np.exp(log_ref), np.sqrt(1.0 / prec + v_c)


def _robust_reference(
    x: FloatArray, n: FloatArray, g: NDArray[np.int64], n_groups: int, cfg: DiagnosisConfig
) -> tuple[FloatArray, FloatArray]:
    """:func:`_pooled_reference` weighted by each rep's probability of being typical.

    A first pass with equal weights gives each rep's two-groups evidence of a material weakness
    (:func:`_stage_weak_evidence`); the second pools the group mates weighted by
    P(typical | data), so a weak mate counts for little in the reference.
    """
    ref, sd = _pooled_reference(x, n, g, n_groups, np.ones_like(x), cfg.between_floor)
    log_bf = _stage_weak_evidence(
        x, n, ref, sd, cfg.material_ratio, cfg.weak_floor, cfg.typical_spread
    )
    p_weak = special.expit(log_bf + _logit(cfg.weak_prior))
    return _pooled_reference(x, n, g, n_groups, 1.0 - p_weak, cfg.between_floor)


def diagnose_group(
    volume: ArrayLike,
    tries: ArrayLike,
    successes: ArrayLike,
    won_value: ArrayLike,
    won_count: ArrayLike,
    stage_keys: Sequence[str],
    *,
    quota_share: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    kind: str = "activity",
    config: DiagnosisConfig | None = None,
) -> GroupDiagnosis:
    """Diagnose every rep: gap decomposition, certainty, focus and peer strength.

    Parameters
    ----------
    volume : array (reps,)
        First-stage entries in the period (dials, or deals opened).
    tries, successes : array (reps, stages)
        Funnel counts per stage (``successes <= tries``).
    won_value, won_count : array (reps,)
        The period's result: value and number of deals won.
    stage_keys : sequence of str
        Names of the stage columns.
    quota_share : array (reps,), optional
        Benchmark per rep (the quota, pro rata to the date if the period is not over). Without
        it the benchmark is the typical rep of the group (group median of each factor).
    groups : array of int (reps,), optional
        Comparison group of each rep (e.g. team index, ``0 .. G-1``). Each group is compared with
        its own rates; rep-to-rep spread is learnt over all groups. ``None``: one group.
    kind : str
        ``"activity"`` or ``"deal"``: which funnel the counts come from (reported back).
    config : DiagnosisConfig, optional
        Thresholds; defaults tuned on the simulator (see ``bench/bench_diagnosis.py``).

    Returns
    -------
    GroupDiagnosis
    """
    cfg = config or DiagnosisConfig()
    vol = np.asarray(volume, dtype=np.float64)
    n = np.asarray(tries, dtype=np.float64)
    x = np.asarray(successes, dtype=np.float64)
    wv = np.asarray(won_value, dtype=np.float64)
    wc = np.asarray(won_count, dtype=np.float64)
    keys = tuple(stage_keys)
    n_reps, n_stages = n.shape if n.ndim == 2 else (n.shape[0], 0)
    if x.shape != n.shape or len(keys) != n_stages:
        raise ValueError("tries, successes and stage_keys disagree in shape")
    if vol.shape != (n_reps,) or wv.shape != (n_reps,) or wc.shape != (n_reps,):
        raise ValueError("volume, won_value and won_count need one value per rep")
    g = np.zeros(n_reps, np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    n_groups = int(g.max()) + 1 if n_reps else 0
    factors = (VOLUME, *keys, DEAL_SIZE)

    # Stage rates: grouped empirical-Bayes Beta posteriors. Each rep is compared with the pooled
    # rate of their group mates (leave-one-out: a weak rep does not drag their own benchmark
    # down), whose uncertainty is carried into P(worse) and P(material). ``reference="median"``
    # is the former rule: the group median of shrunken rates, taken as exact.
    post_mean = np.empty((n_reps, n_stages))
    post_a = np.empty((n_reps, n_stages))
    post_b = np.empty((n_reps, n_stages))
    low = np.empty((n_reps, n_stages))
    high = np.empty((n_reps, n_stages))
    ref = np.empty((n_reps, n_stages))
    ref_sd = np.zeros((n_reps, n_stages))
    p_below = np.empty((n_reps, n_stages))
    if cfg.reference == "robust" and n_stages:
        rob_ref, rob_sd = _robust_reference(x, n, g, n_groups, cfg)
    for k in range(n_stages):
        prior = fit_grouped_prior(x[:, k], n[:, k], g, method=cfg.prior_method)
        mean_k = (prior.alpha + x[:, k]) / (prior.alpha + prior.beta + n[:, k])
        if cfg.reference == "robust":
            others = n[:, k].sum() - n[:, k] > 0
            ref[:, k] = np.where(others, rob_ref[:, k], mean_k)
            ref_sd[:, k] = np.where(others, rob_sd[:, k], 0.0)
        elif cfg.reference == "loo":
            loo = leave_one_out_reference(x[:, k], n[:, k], g, prior)
            # A rep without group mates who have tries has nobody to be compared with.
            mates = np.bincount(g, weights=n[:, k], minlength=n_groups)[g] - n[:, k] > 0
            ref[:, k] = np.where(mates, loo.mean, mean_k)
            ref_sd[:, k] = np.where(mates, loo.log_sd, 0.0)
        elif cfg.reference == "median":
            ref[:, k] = _group_median(mean_k, g, n_groups)[g]
        else:
            raise ValueError(f"unknown reference {cfg.reference!r}; use 'loo' or 'median'")
        post = posterior(x[:, k], n[:, k], prior, level=cfg.level, reference=ref[:, k])
        post_mean[:, k], post_a[:, k], post_b[:, k] = post.mean, post.alpha, post.beta
        low[:, k], high[:, k] = post.low, post.high
        p_below[:, k] = p_below_uncertain(post.alpha, post.beta, ref[:, k], ref_sd[:, k])
    grids = []
    if cfg.stage_prior in ("grid", "grid-pooled"):
        if cfg.stage_prior == "grid-pooled" and n_stages:
            # One prior of ratios for all stages: weak reps are rare at any one stage, and the
            # shape (a spike of typical reps, a tail of weak ones) is shared.
            joint = fit_ratio_posterior(x.ravel(), n.ravel(), ref.ravel())
            post_all = joint.post.reshape(n_reps, n_stages, -1)
        for k in range(n_stages):
            if cfg.stage_prior == "grid-pooled":
                rp = RatioPosterior(joint.grid, joint.weights, post_all[:, k])
            else:
                rp = fit_ratio_posterior(x[:, k], n[:, k], ref[:, k])
            grids.append(rp)
            # Geometric posterior mean, so that the contribution is E[ln m] exactly.
            post_mean[:, k] = ref[:, k] * np.exp(rp.mean_log)
            tail = (1.0 - cfg.level) / 2.0
            low[:, k] = ref[:, k] * rp.quantile(tail)
            high[:, k] = ref[:, k] * rp.quantile(1.0 - tail)
            # P(m r̂ < R) with ln R ~ N(ln r̂, sd²): Σ_g post_g Φ(−ln m_g / sd).
            sd = np.maximum(ref_sd[:, k], 1e-9)[:, None]
            p_below[:, k] = np.sum(rp.post * stats.norm.sf(np.log(rp.grid)[None, :] / sd), 1)
    elif cfg.stage_prior != "beta":
        raise ValueError(
            f"unknown stage_prior {cfg.stage_prior!r}; use 'beta', 'grid' or 'grid-pooled'"
        )

    # Volume (Gamma-Poisson) and deal size (normal on the log scale).
    lv_mean, lv_sd = _volume_posterior(vol, g, n_groups, cfg.volume_noise)
    vol_hat = np.exp(lv_mean)
    vol_ref = np.exp(_group_median(lv_mean, g, n_groups)[g])
    p_vol = stats.norm.cdf(np.log(vol_ref), lv_mean, lv_sd)
    ls_mean, ls_sd, _ = _deal_size_posterior(wv, wc, g, n_groups, cfg.deal_cv)
    ls_ref = _group_median(ls_mean, g, n_groups)[g]
    p_size = stats.norm.cdf(ls_ref, ls_mean, ls_sd)

    # Log-point contributions against the typical rep; they add up exactly by construction.
    contrib = np.column_stack(
        [np.log(vol_hat / vol_ref), np.log(post_mean / ref), ls_mean - ls_ref]
    )
    p_worse = np.column_stack([p_vol, p_below, p_size])
    log_typical = np.log(vol_ref) + np.log(ref).sum(axis=1) + ls_ref
    log_expected = log_typical + contrib.sum(axis=1)
    if quota_share is None:
        benchmark = np.exp(log_typical)
        benchmark_kind = "group_median"
    else:
        benchmark = np.asarray(quota_share, dtype=np.float64)
        benchmark_kind = "quota"
    with np.errstate(divide="ignore", invalid="ignore"):
        log_gap = np.log(wv) - np.log(benchmark)
        chance = np.log(wv) - log_expected
        gap_pct = 100.0 * (wv / benchmark - 1.0)
    benchmark_term = log_typical - np.log(benchmark)

    # The same split in currency (Shapley / Das Gupta): expected result minus the typical one.
    f_typ = np.column_stack([vol_ref, ref, np.exp(ls_ref)])
    f_rep = np.column_stack([vol_hat, post_mean, np.exp(ls_mean)])
    contrib_value = shapley_decomposition(f_typ, f_rep)

    # Monte Carlo over the posteriors for the joint quantities: P(term below the materiality
    # line) and P(this factor is the most negative one).
    rng = np.random.default_rng(cfg.seed)
    d = cfg.n_draws
    draws = np.empty((n_reps, len(factors), d))
    tiny = 1e-300  # a draw that underflows to 0 would give log 0
    draws[:, 0] = (
        rng.normal(lv_mean[:, None], lv_sd[:, None], (n_reps, d)) - np.log(vol_ref)[:, None]
    )
    if grids:
        for k, rp in enumerate(grids):
            # Inverse-CDF draws from each rep's grid posterior.
            cdf = np.cumsum(rp.post, axis=1)
            u = rng.random((n_reps, d))
            idx = np.minimum((u[:, :, None] > cdf[:, None, :]).sum(axis=2), rp.grid.size - 1)
            draws[:, 1 + k] = np.log(rp.grid)[idx]
    else:
        beta_draws = rng.beta(post_a[..., None], post_b[..., None], (n_reps, n_stages, d))
        draws[:, 1:-1] = np.log(np.maximum(beta_draws, tiny) / ref[..., None])
    # The reference's own uncertainty (zero for ``reference="median"``).
    draws[:, 1:-1] -= ref_sd[..., None] * rng.standard_normal((n_reps, n_stages, d))
    draws[:, -1] = rng.normal(ls_mean[:, None], ls_sd[:, None], (n_reps, d)) - ls_ref[:, None]
    line = np.log(cfg.material_ratio)
    p_material = np.mean(draws < line, axis=2)
    if cfg.material_model == "two-groups" and n_stages:
        log_bf = _stage_weak_evidence(
            x, n, ref, ref_sd, cfg.material_ratio, cfg.weak_floor, cfg.typical_spread
        )
        # A rep whose stage nobody else in the call tried has nobody to be compared with.
        others = n.sum(axis=0)[None, :] - n > 0
        log_bf = np.where(others, log_bf, -np.inf)
        p_material[:, 1:-1] = special.expit(log_bf + _logit(cfg.weak_prior))
    worst = np.argmin(draws, axis=1)
    p_largest = np.stack([np.mean(worst == j, axis=1) for j in range(len(factors))], axis=1)

    # Focus: most negative contribution among the material and certain factors.
    line_p = np.full(len(factors), cfg.material_certainty)
    if cfg.material_model == "two-groups":
        line_p[[0, -1]] = cfg.size_material_certainty
    eligible = (p_material >= line_p) & (p_worse >= cfg.certainty)
    focus_idx = np.argmin(np.where(eligible, contrib, np.inf), axis=1)
    has_focus = eligible.any(axis=1)

    # Peer strength: reliably strong reps per stage, best first.
    strong = (post_mean >= cfg.peer_ratio * ref) & (1.0 - p_below >= cfg.peer_certainty)
    peer: dict[str, tuple[int, ...]] = {}
    for k, key in enumerate(keys):
        idx = np.flatnonzero(strong[:, k])
        peer[key] = tuple(int(i) for i in idx[np.argsort(-(post_mean[idx, k] / ref[idx, k]))])

    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(n > 0, x / n, np.nan)
    reps = []
    for i in range(n_reps):
        f = int(focus_idx[i])
        reps.append(
            RepDiagnosis(
                rep=i,
                result=float(wv[i]),
                benchmark=float(benchmark[i]),
                benchmark_kind=benchmark_kind,
                gap_pct=float(gap_pct[i]),
                log_gap=float(log_gap[i]),
                contributions={fa: float(contrib[i, j]) for j, fa in enumerate(factors)},
                contributions_value={
                    fa: float(contrib_value[i, j]) for j, fa in enumerate(factors)
                },
                benchmark_term=float(benchmark_term[i]),
                chance=float(chance[i]),
                p_worse={fa: float(p_worse[i, j]) for j, fa in enumerate(factors)},
                p_material={fa: float(p_material[i, j]) for j, fa in enumerate(factors)},
                focus=factors[f] if has_focus[i] else None,
                focus_certainty=float(p_worse[i, f]) if has_focus[i] else None,
                focus_p_largest=float(p_largest[i, f]) if has_focus[i] else None,
                stages={
                    key: StageEstimate(
                        successes=float(x[i, k]),
                        tries=float(n[i, k]),
                        raw_rate=float(raw[i, k]),
                        mean=float(post_mean[i, k]),
                        low=float(low[i, k]),
                        high=float(high[i, k]),
                        group_rate=float(ref[i, k]),
                        p_below=float(p_below[i, k]),
                    )
                    for k, key in enumerate(keys)
                },
                strengths=tuple(key for k, key in enumerate(keys) if strong[i, k]),
            )
        )
    return GroupDiagnosis(
        kind=kind,
        factors=factors,
        stage_keys=keys,
        benchmark_kind=benchmark_kind,
        reps=tuple(reps),
        peer_strength=peer,
        config=cfg,
    )


def diagnose_funnel(
    funnel: Funnel,
    *,
    quota_share: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    config: DiagnosisConfig | None = None,
) -> GroupDiagnosis:
    """:func:`diagnose_group` on a :class:`~ninety.core.funnel.Funnel`."""
    return diagnose_group(
        funnel.volume,
        funnel.tries,
        funnel.successes,
        funnel.won_value,
        funnel.won_count,
        funnel.stage_keys,
        quota_share=quota_share,
        groups=groups,
        kind=funnel.kind,
        config=config,
    )


def naive_focus(
    volume: ArrayLike,
    tries: ArrayLike,
    successes: ArrayLike,
    won_value: ArrayLike,
    won_count: ArrayLike,
    stage_keys: Sequence[str],
    *,
    groups: ArrayLike | None = None,
    material_ratio: float = 0.8,
) -> list[str | None]:
    """The naive baseline: the factor with the lowest raw ratio to the group, if below the line.

    Raw rates x/n (0 when n = 0) against the group's pooled rate, volume against the group mean,
    deal size against the group's pooled deal size; no shrinkage, no certainty. The focus is the
    lowest ratio when it is below ``material_ratio``, else ``None``. This is what a dashboard
    without statistics does (PostHog flags outliers the same way, mean ± 1.5 SD, no shrinkage).
    """
    vol = np.asarray(volume, dtype=np.float64)
    n = np.asarray(tries, dtype=np.float64)
    x = np.asarray(successes, dtype=np.float64)
    wv = np.asarray(won_value, dtype=np.float64)
    wc = np.asarray(won_count, dtype=np.float64)
    g = np.zeros(vol.shape[0], np.int64) if groups is None else np.asarray(groups, np.int64)
    ng = int(g.max()) + 1
    cnt = np.bincount(g, minlength=ng)
    gvol = (np.bincount(g, weights=vol, minlength=ng) / np.maximum(cnt, 1))[g]
    gx = np.stack([np.bincount(g, weights=x[:, k], minlength=ng) for k in range(x.shape[1])], 1)
    gn = np.stack([np.bincount(g, weights=n[:, k], minlength=ng) for k in range(n.shape[1])], 1)
    gsize = np.bincount(g, weights=wv, minlength=ng) / np.maximum(
        np.bincount(g, weights=wc, minlength=ng), 1e-12
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, x / n, 0.0)
        grate = np.where(gn > 0, gx / gn, 0.0)[g]
        size = np.where(wc > 0, wv / wc, gsize[g])
        ratios = np.column_stack([vol / gvol, rate / grate, size / gsize[g]])
    ratios = np.nan_to_num(ratios, nan=1.0, posinf=1.0)
    factors = (VOLUME, *stage_keys, DEAL_SIZE)
    j = np.argmin(ratios, axis=1)
    lowest = ratios[np.arange(len(j)), j]
    return [factors[jj] if lo < material_ratio else None for jj, lo in zip(j, lowest, strict=True)]
