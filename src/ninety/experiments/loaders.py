"""Daily counts for an experiment, aggregated in the database (one query per experiment).

Days are business days: activity on a weekend or holiday counts on the next business day, so
that each business day is one look of the analysis and a volume per day is per working day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate
from numpy.typing import NDArray

from ninety.activity.models import ActivityRollup, Deal
from ninety.core.experiments import DealSizes, RateCounts, VolumeCounts

#: Days of history before the start that form the "before" period.
BEFORE_DAYS = 56


@dataclass(frozen=True)
class Window:
    """The dates the analysis reads: ``first`` (start of the before period) to ``last``."""

    first: date
    start: date
    last: date

    @classmethod
    def of(cls, start: date, as_of: date) -> Window:
        return cls(start - timedelta(days=BEFORE_DAYS), start, max(as_of, start))


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _business_days(window: Window) -> NDArray[np.datetime64]:
    days = np.arange(
        np.datetime64(window.first, "D"), np.datetime64(window.last, "D") + 1, dtype="datetime64[D]"
    )
    return days[np.is_busday(days)]


def _slots(days: NDArray[np.datetime64], rows_days: Sequence[date]) -> NDArray[np.int64]:
    """Index of each row's day in ``days``, weekend rows rolled forward; -1 past the end."""
    if not rows_days:
        return np.zeros(0, dtype=np.int64)
    d = np.busday_offset(np.asarray(rows_days, dtype="datetime64[D]"), 0, roll="forward")
    idx = np.searchsorted(days, d)
    idx[(idx >= days.size) | (days[np.minimum(idx, days.size - 1)] != d)] = -1
    return idx.astype(np.int64)


def _fold(days: NDArray[np.datetime64], rows: list[tuple], columns: int) -> NDArray[np.float64]:
    out = np.zeros((columns, days.size))
    if not rows:
        return out
    idx = _slots(days, [r[0] for r in rows])
    keep = idx >= 0
    values = np.array([[float(v or 0) for v in r[1:]] for r in rows]).T
    for c in range(columns):
        np.add.at(out[c], idx[keep], values[c][keep])
    return out


def load_rates(
    subjects: Sequence[int], control: Sequence[int], entry_type: str, window: Window
) -> RateCounts:
    """Successes (``advanced``) and tries (``count − pending``) per business day of the stage
    entered by ``entry_type``, summed over the subjects and over the control."""
    s, c = Q(person_id__in=list(subjects)), Q(person_id__in=list(control))
    tries = F("count") - F("pending")
    rows = list(
        ActivityRollup.objects.filter(
            s | c, type=entry_type, day__gte=window.first, day__lte=window.last
        )
        .values_list("day")
        .annotate(
            xs=Sum("advanced", filter=s),
            ns=Sum(tries, filter=s),
            xc=Sum("advanced", filter=c),
            nc=Sum(tries, filter=c),
        )
        .order_by("day")
    )
    days = _business_days(window)
    xs, ns, xc, nc = _fold(days, rows, 4)
    return RateCounts.of(days, xs, ns, xc, nc)


def load_volume(
    subjects: Sequence[int], control: Sequence[int], entry_type: str, window: Window
) -> VolumeCounts:
    """Activities of ``entry_type`` (the first stage's entry) per business day."""
    s, c = Q(person_id__in=list(subjects)), Q(person_id__in=list(control))
    rows = list(
        ActivityRollup.objects.filter(
            s | c, type=entry_type, day__gte=window.first, day__lte=window.last
        )
        .values_list("day")
        .annotate(vs=Sum("count", filter=s), vc=Sum("count", filter=c))
        .order_by("day")
    )
    days = _business_days(window)
    vs, vc = _fold(days, rows, 2)
    return VolumeCounts.of(days, vs, vc)


def _won(people: Sequence[int], window: Window):
    return Deal.objects.filter(
        owner_id__in=list(people),
        status=Deal.Status.WON,
        value__gt=0,
        closed_at__gte=_midnight(window.first),
        closed_at__lt=_midnight(window.last + timedelta(days=1)),
    )


def load_result(subjects: Sequence[int], control: Sequence[int], window: Window) -> VolumeCounts:
    """Won value per business day (the result), summed over subjects and over control."""
    s, c = Q(owner_id__in=list(subjects)), Q(owner_id__in=list(control))
    rows = list(
        _won([*subjects, *control], window)
        .annotate(day=TruncDate("closed_at", tzinfo=UTC))
        .values_list("day")
        .annotate(vs=Sum("value", filter=s), vc=Sum("value", filter=c))
        .order_by("day")
    )
    days = _business_days(window)
    vs, vc = _fold(days, rows, 2)
    return VolumeCounts.of(days, vs, vc)


def load_deal_sizes(subjects: Sequence[int], control: Sequence[int], window: Window) -> DealSizes:
    """Won deals (close day, value) of the subjects and of the control: one query."""
    subject_set = set(subjects)
    rows = list(_won([*subjects, *control], window).values_list("owner_id", "closed_at", "value"))
    sd = [r[1].date() for r in rows if r[0] in subject_set]
    sv = [float(r[2]) for r in rows if r[0] in subject_set]
    cd = [r[1].date() for r in rows if r[0] not in subject_set]
    cv = [float(r[2]) for r in rows if r[0] not in subject_set]
    return DealSizes.of(
        np.asarray(sd, dtype="datetime64[D]"), sv, np.asarray(cd, dtype="datetime64[D]"), cv
    )
