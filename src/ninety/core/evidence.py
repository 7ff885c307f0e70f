"""Evidence windows: how far back each stage is judged, chosen from the data.

The result period (this month, for pace and quota) and the evidence a behavior is judged on are two
things. On the first day of a month a rep has two proposals this month; judging their proposal
stage on those alone says nothing. Each stage is judged on a trailing window: the period to date
first, then whole weeks before it, back to ``MAX_DAYS`` (91 days in all), the first
window in which the typical rep of the call has the tries needed to tell a rate of 0.8 × the
team's from the team's (90 % certainty, 90 % power; :func:`ninety.core.diagnosis.tries_to_settle`).
Every rep of a call is judged on the same window at a stage, so the comparison stays fair.

Buckets: index 0 is the period from its first day to the as-of day; index b ≥ 1 the b-th whole
week (7 days) before the period's first day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from ninety.core.diagnosis import tries_to_settle

FloatArray = NDArray[np.float64]

#: Longest window, in days (the period to date and the whole weeks before it).
MAX_DAYS = 91


@dataclass(frozen=True)
class EvidenceWindow:
    """The window a stage is judged on: ``buckets`` (1 = the period only) and its dates."""

    buckets: int
    first_day: date
    last_day: date
    needed: float

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def period_only(self) -> bool:
        return self.buckets == 1


def bucket_starts(period_start: date, last_day: date) -> list[date]:
    """First day of each bucket: the period's start, then one week earlier each, as many whole
    weeks as fit in ``MAX_DAYS`` with the period to ``last_day``."""
    weeks = max(0, (MAX_DAYS - ((last_day - period_start).days + 1)) // 7)
    return [period_start] + [period_start - timedelta(days=7 * b) for b in range(1, weeks + 1)]


def choose_windows(
    tries: FloatArray,
    successes: FloatArray,
    period_start: date,
    last_day: date,
    material_ratio: float = 0.8,
) -> list[EvidenceWindow]:
    """One window per stage from per-bucket counts (reps, stages, buckets).

    The needed tries come from the call's pooled rate at the stage over the longest window; the
    typical rep is the median of the reps with any tries in it. A stage nobody tried takes the
    longest window.
    """
    t = np.asarray(tries, dtype=np.float64)
    s = np.asarray(successes, dtype=np.float64)
    n_buckets = t.shape[2]
    starts = bucket_starts(period_start, last_day)[:n_buckets]
    cum_t = np.cumsum(t, axis=2)
    total_t = cum_t[:, :, -1].sum(axis=0)
    total_s = s.sum(axis=(0, 2))
    windows = []
    for k in range(t.shape[1]):
        if total_t[k] <= 0:
            needed = float("inf")
            b = n_buckets
        else:
            rate = (total_s[k] + 0.5) / (total_t[k] + 1.0)
            needed = float(tries_to_settle(rate, 0.0, material_ratio))
            active = cum_t[:, k, -1] > 0
            typical = np.median(cum_t[active, k, :], axis=0)
            enough = np.flatnonzero(typical >= needed)
            b = int(enough[0]) + 1 if enough.size else n_buckets
        windows.append(EvidenceWindow(b, starts[b - 1], last_day, needed))
    return windows


def window_sums(values: FloatArray, buckets: int) -> FloatArray:
    """Sum of the first ``buckets`` buckets of (reps, buckets) or (reps, stages, buckets)."""
    return np.asarray(values, dtype=np.float64)[..., :buckets].sum(axis=-1)


def bucket_ranges(starts: Sequence[date], last_day: date) -> list[tuple[date, date]]:
    """Each bucket's first and last day (inclusive), from :func:`bucket_starts`."""
    ends = [last_day] + [s - timedelta(days=1) for s in starts[:-1]]
    return list(zip(starts, ends, strict=True))


@dataclass(frozen=True)
class WeekPlan:
    """How to sum date ranges from weekly totals and a few single days, exactly.

    For any daily series ``x``, the sum of ``x`` over range ``r`` is
    ``sum_w week_terms[w, r] * week_total(weeks[w]) + sum_d day_terms[d, r] * x(days[d])``: a week
    inside the range counts whole, a week the range cuts either adds its days inside the range or
    counts whole and takes off its days outside (whichever reads fewer working days). The terms
    are −1, 0 or +1, so integer counts stay exact.
    """

    weeks: tuple[date, ...]
    days: tuple[date, ...]
    week_terms: FloatArray
    day_terms: FloatArray


def monday(d: date) -> date:
    """The Monday of ``d``'s ISO week."""
    return d - timedelta(days=d.weekday())


def _cost(days: list[date]) -> float:
    # Reading a day's rows costs about what reading a week's does (one row per person, type and
    # way either way); weekends hold few activities in most sales orgs.
    return sum(1.0 if d.weekday() < 5 else 0.25 for d in days)


def week_plan(ranges: Sequence[tuple[date, date]]) -> WeekPlan:
    """The :class:`WeekPlan` of ``ranges`` (first, last day; inclusive; any dates)."""
    week_terms: dict[tuple[date, int], float] = {}
    day_terms: dict[tuple[date, int], float] = {}
    for r, (first, last) in enumerate(ranges):
        week = monday(first)
        while week <= last:
            days = [week + timedelta(days=i) for i in range(7)]
            inside = [d for d in days if first <= d <= last]
            outside = [d for d in days if not first <= d <= last]
            if outside and _cost(inside) <= 1.0 + _cost(outside):
                for d in inside:
                    day_terms[d, r] = day_terms.get((d, r), 0.0) + 1.0
            else:
                week_terms[week, r] = week_terms.get((week, r), 0.0) + 1.0
                for d in outside:
                    day_terms[d, r] = day_terms.get((d, r), 0.0) - 1.0
            week += timedelta(days=7)
    weeks = tuple(sorted({w for w, _ in week_terms}))
    single = tuple(sorted({d for d, _ in day_terms}))
    return WeekPlan(
        weeks,
        single,
        _terms(week_terms, weeks, len(ranges)),
        _terms(day_terms, single, len(ranges)),
    )


def _terms(terms: dict[tuple[date, int], float], keys: tuple[date, ...], n: int) -> FloatArray:
    index = {k: i for i, k in enumerate(keys)}
    out = np.zeros((len(keys), n))
    for (k, r), v in terms.items():
        out[index[k], r] += v
    return out
