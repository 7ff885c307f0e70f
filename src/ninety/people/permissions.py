"""Who may see and change what. The one place for object-level permissions.

Rules: a rep sees their own data; a leader sees the people of the teams they lead,
directly or below; an admin sees the whole org; nobody sees another org. Every view and API
endpoint goes through these functions; ``tests/test_permission_matrix.py`` checks the whole URL
conf against them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Model, QuerySet

from ninety.people.models import Person, Role, Team

VIEW = "view"
CHANGE = "change"


def led_team_ids(viewer: Person) -> set[int]:
    """Ids of the teams ``viewer`` leads, directly or below (one query over the org's teams)."""
    rows = Team.objects.filter(org_id=viewer.org_id).values_list("id", "parent_id", "leader_id")
    children: dict[int | None, list[int]] = defaultdict(list)
    roots: list[int] = []
    for team_id, parent_id, leader_id in rows:
        children[parent_id].append(team_id)
        if leader_id == viewer.pk:
            roots.append(team_id)
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        team_id = stack.pop()
        if team_id in seen:
            continue
        seen.add(team_id)
        stack.extend(children.get(team_id, ()))
    return seen


def visible_people(viewer: Person | None) -> QuerySet[Person]:
    """The people ``viewer`` may see."""
    if viewer is None:
        return Person.objects.none()
    # Imported here: the delegation app's access rules use this module's helpers.
    from ninety.delegation.access import delegated_people

    qs = Person.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    # A delegate sees the coachee of an open delegation, only while it is open.
    delegated = delegated_people(viewer)
    if viewer.role == Role.LEADER:
        teams = led_team_ids(viewer)
        return qs.filter(team_id__in=teams) | qs.filter(pk=viewer.pk) | delegated
    return qs.filter(pk=viewer.pk) | delegated


def visible_teams(viewer: Person | None) -> QuerySet[Team]:
    """The teams ``viewer`` may see: all in the org (admin), led ones (leader), own (rep)."""
    if viewer is None:
        return Team.objects.none()
    qs = Team.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    if viewer.role == Role.LEADER:
        return qs.filter(id__in=led_team_ids(viewer))
    return qs.filter(id=viewer.team_id) if viewer.team_id else qs.none()


def managed_people(viewer: Person | None) -> QuerySet[Person]:
    """The people whose records ``viewer`` may change: the org (admin) or those they lead."""
    if viewer is None or viewer.role == Role.REP:
        return Person.objects.none()
    qs = Person.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    return qs.filter(team_id__in=led_team_ids(viewer)).exclude(pk=viewer.pk)


def _owner(obj: Model) -> Person | None:
    """The person an object belongs to, for objects owned by a person."""
    if isinstance(obj, Person):
        return obj
    for attr in ("person", "owner"):
        if hasattr(obj, attr + "_id"):
            return getattr(obj, attr)
    return None


def can(viewer: Person | None, action: str, obj: Any) -> bool:
    """May ``viewer`` do ``action`` (``view`` or ``change``) on ``obj``?"""
    if viewer is None or obj is None:
        return False
    org_id = getattr(obj, "org_id", None)
    if org_id is None and hasattr(obj, "org"):
        org_id = obj.org.pk
    if isinstance(obj, Team):
        if action == VIEW:
            return visible_teams(viewer).filter(pk=obj.pk).exists()
        return viewer.role == Role.ADMIN and obj.org_id == viewer.org_id
    owner = _owner(obj)
    if owner is not None:
        if owner.org_id != viewer.org_id:
            return False
        if action == VIEW:
            return visible_people(viewer).filter(pk=owner.pk).exists()
        if isinstance(obj, Person):
            return managed_people(viewer).filter(pk=owner.pk).exists()
        # Activity-like records: their owner may change them too.
        return owner.pk == viewer.pk or managed_people(viewer).filter(pk=owner.pk).exists()
    # Org-wide objects (the playbook): everyone in the org sees it, leaders and admins change it.
    if org_id != viewer.org_id:
        return False
    if action == VIEW:
        return True
    return viewer.role in (Role.ADMIN, Role.LEADER)
