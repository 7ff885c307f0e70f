"""Writes: tasks, delegations, outcomes, reviews, time entries, calendar imports and rules.

Views, the API, the CLI and the demo all call these functions; each checks what only it can
check (the state of the task, who the delegate may be) and raises :class:`DelegationError` with
a message meant for the person who sent the request. Object permissions (who may call at all)
are checked by the caller through ``ninety.delegation.access``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ninety.core import attention
from ninety.delegation.ics import read_ics
from ninety.delegation.models import (
    DELEGATION_GRANT,
    NEEDS_EXPECTATIONS,
    CalendarRule,
    Delegation,
    ExpectationRating,
    Rating,
    TacticalTask,
    TaskCategory,
    TimeEntry,
)
from ninety.delegation.notifications import reported_back
from ninety.people import grants
from ninety.people.models import Person, Role
from ninety.people.permissions import managed_people
from ninety.playbook.models import Behavior, Stage


class DelegationError(ValueError):
    """A request that cannot be carried out as asked; the message says why."""


def create_task(
    owner: Person,
    title: str,
    *,
    category: str = TaskCategory.CUSTOM,
    due: date | None = None,
    recurrence: str = "",
    estimated_minutes: int = 0,
) -> TacticalTask:
    """Add a tactical task to ``owner``'s register."""
    title = title.strip()
    if not title:
        raise DelegationError("title: a task needs a title")
    if category not in TaskCategory.values:
        raise DelegationError(f"category {category!r}: expected one of {TaskCategory.values}")
    if owner.role not in (Role.LEADER, Role.ADMIN):
        raise DelegationError("only leaders keep a task register")
    return TacticalTask.objects.create(
        org_id=owner.org_id,
        owner=owner,
        title=title[:200],
        category=category,
        due=due,
        recurrence=recurrence,
        estimated_minutes=max(0, int(estimated_minutes)),
    )


def check_delegate(task: TacticalTask, delegate: Person) -> None:
    """Another leader of the org, or a high-potential rep; never the owner or an outsider."""
    if delegate.org_id != task.org_id or not delegate.is_active:
        raise DelegationError("delegate: no such person in your org")
    if delegate.pk == task.owner_id:
        raise DelegationError("delegate: choose someone other than yourself")
    if delegate.role == Role.REP and not delegate.high_potential:
        raise DelegationError(
            f"delegate: {delegate.name} is a rep who is not marked high-potential; "
            "mark them first or choose a leader"
        )
    if delegate.role == Role.ADMIN:
        raise DelegationError("delegate: choose a leader or a high-potential rep")


@transaction.atomic
def delegate_task(
    task: TacticalTask,
    by: Person,
    delegate: Person,
    *,
    coachee: Person | None = None,
    focus_stage: Stage | None = None,
    behaviors: Iterable[Behavior] = (),
    process_steps: Iterable[str] | str = (),
) -> Delegation:
    """Hand ``task`` to ``delegate`` with expectations (behaviors and process steps).

    Coaching and one-on-one tasks need at least one expectation and a coachee: "you must set
    the expectations about which behaviors and process the employees should display".
    """
    task = TacticalTask.objects.select_for_update().get(pk=task.pk)
    if task.owner_id != by.pk:
        raise DelegationError("only the task's owner delegates it")
    if task.status != TacticalTask.Status.OPEN:
        raise DelegationError(f"this task is {task.get_status_display().lower()} already")
    check_delegate(task, delegate)
    if isinstance(process_steps, str):
        process_steps = process_steps.splitlines()
    steps = [s.strip()[:300] for s in process_steps if s.strip()]
    behaviors = list(behaviors)
    if any(b.stage.playbook.org_id != task.org_id for b in behaviors):
        raise DelegationError("expectations: a behavior is not from your playbook")
    if focus_stage is not None and focus_stage.playbook.org_id != task.org_id:
        raise DelegationError("focus stage: not from your playbook")
    if coachee is not None:
        if not managed_people(by).filter(pk=coachee.pk).exists():
            raise DelegationError("coachee: not someone you lead")
        if coachee.pk == delegate.pk:
            raise DelegationError("coachee: the delegate cannot coach themselves")
    if task.category in NEEDS_EXPECTATIONS:
        if coachee is None:
            raise DelegationError("coachee: a coaching session or one-on-one is about someone")
        if not behaviors and not steps:
            raise DelegationError(
                "expectations: choose the behaviors or process steps the session must focus on"
            )
    delegation = Delegation.objects.create(
        task=task,
        delegate=delegate,
        delegated_by=by,
        coachee=coachee,
        focus_stage=focus_stage,
        process_steps="\n".join(steps),
    )
    delegation.behaviors.set(behaviors)
    task.status = TacticalTask.Status.DELEGATED
    task.save(update_fields=["status"])
    if coachee is not None:
        # The delegate sees the coachee's pages while the delegation is open, and no longer.
        grants.grant(DELEGATION_GRANT, delegation.pk, grantee=delegate, subject=coachee,
                     sees_person=True)  # fmt: skip
    return delegation


