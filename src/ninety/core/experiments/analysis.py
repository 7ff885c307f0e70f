r"""Behavior experiments: difference in differences with an honest, running verdict.

A leader changes a behavior for some reps (the *subjects*) from a start date and compares them
with a *control* (by default the rest of the team) over the same dates. For each look (each
business day since the start) the core computes

* the **effect**, a difference in differences (DiD) on the log-odds scale for a rate, on the log
  scale for a volume or a deal size:

  .. math::
      \hat\theta = \big[g(S_{\text{after}}) - g(S_{\text{before}})\big]
                 - \big[g(C_{\text{after}}) - g(C_{\text{before}})\big],
      \qquad V = \sum_{\text{4 cells}} \operatorname{Var} g(\cdot),

  with :math:`g = \operatorname{logit}` of :math:`(x + \tfrac12)/(n + 1)` and
  :math:`\operatorname{Var} = 1/(x + \tfrac12) + 1/(n - x + \tfrac12)` (Haldane–Anscombe) for a
  rate; :math:`g = \ln` of the mean per business day with the day-to-day variance for a volume;
  the mean of the log values for a deal size. The interval :math:`\hat\theta \pm z\sqrt V` is at
  ``plan.level`` (90 % by default) and is a *fixed-horizon* interval; the always-valid
  confidence sequence at :math:`1-\alpha` is given beside it.
* a **Bayesian P(improved)**. For a rate, each cell has a Jeffreys Beta(½, ½) prior and a Beta
  posterior; the log-odds of :math:`p \sim \text{Beta}(a, b)` has the exact moments
  :math:`\psi(a) - \psi(b)` and :math:`\psi_1(a) + \psi_1(b)`, and the DiD of four independent
  such terms is treated as normal: :math:`P = \Phi(\mu/\sigma)`. At a rep's counts (a few dozen
  tries per cell or more) each term is already close to normal and the sum of four is closer
  still: the tests check it against Monte Carlo over the Beta posteriors to 0.01. The relative
  lift's delta method is *not* used: at these counts it is poorly calibrated. For a volume or a
  deal size, a flat prior on the log scale gives :math:`P = \Phi(\hat\theta/\sqrt V)`.
* an **always-valid p-value** by the mixture SPRT (:mod:`.sequential`) with the mixture
  variance tuned to the variance expected at the planned end.

Verdict (first rule that applies, at every look):

1. ``collecting data`` while data are short: fewer than ``min_days`` business days since the
   start, or a cell with fewer than ``min_tries`` tries (rates), ``min_deals`` deals (sizes) or
   ``min_days`` days (volumes, before period).
2. ``likely improved``: always-valid p < α **and** P(improved) ≥ ``threshold``.
3. ``likely worse``: always-valid p < α **and** P(improved) ≤ 1 − ``threshold``.
4. ``no detectable change``: the planned end is reached, or the always-valid confidence
   sequence lies inside ±(the practical change), i.e. it excludes every effect of practical size.
5. otherwise ``collecting data``.

Assumptions: parallel trends (without the change, subjects and control would have moved
together on the log-odds/log scale); tries independent given the cell (no day-level
overdispersion for rates — the volume and deal-size variances are empirical).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from ninety.core.dates import day_text
from ninety.core.experiments.sequential import (
    always_valid_p_value,
    confidence_sequence_halfwidth,
    mixture_variance,
)

FloatArray = NDArray[np.float64]
DayLike = dt.date | np.datetime64 | str

COLLECTING = "collecting data"
IMPROVED = "likely improved"
WORSE = "likely worse"
NO_CHANGE = "no detectable change"
#: Verdict names by the integer codes of :func:`verdict_codes`.
VERDICTS: tuple[str, str, str, str] = (COLLECTING, IMPROVED, WORSE, NO_CHANGE)

Metric = Literal["rate", "volume", "size"]


# ----------------------------------------------------------------------------- inputs


def _days(values: Sequence[DayLike] | ArrayLike) -> NDArray[np.datetime64]:
    return np.asarray(values, dtype="datetime64[D]")


def _ints(values: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if np.any(a < 0) or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite and non-negative")
    return a


@dataclass(frozen=True, eq=False)
class RateCounts:
    """Daily counts of a stage conversion (e.g. connect → conversation), one row per business day.

    Attributes
    ----------
    days : ndarray of datetime64[D]
        The business days (before and after the start), in any order; each is a look.
    subject_successes, subject_tries : ndarray
        Summed over the subjects (the reps who changed the behavior).
    control_successes, control_tries : ndarray
        Summed over the control reps.
    """

    days: NDArray[np.datetime64]
    subject_successes: FloatArray
    subject_tries: FloatArray
    control_successes: FloatArray
    control_tries: FloatArray

    @classmethod
    def of(
        cls,
        days: Sequence[DayLike] | ArrayLike,
        subject_successes: ArrayLike,
        subject_tries: ArrayLike,
        control_successes: ArrayLike,
        control_tries: ArrayLike,
    ) -> RateCounts:
        """Validate and build: equal lengths, successes ≤ tries, non-negative counts."""
        d = _days(days)
        xs, ns = (
            _ints(subject_successes, "subject_successes"),
            _ints(subject_tries, "subject_tries"),
        )
        xc, nc = (
            _ints(control_successes, "control_successes"),
            _ints(control_tries, "control_tries"),
        )
        if not len(d) == len(xs) == len(ns) == len(xc) == len(nc):
            raise ValueError("days and the four count columns must have the same length")
        for x, n, who in ((xs, ns, "subject"), (xc, nc, "control")):
            bad = np.flatnonzero(x > n)
            if bad.size:
                raise ValueError(f"{who} successes exceed tries on {d[bad[0]]}")
        order = np.argsort(d, kind="stable")
        return cls(d[order], xs[order], ns[order], xc[order], nc[order])


@dataclass(frozen=True, eq=False)
class VolumeCounts:
    """Activity counts per business day (e.g. connects), summed over subjects and over control.

    Keep the number of reps in each group constant over the experiment: the log ratio then
    cancels the group sizes.
    """

    days: NDArray[np.datetime64]
    subject: FloatArray
    control: FloatArray

    @classmethod
    def of(
        cls, days: Sequence[DayLike] | ArrayLike, subject: ArrayLike, control: ArrayLike
    ) -> VolumeCounts:
        """Validate and build: equal lengths, non-negative counts."""
        d = _days(days)
        s, c = _ints(subject, "subject"), _ints(control, "control")
        if not len(d) == len(s) == len(c):
            raise ValueError("days, subject and control must have the same length")
        order = np.argsort(d, kind="stable")
        return cls(d[order], s[order], c[order])


@dataclass(frozen=True, eq=False)
class DealSizes:
    """Won deal values with their close days, for the subjects and for the control."""

    subject_days: NDArray[np.datetime64]
    subject_values: FloatArray
    control_days: NDArray[np.datetime64]
    control_values: FloatArray

    @classmethod
    def of(
        cls,
        subject_days: Sequence[DayLike] | ArrayLike,
        subject_values: ArrayLike,
        control_days: Sequence[DayLike] | ArrayLike,
        control_values: ArrayLike,
    ) -> DealSizes:
        """Validate and build: values strictly positive, one day per value."""
        sd, cd = _days(subject_days), _days(control_days)
        sv = np.asarray(subject_values, dtype=np.float64)
        cv = np.asarray(control_values, dtype=np.float64)
        if len(sd) != len(sv) or len(cd) != len(cv):
            raise ValueError("each deal value needs its close day")
        if np.any(~(sv > 0)) or np.any(~(cv > 0)):
            raise ValueError("deal values must be positive (sizes are compared on logs)")
        so, co = np.argsort(sd, kind="stable"), np.argsort(cd, kind="stable")
        return cls(sd[so], sv[so], cd[co], cv[co])


@dataclass(frozen=True)
class ExperimentPlan:
    """What the leader decided before looking, and the decision rules.

    Attributes
    ----------
    start : datetime.date
        First business day with the new behavior.
    planned_end : datetime.date or None
        Last planned business day. When reached without a conclusion: ``no detectable change``.
    label : str
        The metric in the leader's words: ``"connect→conversation"``, ``"connects per day"``,
        ``"deal size"``.
    unit : str
        Prefix for deal sizes (``"$"``) or suffix noun for tries in messages.
    alpha : float
        Two-sided level of the always-valid test (0.05).
    level : float
        Level of the reported fixed-horizon interval (0.90).
    threshold : float
        P(improved) needed for ``likely improved`` (and 1 − threshold for ``likely worse``).
    practical_change : float
        Smallest relative change that matters (0.10 = 10 %); drives ``no detectable change``.
    min_days, min_tries, min_deals : int
        Minimum data before any verdict other than ``collecting data``.
    expected_days : int
        Business days to the decision when there is no planned end (tunes the mixture).
    control_label : str
        How the control is named in sentences.
    """

    start: dt.date
    planned_end: dt.date | None = None
    label: str = "conversion"
    unit: str = ""
    alpha: float = 0.05
    level: float = 0.90
    threshold: float = 0.95
    practical_change: float = 0.10
    min_days: int = 5
    min_tries: int = 30
    min_deals: int = 5
    expected_days: int = 40
    control_label: str = "rest of the team"

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 0.5:
            raise ValueError("alpha must be in (0, 0.5)")
        if not 0 < self.level < 1 or not 0.5 < self.threshold < 1:
            raise ValueError("level must be in (0, 1) and threshold in (0.5, 1)")
        if self.planned_end is not None and self.planned_end < self.start:
            raise ValueError("planned_end is before start")
        if self.practical_change <= 0 or self.expected_days < 1:
            raise ValueError("practical_change and expected_days must be positive")

    def decision_days(self) -> int:
        """Business days from the start to the planned end (inclusive), else ``expected_days``."""
        if self.planned_end is None:
            return self.expected_days
        end = np.datetime64(self.planned_end, "D") + 1
        return max(int(np.busday_count(np.datetime64(self.start, "D"), end)), 1)


# ----------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Look:
    """The analysis as it stood at the end of one business day (one point of the chart).

    ``effect``, ``low``/``high`` (fixed-horizon interval at ``plan.level``) and
    ``seq_low``/``seq_high`` (always-valid at 1 − α) are on the analysis scale (log-odds or log);
    ``p_value`` is the always-valid p-value, non-increasing over looks.
    """

    day: dt.date
    days_after: int
    effect: float
    low: float
    high: float
    seq_low: float
    seq_high: float
    p_improved: float
    p_value: float
    verdict: str


@dataclass(frozen=True)
class ExperimentResult:
    """The analysis of an experiment at one date, with the verdict in the leader's words.

    Attributes
    ----------
    metric : {"rate", "volume", "size"}
    scale : str
        ``"log-odds"`` for rates, ``"log"`` for volumes and sizes.
    as_of : datetime.date or None
        Date of the last look (None before the first business day after the start).
    days_after : int
        Business days analysed since the start.
    effect : float
        DiD on the analysis scale; ``ratio = exp(effect)`` is an odds ratio (rates) or a
        multiplicative change (volumes, sizes).
    interval : tuple of float
        Fixed-horizon interval at ``level``, analysis scale.
    sequential_interval : tuple of float
        Always-valid confidence sequence at 1 − α, analysis scale.
    p_improved : float
        Bayesian P(effect > 0).
    p_value : float
        Always-valid (mSPRT) p-value.
    fixed_p_value : float
        Naive fixed-horizon p-value of the same DiD (not valid under daily looks; shown for
        comparison only).
    subject_before, subject_after, control_before, control_after : float
        Rates, mean counts per business day, or geometric-mean deal sizes.
    counterfactual : float
        The subjects' level now had they moved like the control.
    n : dict
        Data sizes per cell (tries, days or deals).
    mixture_variance : float
        τ² of the mSPRT.
    verdict : str
        One of :data:`VERDICTS`.
    sentence : str
        The verdict in the leader's words.
    """

    metric: Metric
    label: str
    scale: str
    as_of: dt.date | None
    days_after: int
    effect: float
    ratio: float
    interval: tuple[float, float]
    level: float
    sequential_interval: tuple[float, float]
    alpha: float
    p_improved: float
    p_value: float
    fixed_p_value: float
    subject_before: float
    subject_after: float
    control_before: float
    control_after: float
    counterfactual: float
    n: dict[str, int] = field(default_factory=dict)
    mixture_variance: float = float("nan")
    verdict: str = COLLECTING
    sentence: str = ""


# ----------------------------------------------------------------------------- vectorised core


@dataclass(frozen=True, eq=False)
class DidArrays:
    """DiD estimate, its variance and Bayesian P(improved), arrays of any broadcast shape."""

    estimate: FloatArray
    variance: FloatArray
    p_improved: FloatArray


def _logit_cell(x: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    a, b = x + 0.5, n - x + 0.5
    return np.log(a / b), 1.0 / a + 1.0 / b


def rate_did(
    xs_before: ArrayLike,
    ns_before: ArrayLike,
    xc_before: ArrayLike,
    nc_before: ArrayLike,
    xs_after: ArrayLike,
    ns_after: ArrayLike,
    xc_after: ArrayLike,
    nc_after: ArrayLike,
) -> DidArrays:
    r"""DiD on log-odds of four cells (vectorised; any broadcastable shapes).

    .. math::
        \hat\theta = [\ell(x_{SA}, n_{SA}) - \ell(x_{SB}, n_{SB})]
                   - [\ell(x_{CA}, n_{CA}) - \ell(x_{CB}, n_{CB})],\quad
        \ell(x, n) = \ln\frac{x + 1/2}{n - x + 1/2},\quad
        V = \sum \Big(\frac{1}{x + 1/2} + \frac{1}{n - x + 1/2}\Big)

    P(improved) from Jeffreys Beta(½, ½) posteriors per cell, normal on the log-odds DiD with the
    exact log-odds moments :math:`\psi(a) - \psi(b)` and :math:`\psi_1(a) + \psi_1(b)`.
    """
    cells = [
        (np.asarray(x, dtype=np.float64), np.asarray(n, dtype=np.float64), sign)
        for x, n, sign in (
            (xs_after, ns_after, 1.0),
            (xs_before, ns_before, -1.0),
            (xc_after, nc_after, -1.0),
            (xc_before, nc_before, 1.0),
        )
    ]
    est: FloatArray = np.zeros(())
    var: FloatArray = np.zeros(())
    mu: FloatArray = np.zeros(())
    s2: FloatArray = np.zeros(())
    for x, n, sign in cells:
        lo, v = _logit_cell(x, n)
        est = est + sign * lo
        var = var + v
        a, b = x + 0.5, n - x + 0.5
        mu = mu + sign * (special.digamma(a) - special.digamma(b))
        s2 = s2 + special.polygamma(1, a) + special.polygamma(1, b)
    return DidArrays(est, var, special.ndtr(mu / np.sqrt(s2)))


def rate_expected_variance(
    xs_before: ArrayLike,
    ns_before: ArrayLike,
    xc_before: ArrayLike,
    nc_before: ArrayLike,
    days_before: ArrayLike,
    decision_days: ArrayLike,
) -> FloatArray:
    r"""Variance of the log-odds DiD expected at the decision date, from the before period only.

    .. math::
        V_{\text{end}} = V_{SB} + V_{CB} + \sum_{g \in \{S, C\}}
            \frac{1}{\bar n_g D\,\tilde p_g (1 - \tilde p_g)}

    with :math:`\bar n_g` the tries per business day before the start, :math:`D` the business
    days to the decision and :math:`\tilde p_g = (x + 1/2)/(n + 1)` the before rate.
    """
    d_b = np.maximum(np.asarray(days_before, dtype=np.float64), 1.0)
    d_end = np.asarray(decision_days, dtype=np.float64)
    total: FloatArray = np.zeros(())
    for x, n in ((xs_before, ns_before), (xc_before, nc_before)):
        xa, na = np.asarray(x, dtype=np.float64), np.asarray(n, dtype=np.float64)
        total = total + _logit_cell(xa, na)[1]
        p = (xa + 0.5) / (na + 1.0)
        with np.errstate(divide="ignore"):
            total = total + 1.0 / (na / d_b * d_end * p * (1.0 - p))
    return total


def practical_log_odds(base_rate: ArrayLike, change: float) -> FloatArray:
    r"""The log-odds shift of a relative change ``change`` from ``base_rate``:
    :math:`\operatorname{logit}(\min(p(1 + c), 0.999)) - \operatorname{logit}(p)`."""
    p = np.clip(np.asarray(base_rate, dtype=np.float64), 1e-3, 0.998)
    q = np.minimum(p * (1.0 + change), 0.999)
    return special.logit(q) - special.logit(p)


def verdict_codes(
    estimate: ArrayLike,
    variance: ArrayLike,
    p_improved: ArrayLike,
    p_value: ArrayLike,
    enough: ArrayLike,
    end_reached: ArrayLike,
    practical: ArrayLike,
    tau2: ArrayLike,
    alpha: float,
    threshold: float,
) -> NDArray[np.int8]:
    """Apply the verdict rules (module docstring) elementwise; codes index :data:`VERDICTS`.

    ``p_value`` must already be the always-valid running minimum.
    """
    est = np.asarray(estimate, dtype=np.float64)
    pv = np.asarray(p_value, dtype=np.float64)
    pi = np.asarray(p_improved, dtype=np.float64)
    ok = np.asarray(enough, dtype=bool)
    h = confidence_sequence_halfwidth(variance, tau2, alpha)
    significant = ok & (pv < alpha)
    improved = significant & (pi >= threshold) & (est > 0)
    worse = significant & (pi <= 1.0 - threshold) & (est < 0)
    inside = np.abs(est) + h < np.asarray(practical, dtype=np.float64)
    none = ok & ~improved & ~worse & (np.asarray(end_reached, dtype=bool) | inside)
    codes = np.zeros(np.broadcast(est, pv, pi, ok, h).shape, dtype=np.int8)
    codes[improved] = 1
    codes[worse] = 2
    codes[none] = 3
    return codes


# ----------------------------------------------------------------------------- per metric


@dataclass(frozen=True, eq=False)
class _Path:
    """Everything computed along the looks of one experiment (internal)."""

    metric: Metric
    looks: NDArray[np.datetime64]
    did: DidArrays
    tau2: float
    practical: float
    enough: NDArray[np.bool_]
    subject_before: float
    control_before: float
    subject_after: FloatArray
    control_after: FloatArray
    counterfactual: FloatArray
    n: list[dict[str, int]]
    shortfall: list[str]


def _split(days: NDArray[np.datetime64], plan: ExperimentPlan, as_of: DayLike | None):
    start = np.datetime64(plan.start, "D")
    end = np.datetime64(as_of, "D") if as_of is not None else None
    before = days < start
    after = days >= start
    if end is not None:
        after &= days <= end
    return before, after


def _rate_path(data: RateCounts, plan: ExperimentPlan, as_of: DayLike | None) -> _Path:
    before, after = _split(data.days, plan, as_of)
    xs_b, ns_b = data.subject_successes[before].sum(), data.subject_tries[before].sum()
    xc_b, nc_b = data.control_successes[before].sum(), data.control_tries[before].sum()
    xs_a, ns_a = np.cumsum(data.subject_successes[after]), np.cumsum(data.subject_tries[after])
    xc_a, nc_a = np.cumsum(data.control_successes[after]), np.cumsum(data.control_tries[after])
    k = np.arange(1, xs_a.size + 1)
    did = rate_did(xs_b, ns_b, xc_b, nc_b, xs_a, ns_a, xc_a, nc_a)
    v_end = rate_expected_variance(xs_b, ns_b, xc_b, nc_b, int(before.sum()), plan.decision_days())
    tau2 = float(mixture_variance(v_end, plan.alpha))
    m = plan.min_tries
    enough = (k >= plan.min_days) & (ns_a >= m) & (nc_a >= m) & (ns_b >= m) & (nc_b >= m)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_b, c_b = xs_b / ns_b if ns_b else math.nan, xc_b / nc_b if nc_b else math.nan
        s_a, c_a = xs_a / ns_a, xc_a / nc_a
        cf = special.expit(
            special.logit((xs_b + 0.5) / (ns_b + 1))
            + special.logit((xc_a + 0.5) / (nc_a + 1))
            - special.logit((xc_b + 0.5) / (nc_b + 1))
        )
    base = (xs_b + 0.5) / (ns_b + 1)
    n = [
        {
            "subject_before": int(ns_b),
            "control_before": int(nc_b),
            "subject_after": int(a),
            "control_after": int(c),
        }
        for a, c in zip(ns_a, nc_a, strict=True)
    ]
    shortfall = [
        _shortfall(
            [
                (int(d), plan.min_days, "business days since the start"),
                (int(min(a, ns_b)), m, f"{plan.unit or 'tries'} per period for the subjects"),
                (int(min(c, nc_b)), m, f"{plan.unit or 'tries'} per period for the control"),
            ]
        )
        for d, a, c in zip(k, ns_a, nc_a, strict=True)
    ]
    return _Path(
        "rate", data.days[after], did, tau2,
        float(practical_log_odds(base, plan.practical_change)), enough,
        float(s_b), float(c_b), s_a, c_a, cf, n, shortfall,
    )  # fmt: skip


def _log_mean_path(
    total: FloatArray, sumsq: FloatArray, days: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Log of the mean count per day, and its variance :math:`\max(s^2, m)/(D m^2)`.

    The sample variance over days keeps overdispersion (busy and slow days); the Poisson floor
    :math:`s^2 \ge m` stops a few identical days from claiming certainty.
    """
    m = (total + 0.5) / days
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(days >= 2, (sumsq - total**2 / days) / (days - 1), m)
    return np.log(m), np.maximum(s2, m) / (days * m**2)


