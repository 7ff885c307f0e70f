"""Reads of the playbook that matter: the whole tree in a few queries, and which ways work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch, Sum

from ninety.activity.models import ActivityRollup
from ninety.conf import today
from ninety.core.ways import (
    WayEstimate,
    WaysResult,
    guard_untried,
    rank_ways,
    rep_adjusted_successes,
    thompson_pick,
)
from ninety.people.models import Person, Role, Team
from ninety.people.permissions import visible_people
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
    #: Way key -> the successes as logged (the result's are rep-adjusted, so the page shows
    #: these beside the tries: converted ÷ tried must read as the share it is).
    converted: dict[str, int] = field(default_factory=dict)

    @property
    def estimates(self) -> dict[str, WayEstimate]:
        """Way key -> its estimate."""
        return {w.key: w for w in self.result.ways}


def _way_counts(
    playbook: Playbook, since: dt.date, people: Sequence[int] | None = None
) -> dict[tuple[str, str, str], dict[int, tuple[int, int]]]:
    """(stage key, behavior key, way key) -> {person id: (tries, successes)}, all versions.

    A way is identified across versions by its keys, so publishing a new version keeps the
    evidence of the activities logged under older ones (which still point at the old rows).
    Tries are the attempts whose outcome is known (pending ones are neither won nor lost yet).
    Counts are kept per rep so that each rep's own skill can be taken out of the ranking.
    ``people`` limits the evidence to those reps (a team and its siblings). The ways are looked
    up first (a small table), so the big rollup query needs no joins.
    """
    ways = {
        w["id"]: w
        for w in Way.objects.filter(behavior__stage__playbook__org_id=playbook.org_id).values(
            "id", "key", "behavior__key", "behavior__stage__key", "behavior__stage__entry_type"
        )
    }
    rows = ActivityRollup.objects.filter(day__gte=since, way_id__in=list(ways))
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    grouped = rows.values_list("person_id", "way_id", "type").annotate(
        tries=Sum("count"), pending=Sum("pending"), successes=Sum("advanced")
    )
    out: dict[tuple[str, str, str], dict[int, tuple[int, int]]] = {}
    for person_id, way_id, type_, tries, pending, successes in grouped:
        w = ways[way_id]
        if type_ != w["behavior__stage__entry_type"]:
            continue  # the way is recorded on its stage's entry activity only
        key = (w["behavior__stage__key"], w["behavior__key"], w["key"])
        known = int(tries or 0) - int(pending or 0)
        counts = out.setdefault(key, {})
        old_n, old_x = counts.get(person_id, (0, 0))
        counts[person_id] = (old_n + known, old_x + min(int(successes or 0), known))
    return out


def _stage_counts(
    playbook: Playbook, types: set[str], since: dt.date, people: Sequence[int] | None = None
) -> dict[str, tuple[int, int]]:
    """Entry type -> (all activities, advanced) at the stage, with or without a way."""
    rows = ActivityRollup.objects.filter(
        person__org_id=playbook.org_id, day__gte=since, type__in=types
    )
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    grouped = rows.values("type").annotate(total=Sum("count"), advanced=Sum("advanced"))
    return {r["type"]: (int(r["total"] or 0), int(r["advanced"] or 0)) for r in grouped}


def _adjusted(per_way: list[dict[int, tuple[int, int]]]) -> tuple[list[int], list[float]]:
    """Tries per way, and successes with each rep's own skill taken out (not the logged ones).

    Reps pick ways unevenly: a strong rep who favours one way makes it look better than it is.
    ``rep_adjusted_successes`` standardises to the average rep (on the simulator, the top way
    is the true best in 82% of behaviors this way, against 77% on raw counts).
    """
    people = sorted({p for counts in per_way for p in counts})
    if not people:
        return [0] * len(per_way), [0.0] * len(per_way)
    index = {p: i for i, p in enumerate(people)}
    n = np.zeros((len(people), len(per_way)))
    x = np.zeros_like(n)
    for j, counts in enumerate(per_way):
        for p, (tries, won) in counts.items():
            n[index[p], j], x[index[p], j] = tries, won
    return [int(v) for v in n.sum(0)], [float(v) for v in rep_adjusted_successes(x, n)]


def which_ways_work(
    playbook: Playbook,
    stages: list[Stage],
    *,
    since: dt.date | None = None,
    seed: int = 0,
    people: Sequence[int] | None = None,
) -> dict[int, BehaviorWays]:
    """Per behavior id: posterior, interval, P(best), adherence and a Thompson suggestion.

    Counts are aggregated in the database over the daily rollup (two queries whatever the
    number of activities). Approved ways are ranked; proposed and retired ones are not (a
    proposal is judged once a leader approves it, and starts from the prior then).
    """
    since = since or (today() - dt.timedelta(days=WAYS_WINDOW_DAYS))
    counts = _way_counts(playbook, since, people)
    stage_counts = _stage_counts(playbook, {s.entry_type for s in stages}, since, people)
    out: dict[int, BehaviorWays] = {}
    for stage in stages:
        total, advanced = stage_counts.get(stage.entry_type, (0, 0))
        stage_rate = advanced / total if total else None
        for behavior in stage.behaviors.all():
            approved = [w for w in behavior.ways.all() if w.status == Way.Status.APPROVED]
            keys = [w.key for w in approved]
            per_way = [counts.get((stage.key, behavior.key, w.key), {}) for w in approved]
            tries, successes = _adjusted(per_way)
            logged = {k: sum(x for _, x in c.values()) for k, c in zip(keys, per_way, strict=True)}
            result = rank_ways(
                keys,
                successes,
                tries,
                stage_rate=stage_rate,
                stage_total=max(total, sum(tries)),
                seed=seed + behavior.pk,
            )
            out[behavior.pk] = BehaviorWays(
                behavior, result, {w.key: w for w in approved}, stage_rate, logged
            )
    return out


def suggestion_seed(person: Person, day: dt.date | None = None) -> int:
    """A seed per person and day: each rep's Thompson suggestion is stable for the day."""
    day = day or today()
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
            pick = guard_untried([w.tries for w in arms], [w.p_best for w in arms], pick)
            out[behavior_id] = arms[pick].key
    return out


