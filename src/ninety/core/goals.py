"""Behavior goals: what a goal measures, how far along it is, and the weekly scorecard.

Plain Python. A goal is a target on one metric the analytics compute, for a period (day, week,
month), with a direction (higher or lower is better). The metrics are the 90 % — activity
volume, a stage's conversion, ways adherence, the recital score, one-on-ones kept, experiments
running — and the 10 %: the result against quota.

**Judging a rate** (a stage's conversion) uses the diagnosis's own posterior
(:func:`ninety.core.stage_model.prob_at_least`, the same G, team reference and evidence window),
never a raw ratio: 3 of 5 is not "60 %, goal met". With ``p = P(true rate ≥ target)`` and
``p_near = P(true rate ≥ NEAR × target)``:

* *behind* when ``p < BEHIND_P`` (95 % sure the rate falls short of the goal);
* *on track* when not behind and ``p_near ≥ SURE`` (80 % sure it is not materially short: the
  diagnosis's 0.8 line);
* otherwise *not settled yet* (too few tries to tell): the page says the chance it meets the
  goal and, for a rate, about how many more tries would settle it.

The evidence window holds the tries that tell 0.8 × a rate from the rate at 90 % certainty and
90 % power, so by the period's last week a rep whose true rate is the goal is on track 91.5–93.2 %
of the time and one 20 % below it 8.2–9.6 % (``bench/bench_goals.py``, 300 reps, seeds 7–9;
pinned by ``tests/core/test_goals.py``).

**Funnel backwards**: result = volume × Π rates × deal size, so the first-stage volume a quota
needs per business day is ``quota / (days × Π rates × deal size)``.

**Scorecard**: each goal's attainment in [0, 1] (actual over target, capped; the other way round
when lower is better), averaged within behavior & process goals and within result goals, then
weighted (by default 90 % behavior, 10 % result; a team may change the weights). A category
without goals or data gives its weight to the other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

if TYPE_CHECKING:  # only the type: the diagnosis does not need goals, nor goals it at runtime
    from ninety.core.diagnosis import RepDiagnosis

FloatArray = NDArray[np.float64]

BEHAVIOR, RESULT = "behavior", "result"
ON_TRACK, BEHIND, UNKNOWN, MET = "on_track", "behind", "unknown", "met"
STATUS_LABELS = {
    ON_TRACK: "on track",
    BEHIND: "behind",
    UNKNOWN: "not settled yet",
    MET: "met",
}
TOO_EARLY = "too early to say"
#: Behind below this P(meets the goal); on track needs P(not materially short) at least SURE.
#: Chosen on the simulator so that both of the issue's lines hold (bench/bench_goals.py).
BEHIND_P, SURE = 0.05, 0.8
#: Materially short: below this share of the goal (the diagnosis's material line).
NEAR = 0.8
#: Default scorecard weights: behavior & process, result.
DEFAULT_WEIGHTS = (0.9, 0.1)
#: A week counts towards a streak when its behavior score is at least this (0..100).
STREAK_SCORE = 80.0
PERIOD_KINDS = ("day", "week", "month")
VOLUME, STAGE_PREFIX = "volume", "stage:"


@dataclass(frozen=True)
class Metric:
    """One measurable thing a goal can target.

    kind: ``per_day`` (a count per business day), ``rate`` (a stage's conversion, judged on the
    stage model), ``share`` (a proportion of events), ``count`` (events in the period),
    ``result`` (won against quota).
    """

    key: str
    label: str
    kind: str
    category: str
    higher_is_better: bool = True

    @property
    def stage(self) -> str | None:
        return self.key[len(STAGE_PREFIX) :] if self.key.startswith(STAGE_PREFIX) else None

    def format(self, value: float | None) -> str:
        """The value in the metric's units: '44.0 a day', '38%', '3'."""
        if value is None or not math.isfinite(value):
            return "–"
        if self.kind in ("rate", "share"):
            return f"{100 * value:.0f}%"
        if self.kind == "per_day":
            return f"{value:,.1f} a day"
        if self.kind == "result":
            return f"{100 * value:.0f}% of quota"
        return f"{value:,.0f}"


