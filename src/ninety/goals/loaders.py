"""What goals count, aggregated in the database: activities (and those with a recorded way) from
the rollups, experiments running; the diagnosis's loaders give wins and quotas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Count, Q, Sum
from numpy.typing import NDArray

from ninety.activity.models import ActivityRollup
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