@transaction.atomic
def record_outcome(
    delegation: Delegation,
    by: Person,
    *,
    ratings: Mapping[str, tuple[str, str]],
    notes: str = "",
) -> Delegation:
    """The delegate reports back: a rating per expectation and notes. Ends their access.

    ``ratings`` maps ``"b<behavior id>"`` or ``"s<step index>"`` to ``(rating, note)``; every
    expectation must be rated.
    """
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.delegate_id != by.pk:
        raise DelegationError("only the delegate records the outcome")
    if delegation.status != Delegation.Status.OPEN:
        raise DelegationError(f"this delegation is {delegation.get_status_display().lower()}")
    expected = {f"b{b.pk}": b for b in delegation.behaviors.all()} | {
        f"s{i}": step for i, step in enumerate(delegation.steps)
    }
    missing = [k for k in expected if k not in ratings or not ratings[k][0]]
    if missing:
        names = [getattr(expected[k], "name", expected[k]) for k in missing]
        raise DelegationError(f"rate every expectation: missing {', '.join(map(str, names))}")
    rows = []
    for key, target in expected.items():
        rating, note = ratings[key]
        if rating not in Rating.values:
            raise DelegationError(f"rating {rating!r}: expected one of {Rating.values}")
        rows.append(
            ExpectationRating(
                delegation=delegation,
                behavior=target if isinstance(target, Behavior) else None,
                step="" if isinstance(target, Behavior) else str(target),
                rating=rating,
                note=(note or "").strip()[:500],
            )
        )
    ExpectationRating.objects.bulk_create(rows)
    delegation.outcome_notes = notes.strip()
    delegation.status = Delegation.Status.REPORTED
    delegation.reported_at = timezone.now()
    delegation.save(update_fields=["outcome_notes", "status", "reported_at"])
    TacticalTask.objects.filter(pk=delegation.task_id).update(status=TacticalTask.Status.DONE)
    grants.end(DELEGATION_GRANT, delegation.pk)
    reported_back(delegation)
    return delegation


@transaction.atomic
def review_delegation(delegation: Delegation, by: Person, *, notes: str = "") -> Delegation:
    """The leader reads the outcome and closes the task."""
    delegation = Delegation.objects.select_for_update().select_related("task").get(pk=delegation.pk)
    if delegation.task.owner_id != by.pk:
        raise DelegationError("only the task's owner reviews the outcome")
    if delegation.status != Delegation.Status.REPORTED:
        raise DelegationError("there is no reported outcome to review yet")
    delegation.status = Delegation.Status.REVIEWED
    delegation.review_notes = notes.strip()
    delegation.reviewed_at = timezone.now()
    delegation.save(update_fields=["status", "review_notes", "reviewed_at"])
    TacticalTask.objects.filter(pk=delegation.task_id).update(status=TacticalTask.Status.REVIEWED)
    return delegation


@transaction.atomic
def cancel_delegation(delegation: Delegation, by: Person) -> Delegation:
    """Take an open delegation back: the task is open again and the delegate's access ends."""
    delegation = Delegation.objects.select_for_update().select_related("task").get(pk=delegation.pk)
    if delegation.task.owner_id != by.pk:
        raise DelegationError("only the task's owner cancels a delegation")
    if delegation.status != Delegation.Status.OPEN:
        raise DelegationError("only an open delegation can be cancelled")
    delegation.status = Delegation.Status.CANCELLED
    delegation.save(update_fields=["status"])
    TacticalTask.objects.filter(pk=delegation.task_id).update(status=TacticalTask.Status.OPEN)
    grants.end(DELEGATION_GRANT, delegation.pk)
    return delegation


def complete_task(task: TacticalTask, by: Person) -> TacticalTask:
    """The owner did it themselves."""
    if task.owner_id != by.pk:
        raise DelegationError("only the task's owner marks it done")
    if task.status != TacticalTask.Status.OPEN:
        raise DelegationError("only an open task that is not delegated can be marked done")
    task.status = TacticalTask.Status.DONE
    task.save(update_fields=["status"])
    return task


# --- Time ---------------------------------------------------------------------------------------