def metrics(stages: Sequence[tuple[str, str]], volume_label: str = "dials") -> dict[str, Metric]:
    """Every metric for a playbook whose stages are ``(key, name)``, in display order."""
    out = [Metric(VOLUME, f"Volume: {volume_label} per business day", "per_day", BEHAVIOR)]
    out += [
        Metric(f"{STAGE_PREFIX}{k}", f"{name} conversion", "rate", BEHAVIOR) for k, name in stages
    ]
    out += [
        Metric("ways_adherence", "Ways adherence: stage activities with a way", "share", BEHAVIOR),
        Metric("recital", "Recital score in one-on-ones", "share", BEHAVIOR),
        Metric("one_on_ones", "One-on-ones held", "count", BEHAVIOR),
        Metric("experiments", "Experiments running", "count", BEHAVIOR),
        Metric("quota", "Result: won against quota", "result", RESULT),
    ]
    return {m.key: m for m in out}


# --- periods -------------------------------------------------------------------------------


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """First and last day of the ``kind`` period (day, week from Monday, month) holding ``day``."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
        nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, nxt - timedelta(days=1)
    raise ValueError(f"period kind {kind!r}: expected one of {', '.join(PERIOD_KINDS)}")


def business_days(first: date, last: date) -> int:
    """Business days from ``first`` to ``last`` inclusive (0 when last < first)."""
    if last < first:
        return 0
    return int(np.busday_count(first, last + timedelta(days=1)))


@dataclass(frozen=True)
class Elapsed:
    """Business days ``done`` of ``total`` in a goal's period at the as-of day (the as-of day
    counted: "day 1 of 22" on the first); ``partial`` when that day is a business day still
    under way, so it is not judged yet: a part-day of dials is no day's worth."""

    done: int
    total: int
    partial: bool = False

    @property
    def judged(self) -> int:
        """Whole business days behind the judgement (the as-of day once it is over)."""
        return max(self.done - 1, 0) if self.partial else self.done

    @property
    def share(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.judged / self.total)

    @property
    def is_final(self) -> bool:
        return self.judged >= self.total

    @property
    def so_far(self) -> str:
        """'so far (day 3 of 22)' until the period's business days are over, then ''."""
        return "" if self.is_final else f"so far (day {max(self.done, 1)} of {self.total})"


def elapsed(kind: str, day: date, as_of: date, day_over: bool = True) -> Elapsed:
    """How far the ``kind`` period holding ``day`` has run by ``as_of``: by its end when
    ``day_over``, else with ``as_of`` itself still under way (today, on a live page)."""
    first, last = period_bounds(kind, day)
    done = business_days(first, min(as_of, last))
    running = not day_over and first <= as_of <= last and bool(np.is_busday(as_of))
    return Elapsed(done, business_days(first, last), running)


