"""Who may see and change tasks, delegations and time — and what a delegate may see.

Built on ``ninety.people.permissions``: a leader's tasks are visible to the leader, to the
leaders above them and to the org's admins; only the owner changes them. A delegate sees the
delegations they received, and the task of each one not cancelled — never another delegate's
delegation of the same task. The coachee of an open delegation is visible to the delegate
through an access grant that ``services`` creates and ends (:func:`delegated_people` reads it).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ninety.delegation.models import DELEGATION_GRANT, Delegation, TacticalTask, TimeEntry
from ninety.people.grants import live
from ninety.people.models import Person, Role
from ninety.people.permissions import managed_people


def can_own_tasks(viewer: Person | None) -> bool:
    """Leaders (and admins) keep a task register and an attention meter; reps do not."""
    return viewer is not None and viewer.role in (Role.LEADER, Role.ADMIN)


def visible_tasks(viewer: Person | None) -> QuerySet[TacticalTask]:
    """Tasks ``viewer`` owns, that were delegated to them, or that belong to people they manage."""
    if viewer is None:
        return TacticalTask.objects.none()
    qs = TacticalTask.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    return qs.filter(pk__in=qs.filter(_own_or_managed(viewer) | _delegated_to(viewer)).values("pk"))


def _own_or_managed(viewer: Person) -> Q:
    mine = Q(owner=viewer)
    if viewer.role == Role.LEADER:
        mine |= Q(owner__in=managed_people(viewer))
    return mine


def _delegated_to(viewer: Person) -> Q:
    # A cancelled delegation no longer shows its task (nor what became of it afterwards).
    return Q(
        pk__in=Delegation.objects.filter(delegate=viewer)
        .exclude(status=Delegation.Status.CANCELLED)
        .values("task_id")
    )


def visible_delegations(viewer: Person | None) -> QuerySet[Delegation]:
    """Every delegation of the tasks one owns or manages; of others, only one's own."""
    if viewer is None:
        return Delegation.objects.none()
    qs = Delegation.objects.filter(task__org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    managed = TacticalTask.objects.filter(org_id=viewer.org_id).filter(_own_or_managed(viewer))
    return qs.filter(Q(task__in=managed.values("pk")) | Q(delegate=viewer))


def visible_time(viewer: Person | None) -> QuerySet[TimeEntry]:
    """A leader's own time, and that of the leaders they manage (a director); admins: the org."""
    if viewer is None:
        return TimeEntry.objects.none()
    qs = TimeEntry.objects.filter(leader__org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    if viewer.role == Role.LEADER:
        return qs.filter(Q(leader=viewer) | Q(leader__in=managed_people(viewer)))
    return qs.none()


def attention_leaders(viewer: Person | None) -> QuerySet[Person]:
    """Whose attention meter ``viewer`` may read: their own, and leaders below them."""
    if not can_own_tasks(viewer):
        return Person.objects.none()
    assert viewer is not None
    leaders = Person.objects.filter(org_id=viewer.org_id, role=Role.LEADER)
    if viewer.role == Role.ADMIN:
        return leaders | Person.objects.filter(pk=viewer.pk)
    return leaders.filter(Q(pk=viewer.pk) | Q(pk__in=managed_people(viewer).values("pk")))


def delegated_people(viewer: Person | None) -> QuerySet[Person]:
    """The coachees ``viewer`` may see because of an open delegation (and only while it is open).

    A delegation stops granting access as soon as the delegate records the outcome, the leader
    cancels it, or the task is closed. Meant to be OR-ed into ``visible_people``.
    """
    if viewer is None:
        return Person.objects.none()
    subjects = live(viewer).filter(source=DELEGATION_GRANT).values("subject_id")
    return Person.objects.filter(org_id=viewer.org_id, pk__in=subjects)