def volume_did(
    before: tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike],
    after: tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike],
) -> DidArrays:
    r"""DiD on the log of mean counts per business day (vectorised).

    ``before`` and ``after`` are ``(subject_sum, subject_sumsq, control_sum, control_sumsq,
    subject_days, control_days)``. :math:`P(\text{improved}) = \Phi(\hat\theta/\sqrt V)`, a flat
    prior on the log scale.
    """
    b = [np.asarray(a, dtype=np.float64) for a in before]
    a = [np.asarray(x, dtype=np.float64) for x in after]
    lsb, vsb = _log_mean_path(b[0], b[1], b[4])
    lcb, vcb = _log_mean_path(b[2], b[3], b[5])
    lsa, vsa = _log_mean_path(a[0], a[1], a[4])
    lca, vca = _log_mean_path(a[2], a[3], a[5])
    est = (lsa - lsb) - (lca - lcb)
    var = vsb + vcb + vsa + vca
    return DidArrays(est, var, special.ndtr(est / np.sqrt(var)))


def _volume_path(data: VolumeCounts, plan: ExperimentPlan, as_of: DayLike | None) -> _Path:
    before, after = _split(data.days, plan, as_of)
    sb, cb = data.subject[before], data.control[before]
    sa, ca = data.subject[after], data.control[after]
    d_b = float(before.sum())
    k = np.arange(1, sa.size + 1, dtype=np.float64)
    b_stats = (sb.sum(), (sb**2).sum(), cb.sum(), (cb**2).sum(), d_b, d_b)
    a_stats = (np.cumsum(sa), np.cumsum(sa**2), np.cumsum(ca), np.cumsum(ca**2), k, k)
    did = volume_did(b_stats, a_stats)
    d_end = plan.decision_days()
    # Expected variance at the decision date: the before period's day-to-day variance over D days.
    _, vsb = _log_mean_path(*b_stats[:2], np.float64(max(d_b, 1)))
    _, vcb = _log_mean_path(*b_stats[2:4], np.float64(max(d_b, 1)))
    v_end = vsb + vcb + (vsb + vcb) * max(d_b, 1) / d_end
    tau2 = float(mixture_variance(v_end, plan.alpha))
    enough = (k >= plan.min_days) & (d_b >= plan.min_days)
    s_b = sb.mean() if d_b else math.nan
    c_b = cb.mean() if d_b else math.nan
    s_a, c_a = np.cumsum(sa) / k, np.cumsum(ca) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        cf = s_b * c_a / c_b
    n = [
        {"subject_before_days": int(d_b), "control_before_days": int(d_b), "after_days": int(d)}
        for d in k
    ]
    shortfall = [
        _shortfall(
            [
                (int(d), plan.min_days, "business days since the start"),
                (int(d_b), plan.min_days, "business days before the start"),
            ]
        )
        for d in k
    ]
    return _Path(
        "volume", data.days[after], did, tau2, math.log1p(plan.practical_change), enough,
        float(s_b), float(c_b), s_a, c_a, np.asarray(cf, dtype=np.float64), n, shortfall,
    )  # fmt: skip


