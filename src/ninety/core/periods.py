"""Periods (calendar months, ``YYYY-MM``) as an explicit type, and business-day arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

#: The days Ninety works with. Every loop over days, weeks or months is bounded by this range, so
#: a date typed far into the future (9999-12-31) is refused instead of running for hours.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


class OutOfRange(ValueError):
    """A date, period or week outside ``FIRST_DAY`` … ``LAST_DAY``."""


def check_day(day: date, what: str = "date") -> date:
    """``day`` itself, or :class:`OutOfRange` naming ``what`` and the range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(f"{what} {day.isoformat()}: expected a day from {FIRST_DAY} to {LAST_DAY}")
    return day


def parse_day(text: str, what: str = "date") -> date:
    """An ISO day within range; ValueError (or :class:`OutOfRange`) otherwise."""
    return check_day(date.fromisoformat(text), what)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text.strip())
        if not m:
            raise ValueError(f"period {text!r}: expected YYYY-MM, e.g. 2026-11")
        year = int(m.group(1))
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise OutOfRange(
                f"period {text!r}: expected a month from {FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}"
            )
        return cls(year, int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day after the period (exclusive end)."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def shift(self, months: int) -> Period:
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def label(self) -> str:
        return self.start.strftime("%b %Y")

    def clamp(self, as_of: date | None) -> date:
        """The last day with data in this period: ``as_of`` if inside it, else the last day."""
        if as_of is None or as_of >= self.last_day:
            return self.last_day
        return max(as_of, self.start - timedelta(days=1))


def elapsed_share(period: Period, as_of: date) -> float:
    """Share of the period's business days that have passed by the end of ``as_of`` (0..1)."""
    total = int(np.busday_count(period.start, period.end))
    done = int(np.busday_count(period.start, min(as_of + timedelta(days=1), period.end)))
    if total == 0:
        return 1.0
    return max(0.0, min(1.0, done / total))


def business_day_progress(period: Period, as_of: date) -> tuple[int, int]:
    """(business days passed by the end of ``as_of``, business days in the period)."""
    total = int(np.busday_count(period.start, period.end))
    done = int(np.busday_count(period.start, min(as_of + timedelta(days=1), period.end)))
    return max(done, 0), total
