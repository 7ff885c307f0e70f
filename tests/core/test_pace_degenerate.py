"""Pace on degenerate data: zero-value deals, zero quotas, empty months — never NaN."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ninety.core.funnel import day_start
from ninety.core.pace import pace_from_deals

# A NaN is usually announced by a RuntimeWarning first: make it fail the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
AS_OF = dt.date(2026, 11, 12)


def _pace(value: list[float], quota: list[float], n: int = 4, **kw: object):
    before = day_start(dt.date(2026, 9, 1))
    t = day_start(dt.date(2026, 11, 5))
    k = len(value)
    return pace_from_deals(
        owner=np.arange(k) % n,
        value=value,
        opened=[before] * (k // 2) + [t] * (k - k // 2),
        closed=[before + 20 * 86400] * (k // 2) + [-1] * (k - k // 2),
        status=[1] * (k // 2) + [0] * (k - k // 2),
        stage=[4] * (k // 2) + [2] * (k - k // 2),
        n_reps=n,
        as_of=AS_OF,
        period_start=START,
        period_end=END,
        quota=quota,
        n_draws=200,
        **kw,
    )


def _finite(res, *fields: str) -> None:
    for f in fields:
        assert np.all(np.isfinite(getattr(res, f))), f


def test_a_deals_file_without_amounts_gives_zeros_not_nan() -> None:
    res = _pace([0.0] * 16, [1000.0] * 4)
    _finite(res, "won_to_date", "expected_pipeline", "expected_new", "projected", "low", "high")
    assert np.all(res.projected == 0) and np.all(res.vs_quota_pct == -100)


def test_zero_quota_has_no_percentage_instead_of_infinity() -> None:
    res = _pace([100.0] * 16, [0.0] * 4)
    _finite(res, "projected", "low", "high")
    assert not np.any(np.isinf(res.vs_quota_pct))
    assert np.all(np.isnan(res.vs_quota_pct))  # "no quota", said as such on the pages


@pytest.mark.parametrize("values", [[], [500.0]])
def test_an_empty_or_one_deal_month(values: list[float]) -> None:
    res = _pace(values, [1000.0] * 4)
    _finite(res, "won_to_date", "projected", "low", "high")
    assert np.all(res.low <= res.projected) and np.all(res.projected <= res.high)