def _business_days(start: np.datetime64, end: np.datetime64) -> NDArray[np.datetime64]:
    days = np.arange(start, end + 1, dtype="datetime64[D]")
    return days[np.is_busday(days)]


def _size_path(data: DealSizes, plan: ExperimentPlan, as_of: DayLike | None) -> _Path:
    start = np.datetime64(plan.start, "D")
    last = max([d.max() for d in (data.subject_days, data.control_days) if d.size] or [start])
    end = np.datetime64(as_of, "D") if as_of is not None else last
    looks = _business_days(start, end)

    def cell(days: NDArray[np.datetime64], values: FloatArray):
        logs = np.log(values)
        b = days < start
        lb = logs[b]
        n_b = float(lb.size)
        m_b = lb.mean() if n_b else math.nan
        v_b = lb.var(ddof=1) / n_b if n_b >= 2 else math.inf
        a = (days >= start) & (days <= end)
        la = logs[a]
        idx = np.searchsorted(days[a], looks, side="right")
        c1 = np.concatenate([[0.0], np.cumsum(la)])[idx]
        c2 = np.concatenate([[0.0], np.cumsum(la**2)])[idx]
        n_a = idx.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            m_a = c1 / n_a
            s2 = (c2 - c1**2 / n_a) / (n_a - 1)
            v_a = np.where(n_a >= 2, s2 / n_a, np.inf)
        s2_b = lb.var(ddof=1) if n_b >= 2 else math.inf
        return n_b, m_b, v_b, n_a, m_a, v_a, s2_b

    snb, smb, svb, sna, sma, sva, ss2 = cell(data.subject_days, data.subject_values)
    cnb, cmb, cvb, cna, cma, cva, cs2 = cell(data.control_days, data.control_values)
    est = (sma - smb) - (cma - cmb)
    var = svb + cvb + sva + cva
    with np.errstate(invalid="ignore"):
        did = DidArrays(est, var, special.ndtr(est / np.sqrt(var)))
    # Deals per business day before the start, projected to the decision date.
    first = min([d.min() for d in (data.subject_days, data.control_days) if d.size] or [start])
    d_b = max(float(np.busday_count(min(first, start), start)), 1.0)
    d_end = plan.decision_days()
    with np.errstate(divide="ignore"):
        v_end = svb + cvb + ss2 / max(snb / d_b * d_end, 1e-9) + cs2 / max(cnb / d_b * d_end, 1e-9)
    tau2 = float(mixture_variance(v_end, plan.alpha))
    k = np.arange(1, looks.size + 1)
    m = plan.min_deals
    enough = (k >= plan.min_days) & (sna >= m) & (cna >= m) & (snb >= m) & (cnb >= m)
    s_a, c_a = np.exp(sma), np.exp(cma)
    cf = np.exp(smb + cma - cmb)
    n = [
        {
            "subject_before": int(snb),
            "control_before": int(cnb),
            "subject_after": int(a),
            "control_after": int(c),
        }
        for a, c in zip(sna, cna, strict=True)
    ]
    shortfall = [
        _shortfall(
            [
                (int(d), plan.min_days, "business days since the start"),
                (int(min(a, snb)), m, "deals per period for the subjects"),
                (int(min(c, cnb)), m, "deals per period for the control"),
            ]
        )
        for d, a, c in zip(k, sna, cna, strict=True)
    ]
    return _Path(
        "size", looks, did, tau2, math.log1p(plan.practical_change), enough,
        float(math.exp(smb)) if snb else math.nan, float(math.exp(cmb)) if cnb else math.nan,
        s_a, c_a, cf, n, shortfall,
    )  # fmt: skip