# --- judging progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """A goal's state: ``status`` (on_track, behind, unknown, met), P(meets the goal), the value
    so far and, for volumes and counts, where it is heading by the period's end; ``early``: not
    settled because no whole business day of the period is over; ``more_tries``: for a rate
    not settled yet, about how many more tries would tell the goal from 20 % short of it."""

    status: str
    p_meets: float | None
    value: float | None
    projected: float | None = None
    early: bool = False
    more_tries: int = 0

    @property
    def label(self) -> str:
        return TOO_EARLY if self.early else STATUS_LABELS[self.status]

    @property
    def certainty_phrase(self) -> str:
        """'83% chance it meets the goal' (never 0 % or 100 %); not settled yet, what would
        settle it: '5% chance it meets the goal so far; about 120 more tries would settle it'.
        Never "5% likely" beside "not yet known", which read as a contradiction."""
        if self.p_meets is None or not math.isfinite(self.p_meets):
            return ""
        pct = min(max(round(100 * self.p_meets), 1), 99)
        if self.status == ON_TRACK and pct < 50:  # on track: not materially short
            return f"{pct}% chance it meets the goal in full; not 20%+ short of it"
        if self.status != UNKNOWN:
            return f"{pct}% chance it meets the goal"
        if self.more_tries > 0:
            return (
                f"{pct}% chance it meets the goal so far; "
                f"about {self.more_tries:,} more tries would settle it"
            )
        return f"{pct}% chance it meets the goal so far; too early to call it either way"


def status_from(p_meets: float, p_near: float) -> str:
    """The three states from P(meets) and P(not materially short); see the module."""
    if not math.isfinite(p_meets):
        return UNKNOWN
    if p_meets < BEHIND_P:
        return BEHIND
    if p_near >= SURE:
        return ON_TRACK
    return UNKNOWN


def judge_rate(p_meets: float, p_near: float, mean: float | None, more_tries: int = 0) -> Judgement:
    """A rate goal from the stage model's P(rate ≥ target) and P(rate ≥ NEAR × target);
    ``more_tries`` (shown while it is not settled): tries that would settle it."""
    status = status_from(p_meets, p_near)
    more = more_tries if status == UNKNOWN else 0
    return Judgement(status, _finite(p_meets), _finite(mean), more_tries=more)


def judge_share(hits: float, total: float, target: float, higher: bool = True) -> Judgement:
    """A share (ways adherence, recital) on its Jeffreys posterior Beta(h + ½, n − h + ½)."""
    if total <= 0:
        return Judgement(UNKNOWN, None, None)
    a, b = hits + 0.5, total - hits + 0.5
    if higher:
        p, near = special.betaincc(a, b, target), special.betaincc(a, b, NEAR * target)
    else:
        p, near = special.betainc(a, b, target), special.betainc(a, b, min(target / NEAR, 1.0))
    return Judgement(status_from(float(p), float(near)), float(p), hits / total)


def judge_volume(
    count: float, done: int, total: int, target_per_day: float, higher: bool = True, noise=0.1
) -> Judgement:
    """A per-business-day volume over ``done`` whole business days (``count`` made in them):
    log-normal around the rate so far, with Poisson noise and the diagnosis's day-to-day spread
    (``noise``, as ``DiagnosisConfig.volume_noise``). No whole day yet: too early to say."""
    if done <= 0:
        return Judgement(UNKNOWN, None, None, early=True)
    rate = count / done
    mu = math.log((count + 0.5) / done)
    sd = math.sqrt(1.0 / (count + 0.5) + noise**2 / done)
    z = (math.log(max(target_per_day, 1e-9)) - mu) / sd
    z_near = z + (math.log(NEAR) if higher else -math.log(NEAR)) / sd
    if higher:
        p, near = _norm_sf(z), _norm_sf(z_near)
    else:
        p, near = 1 - _norm_sf(z), 1 - _norm_sf(z_near)
    return Judgement(status_from(p, near), p, rate, projected=rate)


def judge_count(count: float, target: float, when: Elapsed, higher: bool = True) -> Judgement:
    """Events in the period (one-on-ones held, experiments running): on pace or not over the
    whole business days so far, met once reached; a lower-is-better count is behind as soon as
    it passes the target. Nothing reached and no whole day over: too early to say."""
    projected = count / when.share if when.share > 0 else None
    if higher:
        if count >= target:
            return Judgement(MET, None, count, projected)
        if when.is_final:
            return Judgement(BEHIND, None, count, count)
        if when.judged <= 0:
            return Judgement(UNKNOWN, None, count, None, early=True)
        on_pace = count >= math.floor(target * when.share)
        return Judgement(ON_TRACK if on_pace else BEHIND, None, count, projected)
    status = BEHIND if count > target else (MET if when.is_final else ON_TRACK)
    return Judgement(status, None, count, projected)


def judge_result(projected: float, high: float, quota: float | None, target: float) -> Judgement:
    """Won against quota from the pace's projection and its 80 % interval's top."""
    if not quota or quota <= 0:
        return Judgement(UNKNOWN, None, None)
    value = projected / quota
    if value >= target:
        return Judgement(ON_TRACK, None, value, value)
    status = BEHIND if high / quota < target else UNKNOWN
    return Judgement(status, None, value, value)


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


# --- suggested targets -------------------------------------------------------------------------


def volume_needed(quota: float, days: int, rates: ArrayLike, deal_size: float) -> float:
    """First-stage volume per business day that reaches ``quota`` in ``days`` business days at
    ``rates`` (one per stage) and ``deal_size``: quota / (days × Π rates × deal size)."""
    per_try = float(np.prod(np.asarray(rates, dtype=np.float64))) * deal_size
    if days <= 0 or per_try <= 0 or not math.isfinite(per_try) or quota <= 0:
        return math.nan
    return quota / (days * per_try)


@dataclass(frozen=True)
class VolumeTarget:
    """'To reach quota at your rates you need ``own`` a day; at the team's ``stage`` rate,
    ``at_team``.'"""

    own: float
    at_team: float | None
    stage: str | None


