"""Load the arrays the analytics core needs, aggregated in the database (never row by row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain

import numpy as np
from django.db import connection
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncMonth
from numpy.typing import NDArray

from ninety.activity.models import ActivityRollup, ActivityWeekRollup, Deal, Quota
from ninety.core.evidence import bucket_ranges, bucket_starts, week_plan
from ninety.core.periods import Period, quota_shares
from ninety.core.pipeline import step_names
from ninety.diagnosis.deal_rows import (
    DealRows,
    deal_step_grid,
    fetch_deal_rows,
    pace_arrays,
    won_sums,
)
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
    """Value and number of deals won per person from ``start`` to ``last_day``."""
    rows = fetch_deal_rows(person_ids, start)
    value, count = won_sums(rows, person_ids, [start], last_day)
    return value[:, 0], count[:, 0]


def load_quota(person_ids: Sequence[int], period: Period) -> FloatArray:
    """Each rep's quota for the period: the monthly quotas it touches, each times its share of
    that month's business days (NaN when one of those months has no quota)."""
    idx = _index(person_ids)
    shares = dict((str(m), share) for m, share in quota_shares(period))
    quota = np.zeros(len(person_ids))
    seen = np.zeros(len(person_ids), np.int64)
    for pid, month, amount in Quota.objects.filter(
        person_id__in=person_ids, period__in=list(shares)
    ).values_list("person_id", "period", "amount"):
        quota[idx[pid]] += float(amount) * shares[month]
        seen[idx[pid]] += 1
    quota[seen < len(shares)] = np.nan
    return quota


def load_month_quotas(person_ids: Sequence[int], first: date, last: date) -> dict[str, FloatArray]:
    """Each month's quota from ``first``'s month to ``last``'s, one amount per person (NaN
    without one): what an evidence window reaching into earlier months is worth. One query."""
    idx = _index(person_ids)
    months = [str(m) for m in Period(first, last + timedelta(days=1)).months()]
    out = {m: np.full(len(person_ids), np.nan) for m in months}
    for pid, month, amount in Quota.objects.filter(
        person_id__in=person_ids, period__in=months
    ).values_list("person_id", "period", "amount"):
        out[month][idx[pid]] = float(amount)
    return out


def load_deals(person_ids: Sequence[int], as_of: date, stage_keys: Sequence[str]) -> dict:
    """Deals open at ``as_of`` or opened in the history window, as arrays for the pace core."""
    since = as_of - timedelta(days=DEAL_HISTORY_DAYS)
    return pace_arrays(fetch_deal_rows(person_ids, since), person_ids, since, stage_keys)


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


def _rollup_grid(
    table: str,
    column: str,
    keys: Sequence[date],
    person_ids: Sequence[int],
    types: Sequence[str],
    *,
    by_way: bool = True,
) -> FloatArray:
    """Count, advanced and pending per person, type and key of a rollup table: (3, r, t, keys).

    One query; every column comes back as an integer (the type and the key as their positions
    in ``types`` and ``keys``), so the rows become one NumPy array in a single pass and are
    placed without a Python object per cell. A table ``by_way`` holds a row per way, summed
    here (grouped in the order of its unique key); one without ways already holds a row per
    person, key and type, read as it is over the keys' range (a range scan of the unique key:
    a third less than probing each key) and the rows between the keys left out.
    """
    out = np.zeros((3, len(person_ids), len(types), len(keys)))
    if not keys or not person_ids or not types:
        return out
    marks = ", ".join
    where = (
        f"WHERE person_id IN ({marks(['%s'] * len(person_ids))}) AND "
        + (
            f"{column} IN ({marks(['%s'] * len(keys))})"
            if by_way
            else f"{column} BETWEEN %s AND %s"
        )
        + f" AND type IN ({marks(['%s'] * len(types))})"
    )
    amounts = "SUM(count), SUM(advanced), SUM(pending)" if by_way else "count, advanced, pending"
    sql = (
        f"SELECT person_id, {_position('type', len(types))}, {_position(column, len(keys))}, "
        f"{amounts} FROM {table} {where}"
        + (f" GROUP BY person_id, {column}, type" if by_way else "")
    )
    span = list(keys) if by_way else [min(keys), max(keys)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*types, *keys, *person_ids, *span, *types])
        rows = cursor.fetchall()
    if not rows:
        return out
    grid = np.fromiter(chain.from_iterable(rows), np.int64, count=6 * len(rows)).reshape(-1, 6)
    grid = grid[grid[:, 2] >= 0]  # keys inside the range but not asked for
    lookup = np.zeros(max(person_ids) + 1, np.int64)
    lookup[np.asarray(person_ids)] = np.arange(len(person_ids))
    # One row per (person, type, key): placed, not accumulated.
    out[:, lookup[grid[:, 0]], grid[:, 1], grid[:, 2]] = grid[:, 3:].T
    return out


