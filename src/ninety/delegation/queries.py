"""Reads that matter: the attention week, who to delegate to, what waits for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from ninety.conf import now_as_served
from ninety.core import attention
from ninety.core.attention import DelegateFacts, DelegateSuggestion, IsoWeek, Split
from ninety.core.goals import suggested_stage
from ninety.core.periods import Period
from ninety.delegation.models import Delegation, TacticalTask, TimeEntry
from ninety.diagnosis.services import team_report
from ninety.people.models import Person, Role
from ninety.people.permissions import managed_people
from ninety.people.timezones import zone_name, zone_of
from ninety.playbook.models import Stage
from ninety.playbook.services import current_playbook

# How many earlier weeks tell a one-off from a recurring item.
HISTORY_WEEKS = 4


@dataclass(frozen=True)
class WaitingReview:
    """A delegated task whose outcome the leader has not reviewed yet."""

    delegation: Delegation
    title: str
    delegate: str
    coachee: str | None
    status: str
    url: str

    @property
    def reported(self) -> bool:
        return self.delegation.status == Delegation.Status.REPORTED


def waiting_review(leader: Person) -> list[WaitingReview]:
    """The leader's delegations that are open or reported, reported first (for the dashboard)."""
    rows = (
        Delegation.objects.filter(
            task__owner=leader,
            status__in=[Delegation.Status.OPEN, Delegation.Status.REPORTED],
        )
        .select_related("task", "delegate", "coachee")
        .order_by("-status", "-reported_at", "-created_at")
    )
    url = reverse("delegation")
    return [
        WaitingReview(
            delegation=d,
            title=d.task.title,
            delegate=d.delegate.name,
            coachee=d.coachee.name if d.coachee else None,
            status="done — review" if d.status == Delegation.Status.REPORTED else "in progress",
            url=f"{url}#delegation-{d.pk}",
        )
        for d in rows
    ]


@dataclass(frozen=True)
class Candidate:
    """A recurring tactical item, with the URL that opens a prefilled delegation form."""

    title: str
    minutes: int
    occurrences: int
    task_category: str
    delegate_url: str

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class AttentionWeek:
    """One leader's week: the split, the 90 : 10 ratio, the tactical share, what to delegate."""

    leader: Person
    week: IsoWeek
    split: Split
    percent: dict[str, int]
    candidates: tuple[Candidate, ...]
    entries: int
    # The week's calendar still ahead (not counted: only time that has passed is attention).
    plan: Split | None = None
    zone: str = "UTC"

    @property
    def plan_hours(self) -> float:
        return self.plan.total / 60 if self.plan is not None else 0.0

    @property
    def behavior_pct(self) -> int:
        return self.percent[attention.BEHAVIOR]

    @property
    def results_pct(self) -> int:
        return self.percent[attention.RESULTS]

    @property
    def tactical_pct(self) -> int:
        return self.percent[attention.TACTICAL]

    def as_json(self) -> dict[str, object]:
        s = self.split
        return {
            "leader": self.leader.name,
            "week": str(self.week),
            "minutes": s.minutes,
            "total_minutes": s.total,
            "shares": {k: round(v, 4) for k, v in s.shares.items()},
            "percent": self.percent,
            "time_zone": self.zone,
            "planned_minutes": self.plan.minutes if self.plan is not None else {},
            "behavior_vs_results": None
            if s.behavior_vs_results is None
            else round(s.behavior_vs_results, 4),
            "target_behavior_vs_results": s.target,
            "tactical_share": None if s.tactical_share is None else round(s.tactical_share, 4),
            "delegate_next": [
                {
                    "title": c.title,
                    "minutes": c.minutes,
                    "occurrences": c.occurrences,
                    "task_category": c.task_category,
                    "delegate_url": c.delegate_url,
                }
                for c in self.candidates
            ],
        }


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _now() -> datetime:
    return now_as_served()