def volume_targets(
    quota: float,
    days: int,
    rates: ArrayLike,
    deal_size: float,
    team_rates: ArrayLike,
    stage: int | None,
    stage_key: str | None = None,
) -> VolumeTarget:
    """Volume a quota needs at the rep's rates, and with stage ``stage`` at the team's rate
    (the rep's focus: what fixing it would save in volume)."""
    r = np.asarray(rates, dtype=np.float64)
    own = volume_needed(quota, days, r, deal_size)
    if stage is None:
        return VolumeTarget(own, None, None)
    fixed = r.copy()
    fixed[stage] = max(float(np.asarray(team_rates, dtype=np.float64)[stage]), r[stage])
    return VolumeTarget(own, volume_needed(quota, days, fixed, deal_size), stage_key)


#: Without a certain focus, the suggested stage weighs the log-odds of being below the team by
#: this beside those of being materially weak (chosen on simulator seeds 1-6 and 10-12).
BELOW_WEIGHT = 0.5


def _log_odds(p: float) -> float:
    q = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(q / (1 - q))


def suggested_stage(
    focus: str | None,
    p_material: dict[str, float],
    p_below: dict[str, float],
    ratio: dict[str, float] | None = None,
    strengths: Sequence[str] = (),
) -> str | None:
    """The stage to set a goal on: the rep's focus when it is a stage; else (a suggestion
    without a certain focus) the stage whose evidence points most below the team, on the
    diagnosis's own posteriors: the highest logit P(materially weak) + ``BELOW_WEIGHT`` ×
    logit P(below the team).

    P(materially weak) alone favours the stage with the fewest tries (its wide posterior keeps
    some mass below the line whatever the counts say); P(below) alone ignores how far below.
    Never one of the rep's ``strengths``, nor, among several, the stage where the rep is best
    (the highest ``ratio`` of posterior mean to the team's rate). None: no stage to compare.
    """
    if focus is not None and focus in p_material:
        return focus
    candidates = [k for k, p in p_material.items() if math.isfinite(p) and k not in strengths]
    ranked = {k: r for k, r in (ratio or {}).items() if k in candidates and math.isfinite(r)}
    if len(candidates) > 1 and ranked:
        candidates.remove(max(ranked, key=ranked.__getitem__))
    if not candidates:
        return None

    def score(k: str) -> float:
        below = p_below.get(k, 0.0)
        return _log_odds(p_material[k]) + BELOW_WEIGHT * _log_odds(
            below if math.isfinite(below) else 0.0
        )

    return max(candidates, key=score)


