r"""Each rep's rate at a stage, against their team's, with honest uncertainty.

The model (hierarchical, empirical Bayes with the hyper-parameters' uncertainty carried through):

* a rep's true rate at a stage is :math:`\theta_i = \mu_g\, m_i`, the team's rate times the rep's
  ratio to it;
* the ratios :math:`m` come from a distribution G on a fixed lattice of ratios (0.1 to 10),
  learnt from every rep and stage of the call by EM (nonparametric maximum likelihood, Koenker &
  Mizera 2014), *smoothed by a Dirichlet prior* of ``PSEUDO_CELLS`` pseudo-observations drawn from
  a base G0 (75 % typical reps, log-normal around 1 with sd 0.08; 25 % spread evenly, in log,
  over 1/3 to 3). G therefore never collapses onto "every rep alike": with a few reps it stays
  close to G0, with thousands it follows the data;
* the team's rate :math:`\mu_g` is not taken as known. For rep i it is estimated from the
  *other* reps of the team (leave-one-out: a weak rep does not pull their own benchmark down),
  with the sampling noise of their pooled tries and the spread of their own ratios, combined with
  the org-wide rate through the spread between teams (normal on the log scale); a rep without
  team mates is compared with the org. Its uncertainty is integrated by Gauss–Hermite quadrature.

The posterior of :math:`m_i` on the lattice is exact under this model (binomial likelihood), so
the interval of :math:`\theta_i` carries the prior's, the team rate's and the rep's own
uncertainty: 0 of 2 tries gives an interval nearly as wide as G itself, never a point.

Outputs per rep: posterior mean and equal-tailed interval of the rate, the team rate used,
P(below the team), P(materially below: ratio < ``material_ratio``) and P(above).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Ratios to the team's rate the model can represent (log steps of 0.05 from 0.1 to 10; 1.0
#: included exactly).
RATIOS: FloatArray = np.exp(0.05 * np.arange(-46, 47))
#: Cells the EM for G reads at most (evenly spaced over the call's cells).
MAX_EM_CELLS = 1500
#: Weight of the base distribution G0 in the fitted G, in pseudo-observations.
PSEUDO_CELLS = 15.0
#: G0: share of typical reps and their log-sd around the team's rate. 0.75 rather than 0.85: with
#: ~30 reps a region, 0.85 pulled the fitted tail too thin (the certainty under-stated, fewer
#: weak stages found); chosen on simulator seeds 1-3, confirmed on the bench's seeds 7-9. 0.7
#: found as many but let P(below) rise with successes in two-rep teams (a test pins that).
BASE_TYPICAL, BASE_SD = 0.75, 0.08
#: Refits of G0's typical width from the data, and the range that width may take.
TYPICAL_REFITS, TYPICAL_SD_RANGE = 1, (0.03, 0.2)
#: G0's tail spans ratios from 1/TAIL_SPAN to TAIL_SPAN (a third to three times the team's).
TAIL_SPAN = 3.0
#: Between-team log-sd assumed before any team is seen, and its weight in pseudo-teams.
BETWEEN_PRIOR_SD, BETWEEN_PRIOR_TEAMS = 0.10, 4.0
#: Highest rate a rep can have (a stage converting every single try is not a rate model).
MAX_RATE = 0.995
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(5)
_GH_W = _GH_W / _GH_W.sum()
_LOG_GH_W, _LOG_RATIOS, _LOG_MAX_RATE = np.log(_GH_W), np.log(RATIOS), float(np.log(MAX_RATE))


def base_prior(typical_sd: float = BASE_SD) -> FloatArray:
    """G0 on :data:`RATIOS`: mostly typical reps near 1; a tail flat (in log) over the plausible
    ratios ``1/TAIL_SPAN .. TAIL_SPAN``; a whisper of mass everywhere else on the lattice."""
    lr = np.log(RATIOS)
    typical = np.exp(-0.5 * (lr / typical_sd) ** 2)
    tail = (np.abs(lr) <= np.log(TAIL_SPAN)).astype(np.float64)
    g0 = (
        BASE_TYPICAL * typical / typical.sum()
        + (1 - BASE_TYPICAL) * tail / tail.sum()
        + 1e-4 / RATIOS.size
    )
    return g0 / g0.sum()


@dataclass(frozen=True)
class StagePosterior:
    """Posteriors of many reps at several stages (arrays shaped (reps, stages)).

    ``team_rate`` is the centre of the team reference a rep is compared with (NaN when nobody
    can be compared with: no other rep in the call tried the stage).
    """

    mean: FloatArray
    low: FloatArray
    high: FloatArray
    team_rate: FloatArray
    p_below: FloatArray
    p_material: FloatArray
    p_above: FloatArray
    log_ratio: FloatArray
    prior: FloatArray

    @property
    def comparable(self) -> NDArray[np.bool_]:
        return np.isfinite(self.team_rate)


def typical_spread(g: FloatArray) -> float:
    """Log-variance of a typical rep's ratio under G, robustly: (median |ln m| / 0.6745)².

    The weak and strong tails of G are not how much a typical team mate differs from the team;
    counting them would make every team reference look far less certain than it is.
    """
    lr = np.abs(np.log(RATIOS))
    order = np.argsort(lr)
    cum = np.cumsum(g[order])
    mad = float(lr[order][np.searchsorted(cum, 0.5 * cum[-1])])
    return max(mad / 0.6745, 0.02) ** 2


def _group_sums(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Sum of ``values`` (reps, stages) per group → (groups, stages)."""
    return (
        np.stack(
            [
                np.bincount(groups, weights=values[:, k], minlength=n_groups)
                for k in range(values.shape[1])
            ],
            axis=1,
        )
        if values.shape[1]
        else np.zeros((n_groups, 0))
    )