def _shortfall(items: list[tuple[int, int, str]]) -> str:
    short = [f"{have} of {need} {what}" for have, need, what in items if have < need]
    return "; ".join(short)


def _path(data: RateCounts | VolumeCounts | DealSizes, plan: ExperimentPlan, as_of) -> _Path:
    if isinstance(data, RateCounts):
        return _rate_path(data, plan, as_of)
    if isinstance(data, VolumeCounts):
        return _volume_path(data, plan, as_of)
    if isinstance(data, DealSizes):
        return _size_path(data, plan, as_of)
    raise TypeError(f"unsupported experiment data: {type(data).__name__}")


def _codes(path: _Path, plan: ExperimentPlan) -> tuple[FloatArray, NDArray[np.int8]]:
    pv = always_valid_p_value(path.did.estimate, path.did.variance, path.tau2)
    if plan.planned_end is None:
        end_reached = np.zeros(path.looks.shape, dtype=bool)
    else:
        end_reached = path.looks >= np.datetime64(plan.planned_end, "D")
    codes = verdict_codes(
        path.did.estimate, path.did.variance, path.did.p_improved, pv, path.enough,
        end_reached, path.practical, path.tau2, plan.alpha, plan.threshold,
    )  # fmt: skip
    return pv, codes


# ----------------------------------------------------------------------------- public API


