"""What goals count, aggregated in the database: activities (and those with a recorded way) from
the rollups, experiments running; the diagnosis's loaders give wins and quotas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db.models import Count, Q, Sum
from numpy.typing import NDArray

from ninety.activity.models import ActivityRollup, Deal
from ninety.experiments.models import Experiment

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Counts:
    """Per person (aligned with the ids asked for) and activity type, over a day range."""

    count: dict[str, FloatArray]
    with_way: dict[str, FloatArray]
    advanced: dict[str, FloatArray]
    pending: dict[str, FloatArray]


def activity_counts(
    person_ids: Sequence[int], types: Sequence[str], first: date, last: date
) -> Counts:
    """Activities per person and type from ``first`` to ``last``: one query over the rollups."""
    idx = {pid: i for i, pid in enumerate(person_ids)}
    out = tuple({t: np.zeros(len(person_ids)) for t in types} for _ in range(4))
    rows = (
        ActivityRollup.objects.filter(
            person_id__in=person_ids, day__gte=first, day__lte=last, type__in=list(types)
        )
        .values_list("person_id", "type")
        .annotate(
            n=Sum("count"),
            w=Sum("count", filter=Q(way__isnull=False)),
            a=Sum("advanced"),
            p=Sum("pending"),
        )
    )
    for pid, type_, *values in rows:
        for arr, v in zip(out, values, strict=True):
            arr[type_][idx[pid]] += v or 0
    return Counts(*out)


def experiments_running(person_ids: Sequence[int], day: date) -> FloatArray:
    """Experiments running on ``day`` with each person among the subjects."""
    idx = {pid: i for i, pid in enumerate(person_ids)}
    out = np.zeros(len(person_ids))
    rows = (
        Experiment.objects.filter(
            subjects__in=person_ids, status=Experiment.Status.RUNNING, start__lte=day
        )
        .values_list("subjects")
        .annotate(n=Count("pk", distinct=True))
    )
    for pid, n in rows:
        out[idx[pid]] = n
    return out


def won_between(
    person_ids: Sequence[int], first: date, last: date
) -> tuple[FloatArray, FloatArray]:
    """Value and number of deals won per person, closed from ``first`` to ``last`` (UTC days,
    as ``ninety.diagnosis.loaders.load_won`` counts them): one grouped query over the
    owner-and-close index, not every open deal of the people."""
    idx = {pid: i for i, pid in enumerate(person_ids)}
    value, count = np.zeros(len(person_ids)), np.zeros(len(person_ids))
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    rows = (
        Deal.objects.filter(
            owner_id__in=person_ids,
            status=Deal.Status.WON,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .values_list("owner_id")
        .annotate(v=Sum("value"), n=Count("pk"))
        .order_by()
    )
    for pid, v, n in rows:
        value[idx[pid]], count[idx[pid]] = float(v or 0), n
    return value, count
