"""What coaching gives the goals app: the recital score and the one-on-ones held (registered
when Django starts, by ``ninety.goals.apps``' discovery of ``goal_sources`` modules)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Sum

from ninety.coaching.models import OneOnOne, Recital
from ninety.goals.sources import register


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), UTC), datetime.combine(
        last + timedelta(days=1), time(), UTC
    )


def recital(person_ids: Sequence[int], first: date, last: date) -> dict[int, tuple[float, float]]:
    """Ways recited of ways asked, in the one-on-ones held from ``first`` to ``last``."""
    start, end = _bounds(first, last)
    rows = (
        Recital.objects.filter(
            meeting__rep_id__in=person_ids,
            meeting__status=OneOnOne.Status.DONE,
            meeting__scheduled_at__gte=start,
            meeting__scheduled_at__lt=end,
        )
        .values_list("meeting__rep_id")
        .annotate(hits=Sum("recited_count"), total=Sum("ways_total"))
    )
    return {pid: (float(h or 0), float(t or 0)) for pid, h, t in rows}


def one_on_ones(
    person_ids: Sequence[int], first: date, last: date
) -> dict[int, tuple[float, float]]:
    """One-on-ones held (done) from ``first`` to ``last``."""
    start, end = _bounds(first, last)
    rows = (
        OneOnOne.objects.filter(
            rep_id__in=person_ids,
            status=OneOnOne.Status.DONE,
            scheduled_at__gte=start,
            scheduled_at__lt=end,
        )
        .values_list("rep_id")
        .annotate(n=Count("pk"))
    )
    return {pid: (float(n), 0.0) for pid, n in rows}


register("recital", recital)
register("one_on_ones", one_on_ones)