def cumulative(
    data: RateCounts | VolumeCounts | DealSizes,
    plan: ExperimentPlan,
    as_of: DayLike | None = None,
) -> tuple[Look, ...]:
    """The analysis after each business day since the start: the "effect over time" chart.

    Parameters
    ----------
    data : RateCounts, VolumeCounts or DealSizes
    plan : ExperimentPlan
    as_of : date, optional
        Ignore data after this day (default: all data).

    Returns
    -------
    tuple of Look
        One per business day since the start, in order. Empty before the first one.
    """
    path = _path(data, plan, as_of)
    pv, codes = _codes(path, plan)
    est, var = path.did.estimate, path.did.variance
    z = stats.norm.ppf(0.5 + plan.level / 2)
    with np.errstate(invalid="ignore"):
        half = z * np.sqrt(var)
    seq = confidence_sequence_halfwidth(var, path.tau2, plan.alpha)
    return tuple(
        Look(
            day=path.looks[i].astype(dt.date),
            days_after=i + 1,
            effect=float(est[i]),
            low=float(est[i] - half[i]),
            high=float(est[i] + half[i]),
            seq_low=float(est[i] - seq[i]),
            seq_high=float(est[i] + seq[i]),
            p_improved=float(path.did.p_improved[i]),
            p_value=float(pv[i]),
            verdict=VERDICTS[int(codes[i])],
        )
        for i in range(path.looks.size)
    )