def team_reference(
    x: FloatArray,
    n: FloatArray,
    groups: IntArray,
    spread: float,
    weight: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Log team rate each rep is compared with, and its variance (reps, stages).

    Leave-one-out: the rep's team mates' pooled rate, whose variance is the binomial noise of
    their tries plus the spread of their own ratios (``spread``, the log-variance of G) weighted
    by how their tries are shared out; combined, through the between-team spread, with the rate
    of the rest of the call. One team alone: the mates only. No mates: the rest of the call,
    widened by the between-team spread. Nobody else tried the stage: NaN.

    ``weight`` (each rep's probability of being typical at the stage) pools the mates weighted
    by it, so a weak or a strong mate hardly moves the yardstick of a typical rep.
    """
    n_groups = int(groups.max()) + 1
    if weight is not None:
        # Floored at one half: a mate who looks atypical still counts, so the yardstick never
        # swings on one mate's reading (and stays monotone in the rep's own counts).
        w = 0.5 + 0.5 * np.clip(np.nan_to_num(weight, nan=1.0), 0.0, 1.0)
        x, n_eff = x * w, n * w
    else:
        n_eff = n
    gx, gn = _group_sums(x, groups, n_groups), _group_sums(n_eff, groups, n_groups)
    gn2 = _group_sums(n_eff**2, groups, n_groups)
    mx, mn = gx[groups] - x, gn[groups] - n_eff  # the mates
    mn2 = gn2[groups] - n_eff**2
    tot_x, tot_n = x.sum(axis=0), n_eff.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_m = (mx + 0.5) / (mn + 1.0)
        l_m = np.log(p_m)
        v_m = (1 - p_m) / (p_m * np.maximum(mn, 1.0)) + spread * mn2 / np.maximum(mn, 1.0) ** 2
        # Groups' own log rates, for the spread between teams.
        p_g = (gx + 0.5) / (gn + 1.0)
        l_g = np.log(p_g)
        v_g = (1 - p_g) / (p_g * np.maximum(gn, 1.0)) + spread * gn2 / np.maximum(gn, 1.0) ** 2
    has_g = gn > 0
    n_teams = has_g.sum(axis=0)
    # Teams of one say nothing about how teams differ (their rate is one rep's): left out.
    reps_with_tries = _group_sums((n > 0).astype(np.float64), groups, n_groups)
    has_g = has_g & (reps_with_tries >= 2)
    between = np.empty(x.shape[1])
    for k in range(x.shape[1]):
        h = has_g[:, k]
        if h.sum() >= 2:
            w = 1.0 / v_g[h, k]
            centre = np.sum(w * l_g[h, k]) / w.sum()
            excess = max(float(np.mean((l_g[h, k] - centre) ** 2 - v_g[h, k])), 0.0)
        else:
            excess = 0.0
        teams = max(int(h.sum()) - 1, 0)
        between[k] = (teams * excess + BETWEEN_PRIOR_TEAMS * BETWEEN_PRIOR_SD**2) / (
            teams + BETWEEN_PRIOR_TEAMS
        )
    # The rest of the call (everyone but the rep) gives the org-wide centre.
    rest_x, rest_n = tot_x[None, :] - x, tot_n[None, :] - n_eff
    p_o = (rest_x + 0.5) / (rest_n + 1.0)
    l_o = np.log(p_o)
    v_o = (1 - p_o) / (p_o * np.maximum(rest_n, 1.0)) + between[None, :]
    lone_team = (n_teams <= 1)[None, :]
    mates = mn > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(mates, 1.0 / v_m, 0.0) + np.where(lone_team, 0.0, 1.0 / v_o)
        centre = (np.where(mates, l_m / v_m, 0.0) + np.where(lone_team, 0.0, l_o / v_o)) / prec
        var = 1.0 / prec
    nobody = rest_n <= 0
    nobody |= lone_team & ~mates
    centre = np.where(nobody, np.nan, centre)
    var = np.where(nobody, np.nan, var)
    return centre, var


def _joint_loglik(
    x: FloatArray, n: FloatArray, centre: FloatArray, var: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """log P(x | n, team rate node j, ratio k) + log node weight: (reps, stages, nodes, ratios).

    Also returns the rate of each (node, ratio) atom, same shape.
    """
    sd = np.sqrt(np.nan_to_num(var, nan=0.0))
    lmu = np.nan_to_num(centre, nan=np.log(0.5))[..., None] + sd[..., None] * _GH_Z  # (R,S,J)
    # The log of the rate is the sum of logs: no log of the exp (the largest array here).
    log_rate = np.minimum(lmu[..., None] + _LOG_RATIOS, _LOG_MAX_RATE)  # (R,S,J,K)
    rate = np.exp(log_rate)
    xx, nn = x[..., None, None], n[..., None, None]
    ll = xx * log_rate + (nn - xx) * np.log1p(-rate) + _LOG_GH_W[:, None]
    return ll, rate


def _logsumexp_nodes(joint: FloatArray) -> FloatArray:
    """log Σ exp over the team-rate nodes (axis 2): the terms are always finite here, so the
    plain max-shifted sum does (scipy's general ``logsumexp`` costs several times more)."""
    top = joint.max(axis=2, keepdims=True)
    return np.log(np.exp(joint - top).sum(axis=2)) + top[:, :, 0]


def fit_ratio_prior(
    loglik: FloatArray,
    use: NDArray[np.bool_],
    iterations: int = 100,
    g0: FloatArray | None = None,
    start: FloatArray | None = None,
) -> FloatArray:
    """MAP-EM for G on the lattice with the Dirichlet(PSEUDO_CELLS × G0) prior.

    Each EM step: responsibilities of every (rep, stage) cell, then
    :math:`G \\propto \\sum \\text{resp} + \\text{PSEUDO\\_CELLS}\\, G_0` (the posterior mode of G
    under that Dirichlet prior, up to the −1 of the mode, which we drop to keep G positive).
    """
    g0 = base_prior() if g0 is None else g0
    rows = loglik[use]
    if rows.shape[0] == 0:
        return g0
    if rows.shape[0] > MAX_EM_CELLS:
        # G is a population quantity: an even spread of cells fits it as well as all of them.
        rows = rows[np.linspace(0, rows.shape[0] - 1, MAX_EM_CELLS).astype(np.int64)]
    lik = np.exp(rows - rows.max(axis=1, keepdims=True))
    pseudo = PSEUDO_CELLS * g0

    def step(g: FloatArray) -> FloatArray:
        # E and M steps: G ← G · Σ_cells lik / (lik · G), plus the pseudo-counts.
        # einsum's own single-threaded loop, not BLAS (on a busy two-core machine a threaded
        # matvec of this size is 20x slower) nor products then sums (twice the passes).
        inv = 1.0 / np.einsum("ck,k->c", lik, g)
        new = g * np.einsum("ck,c->k", lik, inv) + pseudo
        return new / new.sum()

    g = (g0 if start is None else start).copy()
    steps = 0
    while steps < iterations:
        # SQUAREM (Varadhan & Roland 2008): two EM steps give a direction and a step length
        # for one extrapolated jump, then an EM step from it; the same fixed point in a few
        # times fewer steps (EM crawls where G is flat). A jump off the simplex is shortened.
        g1 = step(g)
        steps += 1
        if np.max(np.abs(g1 - g)) < 1e-5:
            return g1
        g2 = step(g1)
        r, v = g1 - g, g2 - 2.0 * g1 + g
        nv = float(np.sqrt(np.sum(v * v)))
        alpha = -float(np.sqrt(np.sum(r * r))) / nv if nv > 0 else -1.0
        alpha = min(alpha, -1.0)
        jump = g - 2.0 * alpha * r + alpha * alpha * v
        while not np.all(jump > 0):
            # Off the simplex: halve the jump's length toward α = −1, which is the EM step g2.
            alpha = 0.5 * (alpha - 1.0)
            if alpha > -1.01:
                jump = g2
                break
            jump = g - 2.0 * alpha * r + alpha * alpha * v
        nxt = step(jump / jump.sum())
        steps += 2
        done = np.max(np.abs(nxt - g2)) < 1e-5 and np.max(np.abs(g2 - g1)) < 1e-5
        g = nxt
        if done:
            break
    return g


def _atom_quantile(atoms: FloatArray, cum: FloatArray, q: float) -> FloatArray:
    """Quantile of a discrete distribution (sorted atoms, cumulative weights), interpolated on
    the log scale between neighbouring atoms so the lattice does not show as steps."""
    last = atoms.shape[-1] - 1
    idx = np.clip((cum < q).sum(axis=-1), 1, last)
    c0 = np.take_along_axis(cum, (idx - 1)[..., None], -1)[..., 0]
    c1 = np.take_along_axis(cum, idx[..., None], -1)[..., 0]
    a0 = np.log(np.take_along_axis(atoms, (idx - 1)[..., None], -1)[..., 0])
    a1 = np.log(np.take_along_axis(atoms, idx[..., None], -1)[..., 0])
    t = np.clip((q - c0) / np.maximum(c1 - c0, 1e-12), 0.0, 1.0)
    return np.exp(a0 + t * (a1 - a0))


def fit_prior(
    x: FloatArray, n: FloatArray, g: IntArray, base: FloatArray | None = None
) -> FloatArray:
    """G for a call: the first-pass references, EM, then G0's typical width refitted from the
    data (``TYPICAL_REFITS`` times).

    ``base``: a G learnt on a wider population (e.g. the whole org, for one region's call) used
    as G0 instead of the parametric one, and not refitted: the call's G is pulled toward it.
    """
    return _fit_prior(x, n, g, base)[0]


def _fit_prior(
    x: FloatArray, n: FloatArray, g: IntArray, base: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """:func:`fit_prior`, with the first pass's joint log-likelihood (reused for P(typical))."""
    centre, var = team_reference(x, n, g, typical_spread(base_prior() if base is None else base))
    joint, _ = _joint_loglik(x, n, centre, var)
    use = (n > 0) & np.isfinite(centre)
    marginal = _logsumexp_nodes(joint)
    if base is not None:
        return fit_ratio_prior(marginal, use, g0=base, start=base), joint
    prior = fit_ratio_prior(marginal, use)
    # Empirical Bayes for the base too: G0's typical width from the data's own typical reps, so a
    # team whose reps cluster tightly is not judged with a prior that says they spread widely.
    for _ in range(TYPICAL_REFITS):
        sd = float(np.clip(np.sqrt(typical_spread(prior)), *TYPICAL_SD_RANGE))
        prior = fit_ratio_prior(marginal, use, g0=base_prior(sd), start=prior)
    return prior, joint


def _reference(
    x: FloatArray, n: FloatArray, g: IntArray, prior: FloatArray, joint: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """The team reference given G: a first pass (``joint``, when the caller has one), then the
    mates pooled by P(typical)."""
    spread = typical_spread(prior)
    centre, var = team_reference(x, n, g, spread)
    # The fit's first pass (``joint``) used G0's spread: reused only where G's is the same.
    if joint is None or not np.isclose(spread, typical_spread(base_prior()), rtol=1e-9, atol=0):
        joint, _ = _joint_loglik(x, n, centre, var)
    lp = joint + np.log(prior)
    wq = np.exp(lp - lp.max(axis=(-2, -1), keepdims=True)).sum(axis=-2)
    typical = ((RATIOS >= 0.8) & (RATIOS <= 1.25)).astype(np.float64)
    p_typical = (wq * typical).sum(-1) / wq.sum(-1)
    # In a small team "typical" has little meaning (each rep is the others' yardstick).
    big = _group_sums((n > 0).astype(np.float64), g, int(g.max()) + 1)[g] >= WEIGHTED_TEAM
    use = (n > 0) & np.isfinite(centre)
    return team_reference(x, n, g, spread, weight=np.where(use & big, p_typical, 1.0))


def _weights(
    x: FloatArray, n: FloatArray, centre: FloatArray, var: FloatArray, prior: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Posterior weight and rate of every (node, ratio) atom: (reps, stages, nodes, ratios)."""
    joint, rate = _joint_loglik(x, n, centre, var)
    logpost = joint + np.log(prior)
    w = np.exp(logpost - logpost.max(axis=(-2, -1), keepdims=True))
    w /= w.sum(axis=(-2, -1), keepdims=True)
    return w, rate


def _posterior(
    x: FloatArray,
    n: FloatArray,
    g: IntArray,
    prior: FloatArray,
    material_ratio: float,
    level: float,
    only: int | None = None,
    first_joint: FloatArray | None = None,
) -> StagePosterior:
    """Every rep's posterior given G (see the module); ``only``: that rep's row alone."""
    centre, var = _reference(x, n, g, prior, first_joint)
    if only is not None:
        x, n, centre, var = (a[only : only + 1] for a in (x, n, centre, var))
    w, rate = _weights(x, n, centre, var, prior)
    post = w.sum(axis=-2)  # the ratio's posterior
    one = int(np.argmin(np.abs(RATIOS - 1.0)))
    p_below = post[..., :one].sum(-1) + 0.5 * post[..., one]
    p_above = post[..., one + 1 :].sum(-1) + 0.5 * post[..., one]
    p_material = (post * (material_ratio > RATIOS)).sum(-1)
    mean_lr = (post * np.log(RATIOS)).sum(-1)
    # The rate's posterior: atoms node × ratio; quantiles from the sorted atoms.
    shape = (*x.shape, -1)
    atoms, weights = rate.reshape(shape), w.reshape(shape)
    order = np.argsort(atoms, axis=-1, kind="stable")  # runs of sorted atoms: merged fast
    atoms = np.take_along_axis(atoms, order, -1)
    cum = np.cumsum(np.take_along_axis(weights, order, -1), axis=-1)
    tail = (1.0 - level) / 2.0
    low = _atom_quantile(atoms, cum, tail)
    high = _atom_quantile(atoms, cum, 1 - tail)
    mean = (weights * rate.reshape(shape)).sum(-1)
    bad = ~np.isfinite(centre)
    # Without a reference the rate's interval is the rep's own (Jeffreys), nothing compared.
    if bad.any():
        from_x, from_n = x[bad], n[bad]
        low[bad] = special.betaincinv(from_x + 0.5, from_n - from_x + 0.5, tail)
        high[bad] = special.betaincinv(from_x + 0.5, from_n - from_x + 0.5, 1 - tail)
        mean[bad] = (from_x + 0.5) / (from_n + 1.0)
        for arr in (p_below, p_above, p_material, mean_lr):
            arr[bad] = np.nan
    return StagePosterior(
        mean=mean,
        low=low,
        high=high,
        team_rate=np.where(bad, np.nan, np.exp(centre)),
        p_below=p_below,
        p_material=p_material,
        p_above=p_above,
        log_ratio=mean_lr,
        prior=prior,
    )


#: Calls with at most this many reps (the product widens smaller teams to the org, so these are
#: small orgs) fit G once per rep, leaving the rep out: with a handful of
#: reps one rep's own counts would move their prior (and P(below) could rise with a success).
LOO_PRIOR_REPS = 7
#: Teams of at least this many reps pool the mates by P(typical).
WEIGHTED_TEAM = 6


def _prior_without(x: FloatArray, n: FloatArray, g: IntArray, i: int) -> FloatArray:
    """Rep i's G in a small call: fitted on the others alone (their references without rep i)."""
    keep = np.arange(x.shape[0]) != i
    _, g_rest = np.unique(g[keep], return_inverse=True)
    return fit_prior(x[keep], n[keep], g_rest) if keep.any() else base_prior()


def stage_posteriors(
    successes: FloatArray,
    tries: FloatArray,
    groups: IntArray,
    *,
    material_ratio: float = 0.8,
    level: float = 0.9,
    prior: FloatArray | None = None,
) -> StagePosterior:
    """Posterior of every rep's rate at every stage (arrays (reps, stages)); see the module.

    ``prior``: a G fitted elsewhere (e.g. on the whole org) instead of fitting one here.
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(tries, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    if prior is not None:
        return _posterior(x, n, g, prior, material_ratio, level)
    if x.shape[0] > LOO_PRIOR_REPS:
        fitted, joint = _fit_prior(x, n, g)
        return _posterior(x, n, g, fitted, material_ratio, level, first_joint=joint)
    rows = []
    for i in range(x.shape[0]):
        rows.append(_posterior(x, n, g, _prior_without(x, n, g, i), material_ratio, level, only=i))
    pick = {f: np.concatenate([getattr(r, f) for r in rows]) for f in _ROW_FIELDS}
    return StagePosterior(**pick, prior=fit_prior(x, n, g))


_ROW_FIELDS = ("mean", "low", "high", "team_rate", "p_below", "p_material", "p_above", "log_ratio")


#: Half the lattice's log step: each atom stands for the rates within it on the log scale.
_HALF_STEP = 0.025


def _p_at_least(
    x: FloatArray,
    n: FloatArray,
    g: IntArray,
    prior: FloatArray,
    t: FloatArray,
    only: int | None = None,
    first_joint: FloatArray | None = None,
) -> FloatArray:
    centre, var = _reference(x, n, g, prior, first_joint)
    if only is not None:
        x, n, t, centre, var = (a[only : only + 1] for a in (x, n, t, centre, var))
    w, rate = _weights(x, n, centre, var, prior)
    # The share of each atom's cell above the threshold, so P moves smoothly with the target.
    with np.errstate(divide="ignore", invalid="ignore"):
        lt = np.log(t)[..., None, None]
        above = np.clip((np.log(rate) + _HALF_STEP - lt) / (2 * _HALF_STEP), 0.0, 1.0)
    p = (w * above).sum(axis=(-2, -1))
    bad = ~np.isfinite(centre)
    if bad.any():  # nobody to compare with: the rep's own counts (Jeffreys), as _posterior does
        p[bad] = special.betaincc(x[bad] + 0.5, n[bad] - x[bad] + 0.5, np.clip(t[bad], 0, 1))
    return np.where(np.isfinite(t), p, np.nan)


def prob_at_least(
    successes: FloatArray,
    tries: FloatArray,
    groups: IntArray,
    thresholds: FloatArray,
    *,
    prior: FloatArray | None = None,
) -> FloatArray:
    """P(true rate ≥ threshold) for every rep and stage (reps, stages), on the same posterior
    as :func:`stage_posteriors` (same G, same team reference, same leave-one-out prior in small
    calls). A NaN threshold gives NaN. A goal on a stage's rate is judged on this."""
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(tries, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    t = np.asarray(thresholds, dtype=np.float64)
    if t.ndim > 2:  # several thresholds per cell: one posterior, read at each
        return (
            np.stack([prob_at_least(x, n, g, ti, prior=prior) for ti in t])
            if prior is not None
            else _many(x, n, g, t)
        )
    t = np.broadcast_to(t, x.shape).copy()
    if prior is not None:
        return _p_at_least(x, n, g, prior, t)
    if x.shape[0] > LOO_PRIOR_REPS:
        fitted, joint = _fit_prior(x, n, g)
        return _p_at_least(x, n, g, fitted, t, first_joint=joint)
    rows = []
    for i in range(x.shape[0]):
        rows.append(_p_at_least(x, n, g, _prior_without(x, n, g, i), t, only=i))
    return np.concatenate(rows) if rows else np.zeros(x.shape)


def _many(x: FloatArray, n: FloatArray, g: IntArray, t: FloatArray) -> FloatArray:
    """:func:`prob_at_least` at thresholds (k, reps, stages) with G fitted once."""
    if x.shape[0] > LOO_PRIOR_REPS:
        fitted, joint = _fit_prior(x, n, g)
        return np.stack([_p_at_least(x, n, g, fitted, ti, first_joint=joint) for ti in t])
    return np.stack([prob_at_least(x, n, g, ti) for ti in t])
