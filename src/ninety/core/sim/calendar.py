"""Business-day calendar for the simulator: US holidays, month bounds, US Eastern UTC offsets."""

from __future__ import annotations

import datetime as dt

import numpy as np

#: The simulated org works US Eastern business hours; UTC offsets follow the US DST rule.
EASTERN_STANDARD_OFFSET_S = -5 * 3600
EASTERN_DAYLIGHT_OFFSET_S = -4 * 3600


def _nth_weekday(year: int, month: int, weekday: str, n: int) -> np.datetime64:
    """The n-th (1-based; -1 = last) weekday of a month, e.g. ``("Mon", 3)``."""
    if n > 0:
        first = np.datetime64(f"{year:04d}-{month:02d}-01", "D")
        return np.busday_offset(first, n - 1, roll="forward", weekmask=weekday)
    nxt = np.datetime64(f"{year:04d}-{month:02d}", "M") + 1
    return np.busday_offset(nxt.astype("datetime64[D]"), -1, roll="forward", weekmask=weekday)


def _observed(day: dt.date) -> dt.date:
    # A fixed-date holiday on a Saturday is observed on the Friday, on a Sunday on the Monday.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def us_holidays(first_year: int, last_year: int) -> np.ndarray:
    """US holidays a typical inside-sales floor closes for, as sorted ``datetime64[D]``.

    New Year's Day, Martin Luther King Jr. Day, Presidents' Day, Memorial Day, Juneteenth,
    Independence Day, Labor Day, Thanksgiving and Christmas (fixed dates moved to the observed
    weekday). Columbus and Veterans Day are left out: most private sales floors work them.
    """
    days: list[np.datetime64] = []
    for y in range(first_year, last_year + 1):
        for m, d in ((1, 1), (6, 19), (7, 4), (12, 25)):
            days.append(np.datetime64(_observed(dt.date(y, m, d)), "D"))
        days.append(_nth_weekday(y, 1, "Mon", 3))
        days.append(_nth_weekday(y, 2, "Mon", 3))
        days.append(_nth_weekday(y, 5, "Mon", -1))
        days.append(_nth_weekday(y, 9, "Mon", 1))
        days.append(_nth_weekday(y, 11, "Thu", 4))
    return np.unique(np.array(days, dtype="datetime64[D]"))


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """First day of the month ``months_back`` months before ``day``'s month."""
    index = day.year * 12 + (day.month - 1) - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def business_days(start: dt.date, end: dt.date, holidays: np.ndarray) -> np.ndarray:
    """Business days from ``start`` to ``end`` inclusive, as ``datetime64[D]``."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    return days[np.is_busday(days, holidays=holidays)]


def eastern_utc_offset(days: np.ndarray) -> np.ndarray:
    """UTC offset in seconds of US Eastern time at noon on each day (``datetime64[D]`` array).

    DST runs from the second Sunday of March to the first Sunday of November (US rule since 2007).
    """
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    out = np.full(days.shape, EASTERN_STANDARD_OFFSET_S, dtype=np.int64)
    for y in np.unique(years):
        start = _nth_weekday(int(y), 3, "Sun", 2)
        end = _nth_weekday(int(y), 11, "Sun", 1)
        out[(years == y) & (days >= start) & (days < end)] = EASTERN_DAYLIGHT_OFFSET_S
    return out


def local_to_epoch(days: np.ndarray, local_seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (UTC) of a US Eastern wall-clock time ``local_seconds`` after midnight."""
    midnight = days.astype("datetime64[s]").astype(np.int64)
    return midnight + local_seconds.astype(np.int64) - eastern_utc_offset(days)