def analyse(
    data: RateCounts | VolumeCounts | DealSizes,
    plan: ExperimentPlan,
    as_of: DayLike | None = None,
) -> ExperimentResult:
    """Analyse an experiment at its latest look (or at ``as_of``): effect, P(improved),
    always-valid p-value, verdict and the sentence for the leader.

    The always-valid p-value is the running minimum over every business day since the start,
    so the whole path is computed (it is vectorised: well under a millisecond per look).
    """
    path = _path(data, plan, as_of)
    scale = "log-odds" if path.metric == "rate" else "log"
    if path.looks.size == 0:
        return ExperimentResult(
            metric=path.metric, label=plan.label, scale=scale, as_of=None, days_after=0,
            effect=math.nan, ratio=math.nan, interval=(math.nan, math.nan), level=plan.level,
            sequential_interval=(math.nan, math.nan), alpha=plan.alpha, p_improved=math.nan,
            p_value=1.0, fixed_p_value=1.0, subject_before=path.subject_before,
            subject_after=math.nan, control_before=path.control_before, control_after=math.nan,
            counterfactual=math.nan, n={}, mixture_variance=path.tau2, verdict=COLLECTING,
            sentence=f"{plan.label}: the experiment starts on {day_text(plan.start)} — "
            "no data since the start yet",
        )  # fmt: skip
    pv, codes = _codes(path, plan)
    i = path.looks.size - 1
    est, var = float(path.did.estimate[i]), float(path.did.variance[i])
    z = float(stats.norm.ppf(0.5 + plan.level / 2))
    sd = math.sqrt(var) if math.isfinite(var) else math.inf
    h = float(confidence_sequence_halfwidth(var, path.tau2, plan.alpha))
    fixed_p = float(2 * stats.norm.sf(abs(est) / sd)) if sd > 0 and math.isfinite(est) else 1.0
    verdict = VERDICTS[int(codes[i])]
    p_imp = float(path.did.p_improved[i])
    end = plan.planned_end is not None and path.looks[i] >= np.datetime64(plan.planned_end, "D")
    sentence = leader_sentence(
        metric=path.metric,
        label=plan.label,
        unit=plan.unit,
        before=path.subject_before,
        after=float(path.subject_after[i]),
        control_before=path.control_before,
        control_after=float(path.control_after[i]),
        p_improved=p_imp,
        verdict=verdict,
        practical_change=plan.practical_change,
        end_reached=bool(end),
        shortfall=path.shortfall[i] if not path.enough[i] else "",
        control_label=plan.control_label,
    )
    return ExperimentResult(
        metric=path.metric, label=plan.label, scale=scale,
        as_of=path.looks[i].astype(dt.date), days_after=i + 1, effect=est,
        ratio=math.exp(est) if math.isfinite(est) else math.nan,
        interval=(est - z * sd, est + z * sd), level=plan.level,
        sequential_interval=(est - h, est + h), alpha=plan.alpha, p_improved=p_imp,
        p_value=float(pv[i]), fixed_p_value=fixed_p, subject_before=path.subject_before,
        subject_after=float(path.subject_after[i]), control_before=path.control_before,
        control_after=float(path.control_after[i]),
        counterfactual=float(path.counterfactual[i]), n=path.n[i],
        mixture_variance=path.tau2, verdict=verdict, sentence=sentence,
    )  # fmt: skip


