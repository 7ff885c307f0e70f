"""Reads of the playbook that matter: the whole tree in a few queries, and which ways work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import F, Prefetch, Sum
from django.utils import timezone

from ninety.activity.models import ActivityRollup
from ninety.core.ways import WayEstimate, WaysResult, rank_ways, thompson_pick
from ninety.people.models import Person
from ninety.playbook.models import Behavior, DiagnosticQuestion, Playbook, Stage, Way

#: Which ways work is judged on this many recent days of activity.
WAYS_WINDOW_DAYS = 90


def playbook_tree(playbook: Playbook) -> list[Stage]:
    """Stages in order with behaviors, questions and ways (with authors) prefetched: 5 queries."""
    ways = Way.objects.select_related("author").order_by("order", "pk")
    behaviors = Behavior.objects.order_by("order", "pk").prefetch_related(
        Prefetch("ways", queryset=ways),
        Prefetch("questions", queryset=DiagnosticQuestion.objects.order_by("order", "pk")),
    )
    return list(
        playbook.stages.order_by("order", "pk").prefetch_related(
            Prefetch("behaviors", queryset=behaviors)
        )
    )


@dataclass(frozen=True)
class BehaviorWays:
    """Which ways work for one behavior: the core's result plus the stored ways it is about."""

    behavior: Behavior
    result: WaysResult
    ways: dict[str, Way] = field(default_factory=dict)
    stage_rate: float | None = None

    @property
    def estimates(self) -> dict[str, WayEstimate]:
        """Way key -> its estimate."""
        return {w.key: w for w in self.result.ways}


def _way_counts(playbook: Playbook, since: dt.date) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(stage key, behavior key, way key) -> (tries, successes), over every version of the org.

    A way is identified across versions by its keys, so publishing a new version keeps the
    evidence of the activities logged under older ones (which still point at the old rows).
    """
    rows = ActivityRollup.objects.filter(
        person__org_id=playbook.org_id,
        day__gte=since,
        way__isnull=False,
        way__behavior__stage__playbook__org_id=playbook.org_id,
        type=F("way__behavior__stage__entry_type"),
    )
    grouped = rows.values("way__behavior__stage__key", "way__behavior__key", "way__key").annotate(
        tries=Sum("count"), successes=Sum("advanced")
    )
    return {
        (r["way__behavior__stage__key"], r["way__behavior__key"], r["way__key"]): (
            int(r["tries"] or 0),
            int(r["successes"] or 0),
        )
        for r in grouped
    }


def _stage_counts(
    playbook: Playbook, types: set[str], since: dt.date
) -> dict[str, tuple[int, int]]:
    """Entry type -> (all activities, advanced) at the stage, with or without a way."""
    rows = ActivityRollup.objects.filter(
        person__org_id=playbook.org_id, day__gte=since, type__in=types
    )
    grouped = rows.values("type").annotate(total=Sum("count"), advanced=Sum("advanced"))
    return {r["type"]: (int(r["total"] or 0), int(r["advanced"] or 0)) for r in grouped}


def which_ways_work(
    playbook: Playbook,
    stages: list[Stage],
    *,
    since: dt.date | None = None,
    seed: int = 0,
) -> dict[int, BehaviorWays]:
    """Per behavior id: posterior, interval, P(best), adherence and a Thompson suggestion.

    Counts are aggregated in the database over the daily rollup (two queries whatever the
    number of activities). Approved ways are ranked; proposed and retired ones are not (a
    proposal is judged once a leader approves it, and starts from the prior then).
    """
    since = since or (timezone.localdate() - dt.timedelta(days=WAYS_WINDOW_DAYS))
    counts = _way_counts(playbook, since)
    stage_counts = _stage_counts(playbook, {s.entry_type for s in stages}, since)
    out: dict[int, BehaviorWays] = {}
    for stage in stages:
        total, advanced = stage_counts.get(stage.entry_type, (0, 0))
        stage_rate = advanced / total if total else None
        for behavior in stage.behaviors.all():
            approved = [w for w in behavior.ways.all() if w.status == Way.Status.APPROVED]
            keys = [w.key for w in approved]
            tries, successes = [], []
            for w in approved:
                n, x = counts.get((stage.key, behavior.key, w.key), (0, 0))
                tries.append(n)
                successes.append(min(x, n))
            result = rank_ways(
                keys,
                successes,
                tries,
                stage_rate=stage_rate,
                stage_total=max(total, sum(tries)),
                seed=seed + behavior.pk,
            )
            out[behavior.pk] = BehaviorWays(
                behavior, result, {w.key: w for w in approved}, stage_rate
            )
    return out


def suggestion_seed(person: Person, day: dt.date | None = None) -> int:
    """A seed per person and day: each rep's Thompson suggestion is stable for the day."""
    day = day or timezone.localdate()
    return person.pk * 100_003 + day.toordinal()


def proposals(playbook: Playbook) -> list[Way]:
    """Ways awaiting a leader's decision on this version, oldest first."""
    return list(
        Way.objects.filter(behavior__stage__playbook=playbook, status=Way.Status.PROPOSED)
        .select_related("author", "behavior", "behavior__stage")
        .order_by("pk")
    )


def suggestions_for(person: Person, ways: dict[int, BehaviorWays]) -> dict[int, str]:
    """Behavior id -> the way ``person`` should practise next (one Thompson draw per behavior).

    The draw uses the team's posteriors with a seed of the person and the day, so two reps get
    different suggestions in proportion to each way's chance of being best, and a rep sees the
    same suggestion all day.
    """
    rng = np.random.default_rng(suggestion_seed(person))
    out: dict[int, str] = {}
    for behavior_id, bw in sorted(ways.items()):
        arms = bw.result.ways
        if arms:
            pick = thompson_pick([w.alpha for w in arms], [w.beta for w in arms], rng)
            out[behavior_id] = arms[pick].key
    return out
