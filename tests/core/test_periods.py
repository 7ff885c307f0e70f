"""Periods (month, quarter, trailing 30/90 days), their quotas, and changes with intervals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ninety.core.compare import change, signed
from ninety.core.periods import LAST_30, LAST_90, OutOfRange, Period, quota_days_share, quota_shares

DAY = date(2026, 12, 1)


def test_each_form_parses_to_its_days_and_back() -> None:
    month = Period.parse("2026-11")
    assert (month.start, month.last_day, str(month)) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        "2026-11",
    )
    quarter = Period.parse("2026-q4")
    assert (quarter.start, quarter.last_day, str(quarter)) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        "2026-Q4",
    )
    assert quarter.label() == "Q4 2026" and month.label() == "Nov 2026"
    last30 = Period.parse("last-30", DAY)
    assert (last30.start, last30.last_day, last30.days, str(last30)) == (
        date(2026, 11, 2),
        DAY,
        30,
        "last-30",
    )
    assert last30.label() == "30 days, 2 Nov – 1 Dec 2026"
    assert Period.parse("last-90", DAY).days == 90
    assert Period.parse("last-30", DAY) == Period.trailing(LAST_30, DAY)


def test_the_previous_period_is_the_same_kind_just_before() -> None:
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert str(Period.parse("2026-Q1").previous()) == "2025-Q4"
    before = Period.trailing(LAST_90, DAY).previous()
    assert before.end == Period.trailing(LAST_90, DAY).start and before.days == 90


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "last-45", "Q4", "2026-11-01", ""])
def test_bad_periods_name_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-Qn"):
        Period.parse(text, DAY)


@pytest.mark.parametrize("text", ["2101-Q1", "1999-Q4", "2101-01"])
def test_periods_outside_2000_to_2100_are_refused(text: str) -> None:
    with pytest.raises(OutOfRange):
        Period.parse(text, DAY)


def test_a_trailing_period_cannot_start_before_2000() -> None:
    with pytest.raises(OutOfRange):
        Period.parse("last-90", date(2000, 2, 1))
    with pytest.raises(OutOfRange):
        Period.parse("last-30", date(2101, 1, 1))


def test_quota_shares_whole_months_and_prorated_ends() -> None:
    assert quota_shares(Period.parse("2026-11")) == [(Period.parse("2026-11"), 1.0)]
    assert [s for _, s in quota_shares(Period.parse("2026-Q4"))] == [1.0, 1.0, 1.0]
    shares = dict((str(m), s) for m, s in quota_shares(Period.parse("last-30", DAY)))
    # 2 Nov – 1 Dec 2026: all of November's business days (the 1st is a Sunday), 1 of
    # December's 23.
    assert shares == {"2026-11": 1.0, "2026-12": pytest.approx(1 / 23)}


def test_a_change_is_clear_only_when_its_interval_leaves_out_zero() -> None:
    noise = change(0.30, (0.25, 0.35), 0.28, (0.23, 0.33))
    assert noise is not None and not noise.clear and noise.direction == "same"
    assert noise.low < 0 < noise.high
    real = change(0.40, (0.37, 0.43), 0.25, (0.22, 0.28))
    assert real is not None and real.clear and real.direction == "up"
    # sd of each side 0.03 / 1.645; the change's interval is √2 times as wide as one side's.
    assert real.high - real.low == pytest.approx(2 * 0.03 * 2**0.5)
    assert change(float("nan"), (0, 1), 0.2, (0.1, 0.3)) is None


def test_signed_numbers_use_a_real_minus_sign() -> None:
    assert signed(5) == "+5" and signed(-51.2) == "−51" and signed(0.2) == "±0"
    assert signed(-3, unit="%") == "−3%"


def test_quota_days_share_counts_business_days_of_the_window_over_the_periods() -> None:
    december = Period.of(date(2026, 12, 1))  # 23 business days (Tue 1 … Thu 31)
    assert quota_days_share(december, date(2026, 12, 1), date(2026, 12, 1)) == 1 / 23
    # Mon 30 Nov … Sun 6 Dec: five business days of a window that starts before the period.
    assert quota_days_share(december, date(2026, 11, 30), date(2026, 12, 6)) == 5 / 23
    # A whole quarter behind day 1 is worth more than the month's quota.
    assert quota_days_share(december, date(2026, 9, 8), date(2026, 12, 1)) == 61 / 23


def test_a_windows_quota_is_each_months_quota_at_its_business_days_inside() -> None:
    from ninety.core.periods import window_quota

    quotas = {"2026-10": np.array([22_000.0, np.nan]), "2026-11": np.array([21_000.0, 10.0])}
    # 19 Oct – 6 Nov: 10 of October's 22 business days, 5 of November's 21.
    got = window_quota(quotas, date(2026, 10, 19), date(2026, 11, 6))
    assert got[0] == pytest.approx(22_000 * 10 / 22 + 21_000 * 5 / 21)
    assert np.isnan(got[1])  # a month without a quota: the caller falls back
    assert window_quota(quotas, date(2026, 9, 28), date(2026, 10, 2)) is None  # September unknown
    one = window_quota(quotas, date(2026, 11, 2), date(2026, 11, 30))
    assert one[0] == pytest.approx(21_000)  # a whole month is its quota
