"""Summing date ranges from ISO-week totals plus a few single days is exact (core.evidence)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from ninety.core.evidence import bucket_ranges, bucket_starts, monday, week_plan

ORIGIN = date(2025, 6, 1)


def _series(rng: np.random.Generator, days: int) -> np.ndarray:
    # Integer counts, with empty weekends now and then and some very large values.
    x = rng.integers(0, 50, days).astype(np.float64)
    x[rng.random(days) < 0.2] = 0
    x[rng.random(days) < 0.01] = 10**9
    return x


def _planned(x: np.ndarray, ranges: list[tuple[date, date]]) -> np.ndarray:
    plan = week_plan(ranges)
    weeks = np.array([x[(w - ORIGIN).days : (w - ORIGIN).days + 7].sum() for w in plan.weeks])
    days = np.array([x[(d - ORIGIN).days] for d in plan.days])
    return weeks @ plan.week_terms + days @ plan.day_terms


def _direct(x: np.ndarray, ranges: list[tuple[date, date]]) -> np.ndarray:
    return np.array([x[(a - ORIGIN).days : (b - ORIGIN).days + 1].sum() for a, b in ranges])


def test_random_ranges_sum_exactly() -> None:
    rng = np.random.default_rng(11)
    x = _series(rng, 400)
    for _ in range(300):
        ranges = []
        for _ in range(rng.integers(1, 6)):
            a = ORIGIN + timedelta(days=int(rng.integers(7, 300)))
            ranges.append((a, a + timedelta(days=int(rng.integers(0, 80)))))
        assert np.array_equal(_planned(x, ranges), _direct(x, ranges))


def test_every_period_start_and_as_of_day_of_two_years_sums_exactly() -> None:
    # Periods start on every weekday; the as-of day runs over the whole month, so the buckets
    # cut weeks at every offset.
    rng = np.random.default_rng(5)
    x = _series(rng, 1000)
    for month in range(24):
        start = date(2026 + month // 12, month % 12 + 1, 1)
        for last in (start, start + timedelta(days=3), start + timedelta(days=27)):
            ranges = bucket_ranges(bucket_starts(start, last), last)
            assert ranges[0] == (start, last)
            assert all(b == a - timedelta(days=1) for (a, _), (_, b) in pairwise(ranges))
            assert np.array_equal(_planned(x, ranges), _direct(x, ranges))


def test_whole_weeks_come_from_the_weekly_totals() -> None:
    # A period starting on a Monday: every earlier bucket is one ISO week, no single day.
    start = date(2026, 6, 1)
    assert start.weekday() == 0
    last = date(2026, 6, 5)
    plan = week_plan(bucket_ranges(bucket_starts(start, last), last)[1:])
    assert len(plan.weeks) == 12 and not plan.days
    # Starting on a Tuesday, each week needs one Monday besides the weekly total.
    start = date(2026, 12, 1)
    plan = week_plan(bucket_ranges(bucket_starts(start, start), start)[1:])
    assert {d.weekday() for d in plan.days} == {0}
    assert len(plan.days) <= len(plan.weeks) + 1
    assert monday(date(2026, 12, 6)) == date(2026, 11, 30)