def _passed_minutes(start: datetime, minutes: int, now: datetime) -> int:
    """How much of an entry lies before ``now`` (all of it, some of it, or none)."""
    if start >= now:
        return 0
    return min(minutes, int((now - start).total_seconds() // 60))


def delegate_url(title: str, category: str, minutes: int) -> str:
    """The delegation page with the new-task form filled in (one click from the meter)."""
    query = urlencode(
        {
            "title": title,
            "category": category,
            "minutes": minutes,
            "recurrence": "weekly",
        }
    )
    return f"{reverse('delegation')}?{query}#new-task"


def attention_week(leader: Person, week: IsoWeek, now: datetime | None = None) -> AttentionWeek:
    """The leader's attention in ``week`` of the leader's own zone (2 queries).

    Only time that has passed by ``now`` counts; the rest of the week's calendar is the plan.
    """
    now = now or _now()
    zone = zone_of(leader)
    first = week.shift(-HISTORY_WEEKS)
    rows = list(
        TimeEntry.objects.filter(
            leader=leader,
            start__gte=datetime.combine(first.start, time.min, tzinfo=zone),
            start__lt=datetime.combine(week.end, time.min, tzinfo=zone),
        ).values_list("start", "minutes", "category", "title", "recurring")
    )
    in_week = [r for r in rows if IsoWeek.of(r[0].astimezone(zone).date()) == week]
    passed = [(r[2], _passed_minutes(r[0], r[1], now)) for r in in_week]
    split = attention.split(passed)
    plan = attention.split((r[2], r[1] - p) for r, (_, p) in zip(in_week, passed, strict=True))
    delegated = TacticalTask.objects.filter(
        owner=leader, status=TacticalTask.Status.DELEGATED
    ).values_list("title", flat=True)
    items = [
        attention.TimeItem(
            title=title,
            category=category,
            minutes=minutes,
            week=IsoWeek.of(start.astimezone(zone).date()),
            recurring=recurring,
        )
        for start, minutes, category, title, recurring in rows
    ]
    found = attention.delegation_candidates(items, week, already_delegated=list(delegated))
    candidates = tuple(
        Candidate(
            title=c.title,
            minutes=c.minutes_this_week,
            occurrences=c.occurrences,
            task_category=c.task_category,
            delegate_url=delegate_url(c.title, c.task_category, c.minutes_this_week),
        )
        for c in found
    )
    return AttentionWeek(
        leader=leader,
        week=week,
        split=split,
        percent=attention.rounded_percentages(split.shares),
        candidates=candidates,
        entries=len(in_week),
        plan=plan,
        zone=zone_name(leader),
    )


# --- Who to delegate to ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    person: Person
    score: float
    reasons: tuple[str, ...]
    eligible: bool  # a rep must be high-potential before they can be chosen


@dataclass(frozen=True)
class Suggestions:
    coachee: Person | None
    focus_key: str | None
    focus_label: str | None
    focus_stage: Stage | None
    ranked: tuple[Suggestion, ...]
    #: False when no stage is a certain focus and ``focus_key`` is the stage the evidence points
    #: most below the team (the goal suggestion's rule): a suggestion, said as one.
    certain: bool = True


def open_delegation_counts(person_ids: list[int]) -> dict[int, int]:
    rows = (
        Delegation.objects.filter(delegate_id__in=person_ids, status=Delegation.Status.OPEN)
        .values("delegate_id")
        .annotate(n=Count("id"))
    )
    return Counter({r["delegate_id"]: r["n"] for r in rows})


def suggest_delegates(leader: Person, coachee: Person | None, as_of: date) -> Suggestions:
    """Who could take a coaching session for ``coachee``, ranked from data.

    The coachee's focus stage comes from the team diagnosis; the reps reliably strong at that
    stage are ``group.peer_strength[focus]``; availability is the number of open delegations.
    Candidates: the other leaders of the org, and the reps ``leader`` manages.
    """
    focus_key = focus_label = None
    certain = True
    strong: set[int] = set()
    if coachee is not None and coachee.team_id:
        report = team_report(coachee.team, Period.of(as_of), as_of)  # type: ignore[arg-type]
        rep = report.for_person(coachee.pk) if report else None
        if report is not None and rep is not None:
            d, keys = rep.diagnosis, report.playbook.stage_keys
            focus_key = d.focus
            if focus_key is None:
                # No certain focus (day 1, a quiet month): the stage the evidence points most
                # below the team, the same rule as the goal suggestion; never a strength.
                focus_key = suggested_stage(
                    None,
                    {k: d.p_material[k] for k in keys},
                    {k: d.p_worse[k] for k in keys},
                    {k: d.stages[k].mean / d.stages[k].group_rate for k in keys},
                    d.strengths,
                )
                certain = False
        if focus_key is not None:
            focus_label = report.factor_label(focus_key)
            # peer_strength holds indices into the diagnosed group, as RepDiagnosis.rep does.
            by_index = {r.diagnosis.rep: r.person.pk for r in report.reps}
            idx = report.group.peer_strength.get(focus_key, ())
            strong = {by_index[i] for i in idx if i in by_index}
    pool = list(
        Person.objects.filter(org_id=leader.org_id, is_active=True)
        .filter(Q(role=Role.LEADER) | Q(pk__in=managed_people(leader).filter(role=Role.REP)))
        .exclude(pk=leader.pk)
        .exclude(pk=getattr(coachee, "pk", None))
        .select_related("team")
    )
    counts = open_delegation_counts([p.pk for p in pool])
    facts = [
        DelegateFacts(
            person_id=p.pk,
            name=p.name,
            is_leader=p.role == Role.LEADER,
            high_potential=p.high_potential,
            strong_at_focus=p.pk in strong,
            open_delegations=counts.get(p.pk, 0),
        )
        for p in pool
    ]
    by_id = {p.pk: p for p in pool}
    ranked: list[DelegateSuggestion] = attention.rank_delegates(
        facts, focus_label=focus_label, limit=6
    )
    stage = None
    if focus_key:
        playbook = current_playbook(leader.org)
        stage = playbook.stages.filter(key=focus_key).first() if playbook else None
    return Suggestions(
        coachee=coachee,
        focus_key=focus_key,
        focus_label=focus_label,
        focus_stage=stage,
        ranked=tuple(
            Suggestion(
                person=by_id[s.person_id],
                score=s.score,
                reasons=s.reasons,
                eligible=s.facts.is_leader or s.facts.high_potential,
            )
            for s in ranked
        ),
        certain=certain or focus_key is None,
    )


def register(leader: Person) -> list[TacticalTask]:
    """The leader's own tasks, open first, with their latest delegation."""
    return list(
        TacticalTask.objects.filter(owner=leader)
        .prefetch_related("delegations__delegate", "delegations__coachee")
        .order_by("status", "due", "title")
    )


def received(delegate: Person) -> list[Delegation]:
    """Delegations ``delegate`` received, open ones first."""
    order = {Delegation.Status.OPEN: 0, Delegation.Status.REPORTED: 1}
    rows = list(
        Delegation.objects.filter(delegate=delegate)
        .exclude(status=Delegation.Status.CANCELLED)
        .select_related("task", "task__owner", "coachee", "focus_stage")
        .prefetch_related("behaviors__stage", "ratings__behavior")
    )
    rows.sort(key=lambda d: (order.get(d.status, 2), -d.created_at.timestamp()))
    return rows
