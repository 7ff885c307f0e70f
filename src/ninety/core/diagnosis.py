"""Diagnosis: which factor — activity volume, a stage's conversion, or deal size — explains a rep.

The result of a period is a product of factors,

.. math:: R = V \\times \\prod_k p_k \\times S,

volume V (the first stage's entries, e.g. dials), the conversion :math:`p_k` of each stage and the
average won deal size S. Compared with the reference for each factor (for a stage: the rep's team
rate, estimated from the team mates and the org, :mod:`ninety.core.stage_model`; for volume and
deal size: the team median, or the org's for a team of fewer than three), the log of the ratio
splits exactly into one term per factor:

.. math::
    \\ln\\frac{R}{B}
    = \\underbrace{\\sum_f \\ln\\frac{\\hat f}{f_{\\text{ref}}}}_{\\text{contributions}}
    + \\underbrace{\\ln\\frac{R_{\\text{typical}}}{B}}_{\\text{benchmark term}}
    + \\underbrace{\\ln\\frac{R}{\\hat R}}_{\\text{chance}}

with :math:`\\hat f` the posterior-mean factor, :math:`\\hat R = \\prod \\hat f` the result
those factors lead to, and B the benchmark (the rep's quota to date, or the typical rep's result).

**The focus rule** (one rule, stated once, pinned by tests): a factor is *materially weak* when its
true value is below ``material_ratio`` (0.8) times the reference. The focus is the factor with the
highest posterior probability of being materially weak, when that probability is at least
``focus_certainty`` (0.35) and the rep is more likely below the reference than above; the
probability is reported as the focus certainty, so "70 %" means:
of the foci stated at 70 %, about 70 % are truly materially weak (checked on the simulator by
``bench/bench_diagnosis.py``). The focus does not look at the result or the quota: a rep above
quota can still have a weak stage worth coaching. A stage with neither a settled weakness
(P ≥ ``focus_certainty``) nor a settled clean bill (P ≤ ``settled``) says how many more tries
would settle it (:func:`tries_to_settle`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ninety.core.decompose import shapley_decomposition
from ninety.core.funnel import Funnel
from ninety.core.stage_model import RATIOS, StagePosterior, stage_posteriors

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

VOLUME = "volume"
DEAL_SIZE = "deal_size"
#: Groups smaller than this take the whole call's median as the volume and deal-size reference.
SMALL_GROUP = 3


@dataclass(frozen=True)
class DiagnosisConfig:
    """Thresholds of :func:`diagnose_group` (defaults checked on the simulator by the bench).

    material_ratio : a factor is materially weak below this ratio of its reference.
    focus_certainty : least P(materially weak) for a focus.
    settled : at or below this P(materially weak) a stage is settled as "not weak".
    level : credible level of the intervals.
    deal_cv : coefficient of variation of one deal's value (noise of a rep's average deal
        size); estimate it with :func:`ninety.core.funnel.deal_value_cv`.
    volume_noise : log-sd of a rep's volume beyond Poisson noise (days off, day-to-day swings).
    peer_ratio, peer_certainty : reliably strong at a stage: posterior mean at least
        ``peer_ratio`` × the team's and P(above the team) at least ``peer_certainty``.
    """

    material_ratio: float = 0.8
    focus_certainty: float = 0.35
    settled: float = 0.1
    level: float = 0.9
    deal_cv: float = 0.8
    volume_noise: float = 0.1
    peer_ratio: float = 1.1
    peer_certainty: float = 0.9


@dataclass(frozen=True)
class StageEstimate:
    """One rep's posterior at one stage against the team rate ``group_rate`` (NaN: no one to
    compare with). ``more_tries``: tries that would settle an unsettled stage, else 0."""

    successes: float
    tries: float
    raw_rate: float
    mean: float
    low: float
    high: float
    group_rate: float
    p_below: float
    p_material: float
    p_above: float
    more_tries: float = 0.0

    @property
    def comparable(self) -> bool:
        return math.isfinite(self.group_rate)


@dataclass(frozen=True)
class RepDiagnosis:
    """The diagnosis of one rep (index ``rep`` in the arrays passed in).

    ``log_gap == sum(contributions.values()) + benchmark_term + chance`` (up to floating point)
    whenever the result is positive.
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
    #: The fitted distribution of ratios to the team (:data:`ninety.core.stage_model.RATIOS`).
    stage_prior: FloatArray | None = None

    @property
    def focus(self) -> list[str | None]:
        return [r.focus for r in self.reps]


