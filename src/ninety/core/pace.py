"""Pace: the projected result of the period, with an interval, against quota.

.. math::
    \\hat R = W + \\sum_{j \\in \\text{open}} v_j\\, P(\\text{win} \\mid s_j)\\,
              P(T \\le a_j + r \\mid T > a_j) + \\lambda\\, p_0\\, \\bar S \\sum_{d} F(e - d)

* W — won so far in the period (period-to-date result);
* open deals j with value :math:`v_j`, stage :math:`s_j` and age :math:`a_j` days;
  :math:`P(\\text{win} \\mid s)` is the rep's *pipeline* win rate at that stage (won over all closed
  deals that reached the stage), shrunk to the group's as in :mod:`ninety.core.shrinkage`;
  :math:`T` is the cycle time of won deals (empirical distribution of the history) and r the
  calendar days left;
* new business: deals the rep opens on each remaining business day d (rate :math:`\\lambda`
  per business day, Gamma-Poisson over the history), won with the rep's first-stage pipeline win
  rate :math:`p_0` and closed by the period end e with probability :math:`F(e - d)`, at the rep's
  average deal size :math:`\\bar S`.

The 80 % interval is Monte Carlo with a fixed seed: a Bernoulli per open deal, a Gamma-Poisson
count of new wins (the rate drawn from its Gamma posterior), and the new wins' total value drawn
as a Gamma with the deals' mean and variance.

Business days use ``numpy.busday_count`` / ``numpy.is_busday`` with the org's holidays.

References
----------
docs/statistics.md (Pace); D. Robinson, *Introduction to Empirical Bayes* (2017), for the
shrinkage of the win rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ninety.core.funnel import day_start, deal_value_cv
from ninety.core.shrinkage import fit_grouped_prior

FloatArray = NDArray[np.float64]
DAY = 86_400


@dataclass(frozen=True)
class PaceResult:
    """Projection of every rep's period result (arrays of the reps' length).

    Attributes
    ----------
    won_to_date : period-to-date result.
    expected_pipeline : expected value won in the period from deals open at ``as_of``.
    expected_new : expected value won in the period from deals not yet opened.
    projected : the median of the Monte Carlo distribution of the period's result: the central
        projection, always inside ``[low, high]``. (The mean, ``won_to_date +
        expected_pipeline + expected_new``, can sit above the upper quantile when the rest of
        the period hinges on a long shot, e.g. a new rep with a 5 % chance of one large deal.)
    low, high : the ``level`` interval (Monte Carlo quantiles of the same draws).
    quota : the period's quota (NaN where none).
    vs_quota_pct : ``100 × (projected / quota − 1)``; low/high likewise.
    level : interval level (0.8).
    """

    won_to_date: FloatArray
    expected_pipeline: FloatArray
    expected_new: FloatArray
    projected: FloatArray
    low: FloatArray
    high: FloatArray
    quota: FloatArray
    vs_quota_pct: FloatArray
    low_vs_quota_pct: FloatArray
    high_vs_quota_pct: FloatArray
    level: float


def pipeline_win_rates(
    owner: ArrayLike,
    stage_reached: ArrayLike,
    won: ArrayLike,
    n_reps: int,
    n_stages: int,
    groups: ArrayLike | None = None,
) -> FloatArray:
    """Shrunken P(win | deal reached stage s) per rep, from closed deals.

    For stage s the tries are the rep's closed deals that reached stage s (``stage_reached >= s``)
    and the successes the won ones; each column is shrunk with :func:`fit_grouped_prior`.

    Returns
    -------
    ndarray, shape (n_reps, n_stages)
    """
    o = np.asarray(owner, dtype=np.int64)
    s = np.asarray(stage_reached, dtype=np.int64)
    w = np.asarray(won, dtype=bool)
    g = np.zeros(n_reps, np.int64) if groups is None else np.asarray(groups, np.int64)
    out = np.empty((n_reps, n_stages))
    fitted: dict[bytes, FloatArray] = {}
    for k in range(n_stages):
        reached = s >= k
        n = np.bincount(o[reached], minlength=n_reps).astype(float)
        x = np.bincount(o[reached & w], minlength=n_reps).astype(float)
        # Stages no deal is recorded at past the first (an activity org's deals) have the same
        # counts as the next one: the same fit, done once.
        key = x.tobytes() + n.tobytes()
        if key not in fitted:
            prior = fit_grouped_prior(x, n, g)
            fitted[key] = (prior.alpha + x) / (prior.alpha + prior.beta + n)
        out[:, k] = fitted[key]
    return out


def close_probability(
    age_days: ArrayLike, remaining_days: float, cycle_days: ArrayLike
) -> FloatArray:
    r"""P(T ≤ a + r | T > a) from the empirical cycle-time distribution of won deals.

    .. math:: P = 1 - S(a + r) / S(a), \qquad S(t) = \#\{T_i > t\} / N

    A deal older than every past won deal (:math:`S(a) = 0`) gets 0: stale deals are not
    counted on.
    """
    t = np.sort(np.asarray(cycle_days, dtype=np.float64))
    a = np.asarray(age_days, dtype=np.float64)
    if t.size == 0:
        return np.zeros_like(a)
    n = t.size
    s_a = (n - np.searchsorted(t, a, side="right")) / n
    s_ar = (n - np.searchsorted(t, a + remaining_days, side="right")) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s_a > 0, 1.0 - s_ar / s_a, 0.0)


def _new_deal_close_weight(
    as_of: date, period_end: date, cycle_days: FloatArray, holidays: ArrayLike | None
) -> tuple[float, int]:
    """Σ over the remaining business days d of F(e − d), and the number of those days."""
    start = np.datetime64(as_of + timedelta(days=1), "D")
    end = np.datetime64(period_end, "D")  # exclusive
    hol = np.asarray([] if holidays is None else holidays, dtype="datetime64[D]")
    n_days = int(np.busday_count(start, end, holidays=hol)) if end > start else 0
    if n_days == 0 or cycle_days.size == 0:
        return 0.0, n_days
    days = np.arange(start, end)
    days = days[np.is_busday(days, holidays=hol)]
    left = (end - days).astype(np.float64)  # calendar days from opening to period end
    t = np.sort(cycle_days)
    return float(np.sum(np.searchsorted(t, left, side="right") / t.size)), n_days


def _interval(totals: FloatArray, level: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Lower bound, median and upper bound of each column of Monte Carlo draws.

    Equal-tailed, except where the draws have an atom at the lower bound: the result so far
    when no further deal may close (late in the period that is most reps). There the lower
    bound is the atom and the upper bound is the quantile at P(below the atom) + ``level``,
    so that the interval holds ``level`` of the draws rather than up to ``level`` + the atom's
    mass (an 80 % interval that covers 90 % is too wide to be useful). Quantiles are the
    inverted-CDF ones (draws themselves).
    """
    srt = np.sort(totals, axis=0)
    n = srt.shape[0]

    def at(q: FloatArray | float) -> FloatArray:
        idx = np.clip(np.ceil(np.asarray(q) * n).astype(np.int64) - 1, 0, n - 1)
        idx = np.broadcast_to(idx, (srt.shape[1],))
        return np.take_along_axis(srt, idx[None, :], axis=0)[0]

    tail = (1.0 - level) / 2.0
    low = at(tail)
    below = np.mean(srt < low[None, :], axis=0)
    high = at(np.minimum(below + level, 1.0))
    return low, at(0.5), high


