"""Load the arrays the analytics core needs, aggregated in the database (never row by row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db.models import Count, Q, Sum
from numpy.typing import NDArray

from ninety.activity.models import ActivityRollup, Deal, Quota
from ninety.core.periods import Period

FloatArray = NDArray[np.float64]
#: Deal history used for win rates, cycle times and the run rate of new deals.
DEAL_HISTORY_DAYS = 180


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


@dataclass(frozen=True)
class GroupData:
    """Per-rep arrays for one period, aligned with ``person_ids``.

    ``type_counts`` are the period's activities per type; ``advanced`` and ``pending`` count the
    rows of each type whose attempt reached the next type, and whose outcome is unknown.
    """

    person_ids: tuple[int, ...]
    type_counts: dict[str, FloatArray]
    advanced: dict[str, FloatArray]
    pending: dict[str, FloatArray]
    won_value: FloatArray
    won_count: FloatArray
    quota: FloatArray
    deals: dict[str, NDArray]


def _index(person_ids: Sequence[int]) -> dict[int, int]:
    return {pid: i for i, pid in enumerate(person_ids)}


def load_type_counts(
    person_ids: Sequence[int], types: Sequence[str], start: date, last_day: date
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, FloatArray]]:
    """Activities, advanced and pending per person and type over ``start .. last_day``.

    One aggregate query over the rollup table.
    """
    idx = _index(person_ids)
    count = {t: np.zeros(len(person_ids)) for t in types}
    advanced = {t: np.zeros(len(person_ids)) for t in types}
    pending = {t: np.zeros(len(person_ids)) for t in types}
    rows = (
        ActivityRollup.objects.filter(
            person_id__in=person_ids, day__gte=start, day__lte=last_day, type__in=list(types)
        )
        .values_list("person_id", "type")
        .annotate(n=Sum("count"), a=Sum("advanced"), p=Sum("pending"))
    )
    for pid, type_, n, a, p in rows:
        i = idx[pid]
        count[type_][i] += n
        advanced[type_][i] += a
        pending[type_][i] += p
    return count, advanced, pending


def load_won(
    person_ids: Sequence[int], start: date, last_day: date
) -> tuple[FloatArray, FloatArray]:
    """Value and number of deals won per person in the window (one query)."""
    idx = _index(person_ids)
    value = np.zeros(len(person_ids))
    count = np.zeros(len(person_ids))
    rows = (
        Deal.objects.filter(
            owner_id__in=person_ids,
            status=Deal.Status.WON,
            closed_at__gte=_midnight(start),
            closed_at__lt=_midnight(last_day + timedelta(days=1)),
        )
        .values_list("owner_id")
        .annotate(v=Sum("value"), n=Count("id"))
    )
    for pid, v, n in rows:
        value[idx[pid]] = float(v or 0)
        count[idx[pid]] = n
    return value, count


def load_quota(person_ids: Sequence[int], period: Period) -> FloatArray:
    idx = _index(person_ids)
    quota = np.full(len(person_ids), np.nan)
    for pid, amount in Quota.objects.filter(
        person_id__in=person_ids, period=str(period)
    ).values_list("person_id", "amount"):
        quota[idx[pid]] = float(amount)
    return quota


def load_deals(person_ids: Sequence[int], as_of: date, stage_keys: Sequence[str]) -> dict:
    """Deals open at ``as_of`` or opened in the history window, as arrays for the pace core."""
    idx = _index(person_ids)
    since = _midnight(as_of - timedelta(days=DEAL_HISTORY_DAYS))
    stage_index = {k: i for i, k in enumerate(stage_keys)}
    rows = list(
        Deal.objects.filter(owner_id__in=person_ids)
        .filter(Q(opened_at__gte=since) | Q(status=Deal.Status.OPEN))
        .values_list("owner_id", "value", "opened_at", "closed_at", "status", "stage")
    )
    n = len(rows)
    owner = np.fromiter((idx[r[0]] for r in rows), np.int64, n)
    value = np.fromiter((float(r[1]) for r in rows), np.float64, n)
    opened = np.fromiter((int(r[2].timestamp()) for r in rows), np.int64, n)
    closed = np.fromiter((int(r[3].timestamp()) if r[3] else -1 for r in rows), np.int64, n)
    status_code = {"open": 0, "won": 1, "lost": 2}
    status = np.fromiter((status_code.get(r[4], 0) for r in rows), np.int64, n)
    stage = np.fromiter((stage_index.get(r[5], 0) for r in rows), np.int64, n)
    return {
        "owner": owner,
        "value": value,
        "opened": opened,
        "closed": closed,
        "status": status,
        "stage": stage,
    }


def load_group(
    person_ids: Sequence[int],
    period: Period,
    as_of: date,
    types: Sequence[str],
    stage_keys: Sequence[str],
) -> GroupData:
    """Everything the diagnosis and the pace need for these people, period and date."""
    last_day = period.clamp(as_of)
    won_value, won_count = load_won(person_ids, period.start, last_day)
    count, advanced, pending = load_type_counts(person_ids, types, period.start, last_day)
    return GroupData(
        person_ids=tuple(person_ids),
        type_counts=count,
        advanced=advanced,
        pending=pending,
        won_value=won_value,
        won_count=won_count,
        quota=load_quota(person_ids, period),
        deals=load_deals(person_ids, last_day, stage_keys),
    )


def load_monthly(
    person_ids: Sequence[int], types: Sequence[str], periods: Sequence[Period], as_of: date
) -> dict[Period, GroupData]:
    """Counts and wins per month for several months at once (two aggregate queries).

    For trends: no deals or quotas, so no pace.
    """
    from django.db.models.functions import TruncMonth

    idx = _index(person_ids)
    n = len(person_ids)
    first, last = min(periods), max(periods)
    last_day = last.clamp(as_of)
    empty = {
        p: (
            {t: np.zeros(n) for t in types},
            {t: np.zeros(n) for t in types},
            {t: np.zeros(n) for t in types},
            np.zeros(n),
            np.zeros(n),
        )
        for p in periods
    }
    rows = (
        ActivityRollup.objects.filter(
            person_id__in=person_ids, day__gte=first.start, day__lte=last_day, type__in=list(types)
        )
        .annotate(month=TruncMonth("day"))
        .values_list("person_id", "type", "month")
        .annotate(c=Sum("count"), a=Sum("advanced"), p=Sum("pending"))
    )
    for pid, type_, month, c, a, pend in rows:
        bucket = empty.get(Period.of(month))
        if bucket is None:
            continue
        i = idx[pid]
        bucket[0][type_][i] += c
        bucket[1][type_][i] += a
        bucket[2][type_][i] += pend
    won = (
        Deal.objects.filter(
            owner_id__in=person_ids,
            status=Deal.Status.WON,
            closed_at__gte=_midnight(first.start),
            closed_at__lt=_midnight(last_day + timedelta(days=1)),
        )
        .annotate(month=TruncMonth("closed_at"))
        .values_list("owner_id", "month")
        .annotate(v=Sum("value"), k=Count("id"))
    )
    for pid, month, v, k in won:
        bucket = empty.get(Period.of(month.date() if hasattr(month, "date") else month))
        if bucket is None:
            continue
        bucket[3][idx[pid]] += float(v or 0)
        bucket[4][idx[pid]] += k
    return {
        p: GroupData(
            person_ids=tuple(person_ids),
            type_counts=b[0],
            advanced=b[1],
            pending=b[2],
            won_value=b[3],
            won_count=b[4],
            quota=np.full(n, np.nan),
            deals={},
        )
        for p, b in empty.items()
    }