def add_time_entry(
    leader: Person, start: datetime, minutes: int, category: str, title: str = ""
) -> TimeEntry:
    """A block of time typed in by the leader."""
    if category not in attention.CATEGORIES:
        raise DelegationError(f"category {category!r}: expected one of {attention.CATEGORIES}")
    if not 0 < int(minutes) <= 24 * 60:
        raise DelegationError("minutes: between 1 and 1440")
    if timezone.is_naive(start):
        raise DelegationError("start: a time zone is needed")
    return TimeEntry.objects.create(
        leader=leader, start=start, minutes=int(minutes), category=category, title=title[:300]
    )


def rules_for(leader: Person) -> list[attention.Rule]:
    """The leader's own rules first, then the org's; Ninety's defaults come after these."""
    rows = CalendarRule.objects.filter(org_id=leader.org_id).filter(
        Q(leader=leader) | Q(leader__isnull=True)
    )
    own = [r for r in rows if r.leader_id]
    org = [r for r in rows if not r.leader_id]
    return [r.as_rule() for r in (*own, *org)]


def add_rule(
    org_id: int,
    category: str,
    *,
    leader: Person | None = None,
    title_pattern: str = "",
    calendar_category: str = "",
    attendee: str = "",
    all_day_minutes: int = 0,
) -> CalendarRule:
    if not (title_pattern or calendar_category or attendee):
        raise DelegationError("a rule needs a title pattern, a calendar category or an attendee")
    try:
        attention.Rule(category, title=title_pattern, all_day_minutes=all_day_minutes)
    except ValueError as exc:
        raise DelegationError(str(exc)) from exc
    order = CalendarRule.objects.filter(org_id=org_id, leader=leader).count()
    return CalendarRule.objects.create(
        org_id=org_id,
        leader=leader,
        order=order,
        title_pattern=title_pattern,
        calendar_category=calendar_category,
        attendee=attendee,
        category=category,
        all_day_minutes=all_day_minutes,
    )


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    skipped: int  # all-day or "not counted" by a rule
    unmatched: int  # counted with the fallback category: worth a rule
    since: date | None
    until: date | None

    def __str__(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} not counted, {self.unmatched} without a matching rule"
        )


def leader_tz() -> tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def import_calendar(
    leader: Person,
    data: bytes | str,
    *,
    since: date | None = None,
    until: date | None = None,
) -> ImportSummary:
    """Import an ``.ics`` export as the leader's time; all or nothing, idempotent.

    The whole file is parsed and checked before anything is written (a malformed file raises
    :class:`~ninety.delegation.ics.CalendarError` and imports nothing). Each occurrence is keyed
    by its UID and original start, so a re-import updates rather than duplicates.
    """
    events = read_ics(data, default_tz=leader_tz(), since=since, until=until)
    rules = rules_for(leader)
    counted = [attention.categorise(e, rules) for e in events]
    keep = {c.event.key: c for c in counted if c.category != attention.SKIP}
    skipped = len(counted) - len(keep)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            t.external_uid: t
            for t in TimeEntry.objects.select_for_update().filter(
                leader=leader, external_uid__in=[c.event.key for c in counted]
            )
        }
        # An occurrence now "not counted" (a new rule) leaves the meter.
        gone = [existing[k].pk for k in existing if k not in keep]
        TimeEntry.objects.filter(pk__in=gone).delete()
        new = []
        for key, c in keep.items():
            e = c.event
            row = existing.get(key)
            fields = {
                "start": e.start,
                "minutes": c.minutes,
                "category": c.category,
                "title": e.title,
                "recurring": e.recurring,
            }
            if row is None:
                new.append(
                    TimeEntry(
                        leader=leader, source=TimeEntry.Source.CALENDAR, external_uid=key, **fields
                    )
                )
            elif any(getattr(row, k) != v for k, v in fields.items()):
                TimeEntry.objects.filter(pk=row.pk).update(**fields)
                updated += 1
            else:
                unchanged += 1
        TimeEntry.objects.bulk_create(new, batch_size=500)
        created = len(new)
    unmatched = sum(1 for c in keep.values() if not c.rule)
    return ImportSummary(created, updated, unchanged, skipped, unmatched, since, until)


def find_leader(org_id: int | None, name: str) -> Person:
    """A leader by name, e-mail or external id (for the CLI)."""
    qs = Person.objects.filter(role__in=[Role.LEADER, Role.ADMIN])
    if org_id is not None:
        qs = qs.filter(org_id=org_id)
    matches = list(
        qs.filter(Q(name__iexact=name) | Q(email__iexact=name) | Q(external_id=name))[:2]
    )
    if not matches:
        # "Dana" finds "Dana Reyes": a first name is enough when it is unique.
        matches = list(qs.filter(name__istartswith=f"{name} ")[:2])
    if len(matches) != 1:
        raise DelegationError(
            f"--leader {name!r}: " + ("no such leader" if not matches else "more than one match")
        )
    return matches[0]