def _opening_rate_posterior(
    new_deals: FloatArray, exposure: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Gamma(a, b) posterior of each rep's deals opened per business day.

    The Gamma(a₀, b₀) prior comes from the moments over the reps with exposure, weighted by it
    (a ten-day rep is a noisy rate), less the Poisson noise; weak when reps barely differ.
    """
    seen = exposure > 0
    if seen.any():
        rate = new_deals[seen] / exposure[seen]
        wts = exposure[seen] / exposure[seen].sum()
        m = float(np.sum(wts * rate))
        v = float(np.sum(wts * (rate - m) ** 2))
        noise = m / float(np.mean(exposure[seen]))
    else:
        m, v, noise = 0.0, 0.0, 0.0
    b0 = m / (v - noise) if v > noise else 1.0  # in business days
    b0 = float(np.clip(b0, 1e-3, 1e3))
    return m * b0 + new_deals, b0 + exposure


def _monte_carlo_totals(
    rng: np.random.Generator,
    n_draws: int,
    won: FloatArray,
    owner: NDArray[np.int64],
    value: FloatArray,
    p_deal: FloatArray,
    a_post: FloatArray,
    b_post: FloatArray,
    p0: FloatArray,
    weight: float,
    size: FloatArray,
    deal_cv: float,
) -> FloatArray:
    """Draws of each rep's period result [draws, reps]: a Bernoulli per open deal, a
    Gamma-Poisson count of new wins and their value; in chunks of draws to bound memory."""
    n_reps = won.shape[0]
    # A deal that cannot win in the period adds nothing to any draw: not drawn.
    can_win = p_deal > 0
    owner, value, p_deal = owner[can_win], value[can_win], p_deal[can_win]
    order = np.argsort(owner, kind="stable")
    o_sorted, v_sorted = owner[order], value[order]
    # Single-precision uniforms: half the cost of double ones, and a win probability is not
    # known to better than 1e-7 anyway.
    p_sorted = p_deal[order].astype(np.float32)
    bounds = np.searchsorted(o_sorted, np.arange(n_reps + 1))
    # Each rep's open deals are one run of the sorted deals: summed per run (reduceat), reps
    # without an open deal left at 0 (reduceat cannot take an empty run).
    has_deals = np.diff(bounds) > 0
    runs = bounds[:-1][has_deals]
    # Floored: deals all of one value (CV 0) would divide by zero in the Gamma's shape.
    c2 = max(deal_cv, 0.05) ** 2
    # Late in the period no new deal can open and close in time (weight 0): no draws for it.
    new_rate = p0 * weight
    new_business = bool(np.any((new_rate > 0) & (a_post > 0)))
    totals = np.empty((n_draws, n_reps))
    chunk = 256
    for c0 in range(0, n_draws, chunk):
        d = min(chunk, n_draws - c0)
        part = totals[c0 : c0 + d]
        part[:] = won
        if runs.size:
            wins = rng.random((d, p_sorted.size), dtype=np.float32) < p_sorted
            part[:, has_deals] += np.add.reduceat(wins * v_sorted, runs, axis=1)
        if new_business:
            k = rng.poisson(rng.gamma(a_post, 1.0 / b_post, (d, n_reps)) * new_rate)
            # Sum of k log-normal deal values ≈ Gamma with the same mean and variance; drawn
            # only where a deal was won (most draws win none).
            hit = k > 0
            scale = np.broadcast_to(size * c2, k.shape)[hit]
            part[hit] += rng.gamma(k[hit] / c2, scale)
    return totals


def project_pace(
    *,
    as_of: date,
    period_end: date,
    won_to_date: ArrayLike,
    quota: ArrayLike,
    open_owner: ArrayLike,
    open_value: ArrayLike,
    open_stage: ArrayLike,
    open_age_days: ArrayLike,
    win_rates: ArrayLike,
    cycle_days: ArrayLike,
    new_deals: ArrayLike,
    new_exposure_bdays: float | ArrayLike,
    deal_size: ArrayLike,
    deal_cv: float = 0.8,
    holidays: ArrayLike | None = None,
    level: float = 0.8,
    n_draws: int = 2000,
    seed: int = 20240901,
) -> PaceResult:
    """Project each rep's period result with an interval (see the module docstring).

    Parameters
    ----------
    as_of : date
        The last day with data (inclusive); the projection covers the days after it.
    period_end : date
        First day after the period (exclusive end).
    won_to_date, quota : array (reps,)
        Result so far and the period's quota (NaN where none).
    open_owner, open_value, open_stage, open_age_days : array (deals,)
        Deals open at ``as_of``: owner index, value, stage index, age in days.
    win_rates : array (reps, stages)
        P(win | stage) per rep, e.g. from :func:`pipeline_win_rates`.
    cycle_days : array
        Cycle times (opened → won, days) of past won deals.
    new_deals : array (reps,)
        Deals the rep opened over the last ``new_exposure_bdays`` business days (run rate).
    new_exposure_bdays : float or array (reps,)
        Business days of that look-back window (per rep: a rep hired within the window has
        been opening deals for fewer days; 0 means no data, the group's rate is used).
    deal_size : array (reps,)
        The rep's average won deal value (shrunk; the group's for a rep without wins).
    deal_cv : float
        Coefficient of variation of one deal's value (spread of a new win's value).
    holidays : array of dates, optional
        Non-business days on top of weekends.
    level : float
        Interval level (0.8).
    n_draws : int
        Monte Carlo draws; ``seed`` fixes them.
    """
    won = np.asarray(won_to_date, dtype=np.float64)
    n_reps = won.shape[0]
    q = np.asarray(quota, dtype=np.float64)
    # A zero or negative quota is no quota: no percentage (not ±infinity).
    q = np.where(q > 0, q, np.nan)
    owner = np.asarray(open_owner, dtype=np.int64)
    value = np.asarray(open_value, dtype=np.float64)
    stage = np.asarray(open_stage, dtype=np.int64)
    age = np.asarray(open_age_days, dtype=np.float64)
    wr = np.asarray(win_rates, dtype=np.float64)
    cyc = np.asarray(cycle_days, dtype=np.float64)
    size = np.asarray(deal_size, dtype=np.float64)
    remaining = float((period_end - as_of).days - 1)  # calendar days after as_of

    # Open pipeline: P(win in period) per deal.
    p_close = close_probability(age, remaining, cyc) if remaining > 0 else np.zeros_like(age)
    p_deal = wr[owner, np.clip(stage, 0, wr.shape[1] - 1)] * p_close
    exp_pipe = np.bincount(owner, weights=value * p_deal, minlength=n_reps)

    # New business: Gamma posterior of the opening rate, won at the first stage's rate and
    # closed by the period end with the cycle-time weight.
    weight, _ = _new_deal_close_weight(as_of, period_end, cyc, holidays)
    nd = np.asarray(new_deals, dtype=np.float64)
    expo = np.broadcast_to(np.asarray(new_exposure_bdays, dtype=np.float64), nd.shape)
    a_post, b_post = _opening_rate_posterior(nd, expo)
    p0 = wr[:, 0]
    exp_new = a_post / b_post * p0 * weight * size

    if weight <= 0 and not np.any(p_deal > 0):
        # Nothing can still be won in the period (no open deal can close, no new deal open and
        # close): every draw would be the result so far, so the draws are not made.
        low, projected, high = won.copy(), won.copy(), won.copy()
    else:
        totals = _monte_carlo_totals(
            np.random.default_rng(seed), n_draws, won, owner, value, p_deal,
            a_post, b_post, p0, weight, size, deal_cv,
        )  # fmt: skip
        low, projected, high = _interval(totals, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * (projected / q - 1.0)
        low_pct = 100.0 * (low / q - 1.0)
        high_pct = 100.0 * (high / q - 1.0)
    return PaceResult(
        won_to_date=won,
        expected_pipeline=exp_pipe,
        expected_new=exp_new,
        projected=projected,
        low=low,
        high=high,
        quota=q,
        vs_quota_pct=pct,
        low_vs_quota_pct=low_pct,
        high_vs_quota_pct=high_pct,
        level=level,
    )


def _run_rate(
    owner: NDArray[np.int64],
    opened: NDArray[np.int64],
    n_reps: int,
    as_of: date,
    t_end: int,
    lookback_bdays: int,
    holidays: NDArray[np.datetime64],
) -> tuple[FloatArray, FloatArray]:
    """Deals each rep opened over the look-back window of business days, and the business days
    they were exposed: from the later of the window's start and the rep's first deal."""
    lb_start = np.busday_offset(
        np.datetime64(as_of, "D"), -lookback_bdays, roll="backward", holidays=holidays
    )
    lb_ts = day_start(lb_start.astype(object))
    recent = (opened >= lb_ts) & (opened < t_end)
    new_deals = np.bincount(owner[recent], minlength=n_reps).astype(float)
    seen = opened < t_end
    first = np.full(n_reps, np.iinfo(np.int64).max)
    np.minimum.at(first, owner[seen], opened[seen])
    has = first < np.iinfo(np.int64).max
    first_day = np.where(has, first // DAY, 0).astype("datetime64[D]")
    begin = np.maximum(first_day, lb_start)
    last = np.datetime64(as_of, "D") + 1
    exposure = np.where(has, np.busday_count(begin, last, holidays=holidays), 0).astype(float)
    return new_deals, exposure


def _deal_sizes(
    won_owner: NDArray[np.int64], won_value: FloatArray, n_reps: int, groups: ArrayLike | None
) -> FloatArray:
    """Average won deal size per rep, shrunk to the group's (the org's for a group without a
    win) with two deals' weight."""
    wv = np.bincount(won_owner, weights=won_value, minlength=n_reps)
    wc = np.bincount(won_owner, minlength=n_reps).astype(float)
    g = np.zeros(n_reps, np.int64) if groups is None else np.asarray(groups, np.int64)
    gsize = np.bincount(g, weights=wv) / np.maximum(np.bincount(g, weights=wc), 1)
    org_size = wv.sum() / max(wc.sum(), 1)
    gsize = np.where(gsize > 0, gsize, org_size)
    return (wv + 2.0 * gsize[g]) / (wc + 2.0)


