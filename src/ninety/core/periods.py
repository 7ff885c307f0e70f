"""Result periods as an explicit type — a calendar month (``2026-11``), a quarter (``2026-Q4``),
or the trailing 30 or 90 days to the as-of day (``last-30``, ``last-90``) — and business-day
arithmetic over them.

Every period is a run of whole days, ``start`` (inclusive) to ``end`` (exclusive); the diagnosis,
the pace and the quota read it through those two days only, so each kind goes down the same path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_TRAILING = re.compile(r"^last-(30|90)$")

#: The days Ninety works with. Every loop over days, weeks or months is bounded by this range, so
#: a date typed far into the future (9999-12-31) is refused instead of running for hours.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)

#: What ``Period.parse`` takes, in words (error messages, the API's and the CLI's help).
PERIOD_FORMS = "YYYY-MM (a month), YYYY-Qn (a quarter), last-30 or last-90 (days to the as-of day)"

MONTH, QUARTER, LAST_30, LAST_90 = "month", "quarter", "last-30", "last-90"
TRAILING_DAYS = {LAST_30: 30, LAST_90: 90}


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


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


@dataclass(frozen=True, order=True)
class Period:
    """Whole days ``start`` … ``end`` (exclusive) of one ``kind``: month, quarter, last-30/90."""

    start: date
    end: date
    kind: str = MONTH

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year + month // 12, month % 12 + 1, 1), MONTH)

    @classmethod
    def quarter_of(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), cls.month_of(year, first + 2).end, QUARTER)

    @classmethod
    def trailing(cls, kind: str, as_of: date) -> Period:
        """The ``TRAILING_DAYS[kind]`` days that end with ``as_of``."""
        return cls(as_of - timedelta(days=TRAILING_DAYS[kind] - 1), as_of + timedelta(days=1), kind)

    @classmethod
    def parse(cls, text: str, as_of: date | None = None) -> Period:
        """``2026-11``, ``2026-Q4``, ``last-30`` or ``last-90`` (the last two end with ``as_of``,
        today when None); ValueError (or :class:`OutOfRange`) naming the forms otherwise."""
        text = text.strip()
        trailing = _TRAILING.match(text)
        if trailing:
            day = check_day(as_of or date.today(), "as_of")
            period = cls.trailing(text, day)
            check_day(period.start, f"period {text!r} starts")
            return period
        m = _MONTH.match(text) or _QUARTER.match(text)
        if not m:
            raise ValueError(f"period {text!r}: expected {PERIOD_FORMS}, e.g. 2026-11")
        year = int(m.group(1))
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise OutOfRange(
                f"period {text!r}: expected a month from {FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}"
            )
        if m.re is _QUARTER:
            return cls.quarter_of(year, int(m.group(2)))
        return cls.month_of(year, int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The month of ``day``."""
        return cls.month_of(day.year, day.month)

    @classmethod
    def quarter_containing(cls, day: date) -> Period:
        return cls.quarter_of(day.year, (day.month - 1) // 3 + 1)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def month(self) -> int:
        return self.start.month

    @property
    def is_trailing(self) -> bool:
        return self.kind in TRAILING_DAYS

    def __str__(self) -> str:
        """The period's name in URLs, the API and the CLI (a trailing one ends on as_of)."""
        if self.kind == QUARTER:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        if self.is_trailing:
            return self.kind
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        if self.is_trailing:
            return replace_days(self, timedelta(days=self.days * steps))
        months = 3 * steps if self.kind == QUARTER else steps
        index = self.year * 12 + (self.month - 1) + months
        year, month = index // 12, index % 12 + 1
        if self.kind == QUARTER:
            return Period.quarter_of(year, (month - 1) // 3 + 1)
        return Period.month_of(year, month)

    def previous(self) -> Period:
        """The period of the same kind and length just before this one (what it is compared
        with)."""
        return self.shift(-1)

    def label(self) -> str:
        if self.kind == QUARTER:
            return f"Q{(self.month - 1) // 3 + 1} {self.year}"
        if self.is_trailing:
            return f"{self.days} days, {_short(self.start)} – {_short(self.last_day)} {self.end:%Y}"
        return self.start.strftime("%b %Y")

    def choice_label(self) -> str:
        """The label in the period picker (a trailing period is named by its length)."""
        return f"Last {self.days} days" if self.is_trailing else self.label()

    def clamp(self, as_of: date | None) -> date:
        """The last day with data in this period: ``as_of`` if inside it, else the last day."""
        if as_of is None or as_of >= self.last_day:
            return self.last_day
        return max(as_of, self.start - timedelta(days=1))

    def months(self) -> list[Period]:
        """The calendar months the period touches, oldest first."""
        out = [Period.of(self.start)]
        while out[-1].end < self.end:
            out.append(out[-1].shift(1))
        return out


def replace_days(period: Period, delta: timedelta) -> Period:
    return Period(period.start + delta, period.end + delta, period.kind)


def quota_shares(period: Period) -> list[tuple[Period, float]]:
    """Each month the period touches and the share of that month's quota it carries: its
    business days in the period over the month's (1.0 for a whole month; a quarter is three
    whole months; a trailing window prorates the months at its ends)."""
    out = []
    for month in period.months():
        total = int(np.busday_count(month.start, month.end))
        inside = int(np.busday_count(max(month.start, period.start), min(month.end, period.end)))
        if inside > 0:
            out.append((month, inside / total if total else 1.0))
    return out


def window_quota(month_quotas: dict[str, np.ndarray], first: date, last: date) -> np.ndarray | None:
    """Each rep's quota over the days ``first`` … ``last``: every month they touch at its share
    of that month's business days (``month_quotas``: ``"YYYY-MM"`` → one amount per rep, NaN
    without one). NaN for a rep missing a month's quota; None when no month is known at all."""
    window = Period(first, last + timedelta(days=1))
    total: np.ndarray | None = None
    for month, share in quota_shares(window):
        amounts = month_quotas.get(str(month))
        if amounts is None:
            return None
        total = amounts * share if total is None else total + amounts * share
    return total


def elapsed_share(period: Period, as_of: date) -> float:
    """Share of the period's business days that have passed by the end of ``as_of`` (0..1)."""
    total = int(np.busday_count(period.start, period.end))
    done = int(np.busday_count(period.start, min(as_of + timedelta(days=1), period.end)))
    if total == 0:
        return 1.0
    return max(0.0, min(1.0, done / total))


def quota_days_share(period: Period, first: date, last: date) -> float:
    """Business days from ``first`` to ``last`` (inclusive) over the period's business days: the
    share of the period's quota a window of other days is worth at the period's daily quota."""
    total = int(np.busday_count(period.start, period.end))
    inside = int(np.busday_count(first, last + timedelta(days=1)))
    return inside / total if total else 1.0


def business_day_progress(period: Period, as_of: date) -> tuple[int, int]:
    """(business days passed by the end of ``as_of``, business days in the period)."""
    total = int(np.busday_count(period.start, period.end))
    done = int(np.busday_count(period.start, min(as_of + timedelta(days=1), period.end)))
    return max(done, 0), total