def tries_to_settle(
    rate: ArrayLike,
    tries: ArrayLike,
    material_ratio: float = 0.8,
    certainty: float = 0.9,
    power: float = 0.9,
) -> FloatArray:
    r"""More tries that would tell a rate of ``material_ratio`` × ``rate`` from ``rate``.

    Normal approximation on the log scale: :math:`n = (z_c + z_p)^2 (1-p) / (p \ln^2 r)`
    tries in all (one-sided, ``certainty`` and ``power``), minus the tries already made; at
    least 1, and 0 where ``rate`` is not finite.
    """
    p = np.clip(np.asarray(rate, dtype=np.float64), 1e-6, 1 - 1e-6)
    z = special.ndtri(certainty) + special.ndtri(power)
    need = z**2 * (1 - p) / (p * math.log(material_ratio) ** 2)
    more = np.maximum(np.ceil(need - np.asarray(tries, dtype=np.float64)), 1.0)
    return np.where(np.isfinite(np.asarray(rate, dtype=np.float64)), more, 0.0)


def _group_median(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
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


def _reference_median(values: FloatArray, groups: IntArray) -> FloatArray:
    """Each rep's reference: their group's median, or the whole call's in a group under three."""
    n_groups = int(groups.max()) + 1
    med = _group_median(values, groups, n_groups)[groups]
    small = np.bincount(groups, minlength=n_groups)[groups] < SMALL_GROUP
    return np.where(small, float(np.median(values)), med)


def _normal_shrink(
    y: FloatArray, var: FloatArray, center: FloatArray, has: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Normal-normal shrinkage of ``y`` (sampling variance ``var``) towards ``center``.

    The between-rep variance τ² comes from the median of (y − center)² − var over 0.455 (the
    median of χ²₁: robust to a few extreme reps), floored at 0.1²: a dozen reps can make the
    estimate near zero, and "reps never differ" would hide even a rep at half the team's volume.
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


@dataclass(frozen=True)
class _SizeTerm:
    """A factor modelled as normal on the log scale: posterior mean, sd and the reference."""

    mean: FloatArray
    sd: FloatArray
    ref: FloatArray

    def p_below(self, ratio: float) -> FloatArray:
        return special.ndtr((self.ref + math.log(ratio) - self.mean) / self.sd)


def _volume_term(volume: FloatArray, groups: IntArray, noise: float) -> _SizeTerm:
    """Log volume: sampling variance 1/V + ``noise``² (Poisson plus day-to-day swings)."""
    has = volume > 0
    y = np.log(np.maximum(volume, 0.5))
    centre = _reference_median(y, groups)
    mean, sd = _normal_shrink(y, 1.0 / np.maximum(volume, 0.5) + noise**2, centre, has)
    return _SizeTerm(mean, sd, _reference_median(mean, groups))


def _deal_size_term(
    won_value: FloatArray, won_count: FloatArray, groups: IntArray, deal_cv: float
) -> _SizeTerm:
    """Log average won deal: sampling variance ≈ cv²/wins (delta method); no wins: the
    reference itself (no evidence either way). Zero-value deals count as a tiny positive value,
    so a file without amounts gives equal deal sizes, never NaN."""
    wins = (won_count > 0) & (won_value > 0)
    total_v, total_c = won_value[wins].sum(), won_count[wins].sum()
    org = total_v / total_c if total_c > 0 else 1.0
    y_all = np.where(wins, np.log(np.maximum(won_value, 1e-9) / np.maximum(won_count, 1)), np.nan)
    fill = math.log(org) if org > 0 else 0.0
    centre = _reference_median(np.where(wins, y_all, fill), groups)
    y = np.where(wins, y_all, centre)
    var = max(deal_cv, 0.05) ** 2 / np.maximum(won_count, 1.0)
    mean, sd = _normal_shrink(y, var, centre, wins)
    return _SizeTerm(mean, sd, _reference_median(mean, groups))


def one_weakness(p_stage: ArrayLike, weak_share: float) -> FloatArray:
    r"""P(stage s is the rep's one material weakness), from per-stage posteriors (reps, stages).

    The stage model treats stages independently, each materially weak with prior share π (G's
    mass below the line). A rep's behavior usually has one binding constraint, so the focus
    certainty conditions on *at most one* weak stage, with the same expected number of weak
    stages per rep (prior: none with 1 − Sπ, each stage with π). With per-stage posterior odds
    :math:`o_k = p_k / (1 - p_k)`:

    .. math:: c_s = \frac{(1-π)\, o_s}{(1 - Sπ) + (1-π) \sum_k o_k}

    Stages with no comparison (NaN) count as clean.
    """
    p = np.clip(np.nan_to_num(np.asarray(p_stage, dtype=np.float64), nan=0.0), 0.0, 1 - 1e-12)
    s = p.shape[1] if p.ndim == 2 else 0
    if s == 0:
        return p
    pi = float(np.clip(weak_share, 1e-4, 0.9 / s))
    odds = p / (1.0 - p)
    return (1 - pi) * odds / ((1 - s * pi) + (1 - pi) * odds.sum(axis=1, keepdims=True))


def _focus(
    p_material: FloatArray, p_worse: FloatArray, cfg: DiagnosisConfig
) -> tuple[IntArray, NDArray[np.bool_]]:
    """Index of the most-likely materially weak factor per rep, and whether it is a focus.

    A factor where the rep is more likely above the reference than below (P(worse) < 0.5) is
    never the focus, however uncertain the reference.
    """
    p = np.where(np.nan_to_num(p_worse, nan=0.0) >= 0.5, np.nan_to_num(p_material, nan=0.0), 0.0)
    best = np.argmax(p, axis=1)
    return best, p[np.arange(p.shape[0]), best] >= cfg.focus_certainty


def _gap(
    wv: FloatArray,
    contrib: FloatArray,
    log_typical: FloatArray,
    quota_share: ArrayLike | None,
) -> dict[str, object]:
    """Benchmark, gap and its split into contributions, benchmark term and chance."""
    if quota_share is None:
        benchmark, kind = np.exp(log_typical), "group_median"
    else:
        benchmark, kind = np.asarray(quota_share, dtype=np.float64), "quota"
    with np.errstate(divide="ignore", invalid="ignore"):
        log_gap = np.log(wv) - np.log(benchmark)
        chance = np.log(wv) - (log_typical + contrib.sum(axis=1))
        gap_pct = 100.0 * (wv / benchmark - 1.0)
    return {
        "benchmark": benchmark,
        "kind": kind,
        "log_gap": log_gap,
        "chance": chance,
        "gap_pct": gap_pct,
        "benchmark_term": log_typical - np.log(benchmark),
    }


def _stage_estimates(
    x: FloatArray,
    n: FloatArray,
    post: StagePosterior,
    keys: tuple[str, ...],
    more: FloatArray,
) -> list[dict[str, StageEstimate]]:
    """Every rep's stage estimates (the arrays read as Python floats once, not cell by cell)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(n > 0, x / n, np.nan)
    fields = (x, n, raw, post.mean, post.low, post.high, post.team_rate, post.p_below,
              post.p_material, post.p_above, more)  # fmt: skip
    # (reps, stages, fields) as nested lists: one tuple of fields per rep and stage.
    cells = np.stack([np.asarray(a, dtype=np.float64) for a in fields], axis=-1).tolist()
    return [
        {key: StageEstimate(*cell) for key, cell in zip(keys, row, strict=True)} for row in cells
    ]


def _check_shapes(
    vol: FloatArray, n: FloatArray, x: FloatArray, wv: FloatArray, wc: FloatArray, keys: tuple
) -> None:
    if n.ndim != 2 or x.shape != n.shape or len(keys) != n.shape[1]:
        raise ValueError("tries, successes and stage_keys disagree in shape")
    if vol.shape != (n.shape[0],) or wv.shape != vol.shape or wc.shape != vol.shape:
        raise ValueError("volume, won_value and won_count need one value per rep")
    if np.any(n < 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("counts must be non-negative, successes at most the tries")


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
    size_value: ArrayLike | None = None,
    size_count: ArrayLike | None = None,
    volume_scale: float = 1.0,
    ratio_prior: ArrayLike | None = None,
) -> GroupDiagnosis:
    """Diagnose every rep: gap decomposition, probabilities, focus and peer strength.

    ``volume`` (reps,) first-stage entries; ``tries``/``successes`` (reps, stages) the counts
    each stage is judged on (each stage may come from its own evidence window); ``won_value``/
    ``won_count`` the period's result; ``quota_share`` the quota to date (else the typical rep
    is the benchmark); ``groups`` each rep's team index (0..G-1; ``None``: one team);
    ``size_value``/``size_count`` the wins deal size is judged on (its evidence window; default:
    the period's); ``volume_scale`` turns the volume's window into the result's (result days
    over volume days), so that the typical rep's result is in the result's units.
    ``ratio_prior``: the ratios' distribution G on :data:`ninety.core.stage_model.RATIOS`, known
    or fitted elsewhere, instead of the one fitted on this call (the benchmark's what-if with the
    simulator's own G).
    """
    cfg = config or DiagnosisConfig()
    vol, n, x, wv, wc = (
        np.asarray(a, dtype=np.float64) for a in (volume, tries, successes, won_value, won_count)
    )
    keys = tuple(stage_keys)
    _check_shapes(vol, n, x, wv, wc, keys)
    n_reps = vol.shape[0]
    g = np.zeros(n_reps, np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    factors = (VOLUME, *keys, DEAL_SIZE)
    if n_reps == 0:
        return GroupDiagnosis(kind, factors, keys, "group_median", (), {k: () for k in keys}, cfg)
    prior = None if ratio_prior is None else np.asarray(ratio_prior, dtype=np.float64)
    post = stage_posteriors(
        x, n, g, material_ratio=cfg.material_ratio, level=cfg.level, prior=prior
    )
    volume_t = _volume_term(vol, g, cfg.volume_noise)
    sv = wv if size_value is None else np.asarray(size_value, dtype=np.float64)
    sc = wc if size_count is None else np.asarray(size_count, dtype=np.float64)
    size_t = _deal_size_term(sv, sc, g, cfg.deal_cv)
    t = _terms(post, volume_t, size_t, cfg)
    log_typical = volume_t.ref + math.log(volume_scale) + np.log(t.ref).sum(axis=1) + size_t.ref
    gap = _gap(wv, t.contrib, log_typical, quota_share)
    if quota_share is None:
        # A team that won nothing over the window has no typical result to compare with: its
        # "benchmark" would only be the prior's (every rep −100 %). Say nothing instead.
        silent = np.bincount(g, weights=wv)[g] <= 0
        for k in ("benchmark", "log_gap", "gap_pct", "chance"):
            gap[k] = np.where(silent, np.nan, gap[k])
    f_typ = np.column_stack([np.exp(volume_t.ref), t.ref, np.exp(size_t.ref)])
    f_rep = np.column_stack([np.exp(volume_t.mean), post.mean, np.exp(size_t.mean)])
    contrib_value = shapley_decomposition(f_typ, f_rep)
    best, has_focus = _focus(t.certainty, t.p_worse, cfg)
    pm = np.nan_to_num(post.p_material, nan=0.0)
    unsettled = post.comparable & (pm > cfg.settled) & (pm < cfg.focus_certainty)
    more = np.where(unsettled, tries_to_settle(t.ref, n, cfg.material_ratio), 0.0)
    strong = (post.mean >= cfg.peer_ratio * t.ref) & (
        np.nan_to_num(post.p_above) >= cfg.peer_certainty
    )
    reps = _rep_rows(factors, keys, wv, gap, t, contrib_value, best, has_focus, strong,
                     _stage_estimates(x, n, post, keys, more))  # fmt: skip
    peer = _peer_strength(keys, strong, post.mean / t.ref)
    return GroupDiagnosis(kind, factors, keys, gap["kind"], reps, peer, cfg, post.prior)


@dataclass(frozen=True)
class _Terms:
    """Per rep and factor (volume, stages…, deal size): contribution, P(worse), P(material),
    the focus certainty; and each stage's reference rate."""

    ref: FloatArray
    contrib: FloatArray
    p_worse: FloatArray
    p_material: FloatArray
    certainty: FloatArray


def _terms(
    post: StagePosterior, volume_t: _SizeTerm, size_t: _SizeTerm, cfg: DiagnosisConfig
) -> _Terms:
    ref = np.where(post.comparable, post.team_rate, post.mean)
    contrib = np.column_stack(
        [volume_t.mean - volume_t.ref, np.log(post.mean / ref), size_t.mean - size_t.ref]
    )
    p_worse = np.column_stack([volume_t.p_below(1.0), post.p_below, size_t.p_below(1.0)])
    p_material = np.column_stack(
        [
            volume_t.p_below(cfg.material_ratio),
            post.p_material,
            size_t.p_below(cfg.material_ratio),
        ]
    )
    # The focus certainty: for a stage its P(materially weak), raised to P(it is the rep's one
    # weakness) when the other stages look clean (a rep weak at several keeps each stage's own);
    # for volume and deal size their own P(materially weak).
    certainty = p_material.copy()
    if post.p_material.shape[1]:
        weak_share = float(post.prior[cfg.material_ratio > RATIOS].sum())
        certainty[:, 1:-1] = np.maximum(
            np.nan_to_num(post.p_material, nan=0.0), one_weakness(post.p_material, weak_share)
        )
    return _Terms(ref, contrib, p_worse, p_material, certainty)


def _rep_rows(
    factors: tuple[str, ...],
    keys: tuple[str, ...],
    wv: FloatArray,
    gap: dict[str, object],
    t: _Terms,
    contrib_value: FloatArray,
    best: IntArray,
    has_focus: NDArray[np.bool_],
    strong: NDArray[np.bool_],
    stages: list[dict[str, StageEstimate]],
) -> tuple[RepDiagnosis, ...]:
    """One :class:`RepDiagnosis` per rep, the arrays read as Python floats once."""
    n_reps = wv.shape[0]

    def floats(a: object) -> list:
        return np.broadcast_to(np.asarray(a, dtype=np.float64), (n_reps,)).tolist()

    def rows(a: FloatArray) -> list[dict[str, float]]:
        return [dict(zip(factors, r, strict=True)) for r in np.asarray(a, np.float64).tolist()]

    result, benchmark, gap_pct = floats(wv), floats(gap["benchmark"]), floats(gap["gap_pct"])
    log_gap, term, chance = (
        floats(gap["log_gap"]),
        floats(gap["benchmark_term"]),
        floats(gap["chance"]),
    )
    contrib, contrib_v = rows(t.contrib), rows(contrib_value)
    p_worse, p_material = rows(t.p_worse), rows(t.p_material)
    certainty = t.certainty[np.arange(n_reps), best].tolist()
    focus, strong_l = has_focus.tolist(), strong.tolist()
    return tuple(
        RepDiagnosis(
            rep=i,
            result=result[i],
            benchmark=benchmark[i],
            benchmark_kind=gap["kind"],  # type: ignore[arg-type]
            gap_pct=gap_pct[i],
            log_gap=log_gap[i],
            contributions=contrib[i],
            contributions_value=contrib_v[i],
            benchmark_term=term[i],
            chance=chance[i],
            p_worse=p_worse[i],
            p_material=p_material[i],
            focus=factors[best[i]] if focus[i] else None,
            focus_certainty=certainty[i] if focus[i] else None,
            stages=stages[i],
            strengths=tuple(key for k, key in enumerate(keys) if strong_l[i][k]),
        )
        for i in range(n_reps)
    )


def _peer_strength(
    keys: tuple[str, ...], strong: NDArray[np.bool_], ratio: FloatArray
) -> dict[str, tuple[int, ...]]:
    """Reliably strong reps per stage, strongest first."""
    peer = {}
    for k, key in enumerate(keys):
        idx = np.flatnonzero(strong[:, k])
        peer[key] = tuple(int(i) for i in idx[np.argsort(-ratio[idx, k])])
    return peer


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