def pace_from_deals(
    *,
    owner: ArrayLike,
    value: ArrayLike,
    opened: ArrayLike,
    closed: ArrayLike,
    status: ArrayLike,
    stage: ArrayLike,
    n_reps: int,
    as_of: date,
    period_start: date,
    period_end: date,
    quota: ArrayLike,
    groups: ArrayLike | None = None,
    holidays: ArrayLike | None = None,
    lookback_bdays: int = 60,
    n_stages: int = 5,
    deal_cv: float | None = None,
    n_draws: int = 2000,
    seed: int = 20240901,
) -> PaceResult:
    """:func:`project_pace` from raw deal arrays, as they stood at the end of ``as_of``.

    Everything is aggregated with ``np.bincount`` (no loop over deals). A deal is open at
    ``as_of`` when opened before its end and not closed by then; ``stage`` should be the deal's
    stage *at* ``as_of`` (a backtest must not use the final stage of a deal that later moved).

    Parameters
    ----------
    owner, value, opened, closed, status, stage : array_like, one entry per deal
        ``opened``/``closed`` epoch seconds UTC (``closed`` −1 when open), ``status`` 0 open,
        1 won, 2 lost; ``stage`` the stage index reached.
    n_reps : int
        Length of the per-rep arrays (owners are ``0 .. n_reps-1``).
    as_of, period_start, period_end : date
        Last day with data (inclusive), first day of the period, first day after it.
    quota : array (n_reps,)
        The period's quota.
    groups : array of int (n_reps,), optional
        Comparison group of each rep for the shrinkage of win rates.
    lookback_bdays : int
        Business days of history for the new-deal run rate. A rep whose first deal was opened
        within the window is measured from that day (a new hire's run rate is not diluted by
        the weeks before they started); a rep with no deal at all gets the group's rate.
    deal_cv : float, optional
        Spread of one deal's value within a rep; by default estimated from the deals won by
        ``as_of`` (:func:`ninety.core.funnel.deal_value_cv`).
    """
    o = np.asarray(owner, dtype=np.int64)
    v = np.asarray(value, dtype=np.float64)
    op = np.asarray(opened, dtype=np.int64)
    cl = np.asarray(closed, dtype=np.int64)
    st = np.asarray(status, dtype=np.int64)
    sg = np.asarray(stage, dtype=np.int64)
    t_end = day_start(as_of + timedelta(days=1))
    t_start = day_start(period_start)
    hol = np.asarray([] if holidays is None else holidays, dtype="datetime64[D]")

    closed_by = (st != 0) & (cl >= 0) & (cl < t_end)
    won_by = closed_by & (st == 1)
    is_open = (op < t_end) & ~closed_by
    won_to_date = np.bincount(
        o[won_by & (cl >= t_start)], weights=v[won_by & (cl >= t_start)], minlength=n_reps
    )
    # Closed deals' stage reached: won deals reached every stage.
    reached = np.where(st == 1, n_stages - 1, sg)
    win_rates = pipeline_win_rates(
        o[closed_by], reached[closed_by], st[closed_by] == 1, n_reps, n_stages, groups
    )
    cycle = (cl[won_by] - op[won_by]) / DAY
    new_deals, exposure = _run_rate(o, op, n_reps, as_of, t_end, lookback_bdays, hol)
    size = _deal_sizes(o[won_by], v[won_by], n_reps, groups)
    if deal_cv is None:
        deal_cv = deal_value_cv(o[won_by], v[won_by])
    return project_pace(
        as_of=as_of,
        period_end=period_end,
        won_to_date=won_to_date,
        quota=quota,
        open_owner=o[is_open],
        open_value=v[is_open],
        open_stage=sg[is_open],
        open_age_days=(t_end - op[is_open]) / DAY,
        win_rates=win_rates,
        cycle_days=cycle,
        new_deals=new_deals,
        new_exposure_bdays=exposure,
        deal_size=size,
        deal_cv=deal_cv,
        holidays=holidays,
        n_draws=n_draws,
        seed=seed,
    )