# ----------------------------------------------------------------------------- words


def format_level(metric: Metric, value: float, unit: str = "") -> str:
    """A rate as a percentage (one decimal under 10 %), a volume per day with one decimal,
    a deal size with thousands separators and the currency prefix ``unit``."""
    if not math.isfinite(value):
        return "–"
    if metric == "rate":
        pct = 100 * value
        return f"{pct:.1f}%" if pct < 10 else f"{pct:.0f}%"
    if metric == "volume":
        return f"{value:.1f}"
    return f"{unit}{value:,.0f}"


def _pct(p: float) -> str:
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{100 * p:.0f}%"


def leader_sentence(
    *,
    metric: Metric,
    label: str,
    unit: str,
    before: float,
    after: float,
    control_before: float,
    control_after: float,
    p_improved: float,
    verdict: str,
    practical_change: float,
    end_reached: bool,
    shortfall: str = "",
    control_label: str = "rest of the team",
) -> str:
    """The verdict in the leader's words, e.g.
    ``"connect→conversation up from 31% to 38%, 94% likely a real improvement — keep collecting"``.

    The control is mentioned when it moved by at least half the practical change (then the raw
    before/after of the subjects alone would mislead).
    """
    if shortfall:
        return f"{label}: not enough data yet ({shortfall}) — keep collecting"
    b, a = format_level(metric, before, unit), format_level(metric, after, unit)
    if b == a:
        head = f"{label} steady at {a}"
    else:
        head = f"{label} {'up' if after > before else 'down'} from {b} to {a}"
    if (
        math.isfinite(control_before)
        and math.isfinite(control_after)
        and control_before > 0
        and control_after > 0
        and abs(math.log(control_after / control_before)) >= math.log1p(practical_change) / 2
    ):
        cb = format_level(metric, control_before, unit)
        ca = format_level(metric, control_after, unit)
        head += f" ({control_label}: {cb} → {ca})"
    prob = (
        f"{_pct(p_improved)} likely a real improvement"
        if p_improved >= 0.5
        else f"{_pct(1 - p_improved)} likely worse"
    )
    if verdict == IMPROVED:
        return f"{head}, {prob} — likely improved"
    if verdict == WORSE:
        return f"{head}, {prob} — likely worse"
    if verdict == NO_CHANGE:
        why = (
            "the planned end is reached"
            if end_reached
            else f"any change is smaller than {practical_change:.0%}"
        )
        return f"{head} — no detectable change ({why}; {prob})"
    return f"{head}, {prob} — keep collecting"