def evidence_people(viewer: Person) -> list[int] | None:
    """Whose activities the playbook page ranks ways on, for ``viewer``.

    A leader: the people they lead; a rep: their team (shown only as team totals); an admin:
    the whole org (``None``). Keeps the page about the viewer's own teams, and fast in a big org.
    """
    if viewer.role == Role.ADMIN:
        return None
    if viewer.role == Role.REP:
        return team_evidence(viewer)
    return list(visible_people(viewer).values_list("pk", flat=True))


def team_evidence(rep: Person) -> list[int]:
    """The reps of ``rep``'s team (``rep`` alone without a team): whose ways the rep page, the
    prep sheet and the rep's playbook page rank, so P(best) reads the same on each."""
    if rep.team_id is None:
        return [rep.pk]
    return list(
        Person.objects.filter(team_id=rep.team_id, role=Role.REP).values_list("pk", flat=True)
    )


def evidence_label(viewer: Person, people: list[int] | None) -> str:
    """Whose activities ``people`` are, in words: 'Greeting Crew', 'the 24 reps you lead'."""
    if people is None:
        return "the whole organisation"
    if viewer.role == Role.REP:
        return viewer.team.name if viewer.team is not None else "you alone"
    led = list(Team.objects.filter(leader=viewer).values_list("pk", "name")[:2])
    if len(led) == 1 and not Team.objects.filter(parent_id=led[0][0]).exists():
        return led[0][1]
    reps = Person.objects.filter(pk__in=people, role=Role.REP).count()
    return f"the {reps} reps you lead"