def _position(column: str, n: int) -> str:
    """SQL for the position of ``column`` among ``n`` values passed as parameters."""
    whens = " ".join(f"WHEN %s THEN {i}" for i in range(n))
    return f"CASE {column} {whens} ELSE -1 END"


def load_buckets(
    person_ids: Sequence[int],
    types: Sequence[str],
    period_start: date,
    last_day: date,
    deals: DealRows | None = None,
) -> BucketData:
    """Counts per person, type and bucket, and wins per bucket (from ``deals`` when given: they
    must reach back to the oldest bucket).

    The weeks the buckets cover are read from the weekly rollup and only the days at their
    edges from the daily one (:func:`ninety.core.evidence.week_plan`): the same sums as the
    daily rows alone (a test holds the two equal), from far fewer rows.
    """
    starts = bucket_starts(period_start, last_day)
    plan = week_plan(bucket_ranges(starts, last_day))
    ids, types = list(person_ids), list(types)
    weekly = _rollup_grid(
        ActivityWeekRollup._meta.db_table, "week", plan.weeks, ids, types, by_way=False
    )
    daily = _rollup_grid(ActivityRollup._meta.db_table, "day", plan.days, ids, types)
    grid = weekly @ plan.week_terms + daily @ plan.day_terms  # (3, reps, types, buckets)
    count, advanced, pending = (
        {t: grid[m, :, j, :] for j, t in enumerate(types)} for m in range(3)
    )
    value, won = won_sums(
        fetch_deal_rows(ids, starts[-1]) if deals is None else deals, ids, starts, last_day
    )
    return BucketData(count, advanced, pending, value, won, tuple(starts))


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
    past a stage as successes would inflate the early stages by the stock of open deals). The
    deals are read once (:func:`ninety.diagnosis.deal_rows.fetch_deal_rows`) and counted with
    NumPy (:func:`ninety.diagnosis.deal_rows.deal_step_grid`).
    """
    if with_history is None:
        with_history = has_stage_history(person_ids, steps)
    rows = fetch_deal_rows(person_ids, starts[-1], steps if with_history else ())
    return DealBuckets(*deal_step_grid(rows, person_ids, steps, starts, last_day, with_history))


@dataclass(frozen=True)
class Inputs:
    """Everything a diagnosis with pace reads for a set of people, in one go.

    A whole-org diagnosis loads it once for every rep (one query per table) and cuts each
    comparison's people out of it (:meth:`of`) instead of asking the database again per
    comparison; a team page loads it for its comparison alone. Per person, the numbers are the
    same either way.
    """

    person_ids: tuple[int, ...]
    buckets: BucketData
    quota: FloatArray
    #: Deals open, or opened or closed since the oldest day any part of the diagnosis reads.
    deals: DealRows
    #: The people with stage history (a deal step among their rollups).
    with_history: frozenset[int]
    #: Monthly quotas ("YYYY-MM" → per person) of the months the evidence windows reach.
    month_quotas: dict[str, FloatArray] | None = None

    def of(self, person_ids: Sequence[int]) -> Inputs:
        if tuple(person_ids) == self.person_ids:
            return self
        index = _index(self.person_ids)
        rows = np.array([index[p] for p in person_ids], np.int64)
        b = self.buckets

        def cut(d: dict[str, FloatArray]) -> dict[str, FloatArray]:
            return {k: v[rows] for k, v in d.items()}

        buckets = BucketData(
            cut(b.type_counts), cut(b.advanced), cut(b.pending), b.won_value[rows],
            b.won_count[rows], b.starts,
        )  # fmt: skip
        months = None if self.month_quotas is None else cut(self.month_quotas)
        return Inputs(
            tuple(person_ids), buckets, self.quota[rows], self.deals.of(person_ids),
            self.with_history & set(person_ids), months,
        )  # fmt: skip


def load_inputs(
    person_ids: Sequence[int],
    types: Sequence[str],
    steps: Sequence[str],
    period: Period,
    last_day: date,
) -> Inputs:
    """:class:`Inputs` for these people: activity types, deal steps, the period to ``last_day``."""
    ids = list(person_ids)
    since = min(period.start, last_day - timedelta(days=DEAL_HISTORY_DAYS))
    since = min(since, bucket_starts(period.start, last_day)[-1])
    history: frozenset[int] = frozenset()
    if steps:
        # The weekly rollup holds the same people and types as the daily one, in fewer rows.
        history = frozenset(
            ActivityWeekRollup.objects.filter(person_id__in=ids, type__in=list(steps))
            .values_list("person_id", flat=True)
            .distinct()
        )
    deals = fetch_deal_rows(ids, since, steps if history else ())
    return Inputs(
        tuple(ids),
        load_buckets(ids, types, period.start, last_day, deals),
        load_quota(ids, period),
        deals,
        history,
        load_month_quotas(ids, bucket_starts(period.start, last_day)[-1], last_day),
    )


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