def stage_of(d: RepDiagnosis, stage_keys: Sequence[str]) -> str | None:
    """The stage a rep's goal and one-on-one look at: the focus when it is a stage, else
    :func:`suggested_stage` on the diagnosis's own posteriors. The goal suggestion and the
    prep sheet's "stage most likely weak" both call this, so they never name different stages.
    """
    keys = list(stage_keys)
    return suggested_stage(
        d.focus if d.focus in keys else None,
        {k: d.p_material[k] for k in keys},
        {k: d.p_worse[k] for k in keys},
        {k: d.stages[k].mean / d.stages[k].group_rate for k in keys},
        d.strengths,
    )


def stage_target(
    mates: ArrayLike, own: float, level: str = "median", step: float = 0.05
) -> float | None:
    """The target rate at a stage: the team mates' median (or top quartile) shrunken rate,
    never below the rep's own (then the top quartile, then ``own`` × (1 + step)); rounded to
    a whole percentage point."""
    m = np.asarray(mates, dtype=np.float64)
    m = m[np.isfinite(m)]
    if m.size == 0:
        return None
    q = 0.75 if level == "top_quartile" else 0.5
    target = float(np.quantile(m, q))
    if target <= own:
        target = max(float(np.quantile(m, 0.75)), own * (1 + step))
    return round(min(target, 0.99), 2)


# --- the scorecard -----------------------------------------------------------------------------


def attainment(actual: ArrayLike, target: ArrayLike, higher: ArrayLike) -> FloatArray:
    """Per goal, in [0, 1]: actual / target capped at 1 (target / actual when lower is better);
    NaN where there is no actual yet."""
    a = np.asarray(actual, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    h = np.asarray(higher, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(t > 0, a / t, np.where(a >= t, 1.0, 0.0))
        down = np.where(a > 0, t / a, 1.0)
    return np.clip(np.where(h, up, down), 0.0, 1.0) + np.where(np.isfinite(a), 0.0, np.nan)


@dataclass(frozen=True)
class Scores:
    """Per rep (0–100): the weighted score, the behavior & process score and the result score
    (NaN: no goal of that category with data)."""

    total: FloatArray
    behavior: FloatArray
    result: FloatArray


def _category_mean(att: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    use = mask & np.isfinite(att)
    with np.errstate(invalid="ignore"):
        return np.where(use, att, 0.0).sum(axis=1) / use.sum(axis=1)


def scorecard(
    att: ArrayLike, is_behavior: ArrayLike, weights: ArrayLike = DEFAULT_WEIGHTS
) -> Scores:
    """Scores from attainments (reps, goals) and which goals are behavior & process ones
    (reps, goals or goals,); ``weights`` (behavior, result), or one such pair per rep. A rep's
    missing category gives its weight to the other."""
    a = np.atleast_2d(np.asarray(att, dtype=np.float64))
    b = np.broadcast_to(np.asarray(is_behavior, dtype=bool), a.shape)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), (a.shape[0], 2))
    beh, res = _category_mean(a, b), _category_mean(a, ~b)
    wb = np.where(np.isfinite(beh), w[:, 0], 0.0)
    wr = np.where(np.isfinite(res), w[:, 1], 0.0)
    with np.errstate(invalid="ignore"):
        total = (wb * np.nan_to_num(beh) + wr * np.nan_to_num(res)) / (wb + wr)
    return Scores(100 * total, 100 * beh, 100 * res)


def streak(weekly: Sequence[float], threshold: float = STREAK_SCORE) -> int:
    """Weeks in a row, ending with the latest, whose score is at least ``threshold``."""
    n = 0
    for s in reversed(list(weekly)):
        if not (math.isfinite(s) and s >= threshold):
            break
        n += 1
    return n


def check_weights(behavior: float, result: float) -> tuple[float, float]:
    """Weights normalised to add up to 1; ValueError naming the problem."""
    if behavior < 0 or result < 0 or not math.isfinite(behavior + result):
        raise ValueError("scorecard weights must be non-negative numbers")
    if behavior + result <= 0:
        raise ValueError("scorecard weights must not both be zero")
    return behavior / (behavior + result), result / (behavior + result)
