"""Load the arrays the analytics core needs, aggregated in the database (never row by row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Case, Count, IntegerField, Min, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower, TruncMonth
from numpy.typing import NDArray

from ninety.activity.models import Activity, ActivityRollup, Deal, Quota
from ninety.core.evidence import bucket_starts
from ninety.core.periods import Period
from ninety.core.pipeline import step_counts, step_names
from ninety.people.models import Person

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
    """Deals open at ``as_of`` or opened in the history window, as arrays for the pace core.

    One query that returns numbers only (epoch seconds, codes): building Python datetimes and
    Decimals for a 1,000-rep org's 100,000 deals took over a second.
    """
    n_people = len(person_ids)
    if not n_people:
        return {
            k: np.zeros(0, np.int64) for k in ("owner", "opened", "closed", "status", "stage")
        } | {"value": np.zeros(0)}
    since = _midnight(as_of - timedelta(days=DEAL_HISTORY_DAYS))
    if connection.vendor == "postgresql":
        epoch = "CAST(EXTRACT(EPOCH FROM {}) AS BIGINT)"
        real = "CAST({} AS DOUBLE PRECISION)"
    else:
        epoch = "CAST(strftime('%%s', {}) AS INTEGER)"  # %% : the driver's placeholder escape
        real = "CAST({} AS REAL)"
    table = connection.ops.quote_name(Deal._meta.db_table)
    marks = ", ".join(["%s"] * n_people)
    sql = (
        f"SELECT owner_id, {real.format('value')}, {epoch.format('opened_at')}, "
        f"COALESCE({epoch.format('closed_at')}, -1), "
        "CASE status WHEN 'won' THEN 1 WHEN 'lost' THEN 2 ELSE 0 END, stage "
        f"FROM {table} WHERE owner_id IN ({marks}) AND (opened_at >= %s OR status = 'open')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*person_ids, since])
        rows = cursor.fetchall()
    if not rows:
        return load_deals([], as_of, stage_keys)
    owners, values, opened, closed, status, stages = zip(*rows, strict=True)
    lookup = np.zeros(max(person_ids) + 1, np.int64)
    lookup[np.asarray(person_ids)] = np.arange(n_people)
    names, inverse = np.unique(np.asarray(stages, dtype=object).astype(str), return_inverse=True)
    stage_index = {k: i for i, k in enumerate(stage_keys)}
    stage_codes = np.array([stage_index.get(str(name), 0) for name in names], np.int64)
    return {
        "owner": lookup[np.asarray(owners, np.int64)],
        "value": np.asarray(values, np.float64),
        "opened": np.asarray(opened, np.int64),
        "closed": np.asarray(closed, np.int64),
        "status": np.asarray(status, np.int64),
        "stage": stage_codes[inverse.ravel()],
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


@dataclass(frozen=True)
class BucketData:
    """Per-rep counts by evidence bucket (see :mod:`ninety.core.evidence`): arrays (reps, buckets).

    Bucket 0 is the period to the as-of day, bucket b the b-th whole week before the period.
    """

    type_counts: dict[str, FloatArray]
    advanced: dict[str, FloatArray]
    pending: dict[str, FloatArray]
    won_value: FloatArray
    won_count: FloatArray
    starts: tuple[date, ...]


def _bucket_case(field: str, starts: Sequence[date], as_datetime: bool) -> Case:
    whens = [
        When(**{f"{field}__gte": _midnight(d) if as_datetime else d}, then=Value(b))
        for b, d in enumerate(starts)
    ]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def load_buckets(
    person_ids: Sequence[int],
    types: Sequence[str],
    period_start: date,
    last_day: date,
) -> BucketData:
    """Counts per person, type and bucket, and wins per bucket: two aggregate queries."""
    starts = bucket_starts(period_start, last_day)
    idx = _index(person_ids)
    r, nb = len(person_ids), len(starts)
    count = {t: np.zeros((r, nb)) for t in types}
    advanced = {t: np.zeros((r, nb)) for t in types}
    pending = {t: np.zeros((r, nb)) for t in types}
    rows = (
        ActivityRollup.objects.filter(
            person_id__in=person_ids, day__gte=starts[-1], day__lte=last_day, type__in=list(types)
        )
        .annotate(bucket=_bucket_case("day", starts, as_datetime=False))
        .values_list("person_id", "type", "bucket")
        .annotate(n=Sum("count"), a=Sum("advanced"), p=Sum("pending"))
    )
    for pid, type_, b, n, a, p in rows:
        i = idx[pid]
        count[type_][i, b] += n
        advanced[type_][i, b] += a
        pending[type_][i, b] += p
    value, won = np.zeros((r, nb)), np.zeros((r, nb))
    deals = (
        Deal.objects.filter(
            owner_id__in=person_ids,
            status=Deal.Status.WON,
            closed_at__gte=_midnight(starts[-1]),
            closed_at__lt=_midnight(last_day + timedelta(days=1)),
        )
        .annotate(bucket=_bucket_case("closed_at", starts, as_datetime=True))
        .values_list("owner_id", "bucket")
        .annotate(v=Sum("value"), k=Count("id"))
    )
    for pid, b, v, k in deals:
        value[idx[pid], b] += float(v or 0)
        won[idx[pid], b] += k
    return BucketData(count, advanced, pending, value, won, tuple(starts))


def _deal_level(steps: Sequence[str], with_history: bool) -> Any:
    """How far each deal got, as a step index: won → the last step; else the furthest of its
    stage history (when imported) and its current stage (see ``step_names``)."""
    top = len(steps) - 1
    names = step_names(steps)
    by_step: dict[int, list[str]] = {}
    for name, i in names.items():
        by_step.setdefault(i, []).append(name)
    current = Case(
        When(status=Deal.Status.WON, then=Value(top)),
        *[When(stage_lc__in=sorted(n), then=Value(i)) for i, n in sorted(by_step.items())],
        default=Value(0),
        output_field=IntegerField(),
    )
    if not with_history:
        return current
    history = (
        Activity.objects.filter(deal=OuterRef("pk"), type__in=list(steps[1:]))
        .annotate(
            lv=Case(
                *[When(type=s, then=Value(i)) for i, s in enumerate(steps) if i > 0],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-lv")
        .values("lv")[:1]
    )
    return Greatest(current, Coalesce(Subquery(history, output_field=IntegerField()), Value(0)))


def has_stage_history(person_ids: Sequence[int], steps: Sequence[str]) -> bool:
    """Whether any deal step was imported as stage history for these people (the rollup index)."""
    return ActivityRollup.objects.filter(person_id__in=person_ids, type__in=list(steps)).exists()


@dataclass(frozen=True)
class DealBuckets:
    """Deal-step counts per person and bucket, each (reps, buckets): see core.pipeline."""

    entries: dict[str, FloatArray]
    advanced: dict[str, FloatArray]
    pending: dict[str, FloatArray]
    #: Deals opened in each bucket (the volume).
    opened: FloatArray


def load_deal_buckets(
    person_ids: Sequence[int],
    steps: Sequence[str],
    starts: Sequence[date],
    last_day: date,
    *,
    with_history: bool | None = None,
) -> DealBuckets:
    """Deal-step entries, advanced and pending per person and bucket, and the deals opened.

    ``starts`` are the buckets' first days, newest first (evidence buckets or months). A deal's
    stages count once it has closed, in the bucket it closed in: its level is final then, so a
    stage's tries and successes are a binomial over decided deals (counting open deals that got
    past a stage as successes would inflate the early stages by the stock of open deals). One
    aggregate query groups the closed deals by owner, bucket and level, and
    :func:`ninety.core.pipeline.step_counts` turns that small grid into the counts; a second one
    counts the deals opened per bucket (the volume).
    """
    steps = tuple(steps)
    if with_history is None:
        with_history = has_stage_history(person_ids, steps)
    idx = _index(person_ids)
    r, nb, ns = len(person_ids), len(starts), len(steps)
    since, until = _midnight(starts[-1]), _midnight(last_day + timedelta(days=1))
    rows = (
        Deal.objects.filter(owner_id__in=person_ids, closed_at__gte=since, closed_at__lt=until)
        .exclude(status=Deal.Status.OPEN)
        .annotate(stage_lc=Lower("stage"))
        .annotate(
            bucket=_bucket_case("closed_at", starts, as_datetime=True),
            level=_deal_level(steps, with_history),
        )
        .values_list("owner_id", "bucket", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    grid = np.zeros((r, nb, ns, 2))  # the last axis: open (none here) / closed
    for pid, b, lv, n in rows:
        grid[idx[pid], b, lv, 0] += n
    opened = np.zeros((r, nb))
    for pid, b, n in (
        Deal.objects.filter(owner_id__in=person_ids, opened_at__gte=since, opened_at__lt=until)
        .annotate(bucket=_bucket_case("opened_at", starts, as_datetime=True))
        .values_list("owner_id", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    ):
        opened[idx[pid], b] += n
    entries, advanced, pending = step_counts(grid, steps)
    return DealBuckets(entries, advanced, pending, opened)


def seen_steps(org_id: int, steps: Sequence[str]) -> set[str]:
    """The deal steps a lost deal of the org is recorded at, or its stage history shows.

    Only these can be judged: when a lost deal's stage before the loss is not kept (``Closed
    Lost`` alone), a stage's failures cannot be told from the next one's, and the stages merge.
    """
    names = step_names(steps)
    lost = Deal.objects.filter(org_id=org_id, status=Deal.Status.LOST)
    seen = {
        steps[names[s.lower()]]
        for s in lost.values_list("stage", flat=True).distinct()
        if s and s.lower() in names
    }
    people = list(Person.objects.filter(org_id=org_id).values_list("pk", flat=True))
    seen |= set(
        ActivityRollup.objects.filter(person_id__in=people, type__in=list(steps))
        .values_list("type", flat=True)
        .distinct()
    )
    return seen


def first_month_with_data(org_id: int) -> date | None:
    """The first day of the earliest month with a deal or an activity of the org (two queries)."""
    first_deal = Deal.objects.filter(org_id=org_id).aggregate(m=Min("opened_at"))["m"]
    people = Person.objects.filter(org_id=org_id).values("pk")
    first_day = (
        ActivityRollup.objects.filter(person_id__in=people)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    days = [d for d in (first_deal.date() if first_deal else None, first_day) if d is not None]
    return min(days).replace(day=1) if days else None
