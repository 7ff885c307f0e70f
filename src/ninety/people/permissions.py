"""Who may see and change what. The one place for object-level permissions.

Rules: a rep sees their own data; a leader sees the people of the teams they lead, directly or
below; an admin sees the whole org; nobody sees another org. Time-limited access beyond that
(a delegation's coachee, a meeting held for another leader) comes only from live access grants
(:mod:`ninety.people.grants`), which the feature apps create and end; this gate reads them and
imports no feature app. Each app's permissions module builds on these functions;
``tests/test_permission_matrix.py`` and ``tests/security/`` check the URL conf against them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Model, QuerySet

from ninety.people.grants import live
from ninety.people.models import Person, Role, Team

VIEW = "view"
CHANGE = "change"


def _teams_below(org_id: int, is_root) -> set[int]:  # type: ignore[no-untyped-def]
    """Ids of the org's teams picked by ``is_root(team_id, leader_id)`` and every team below them
    (one query over the org's teams)."""
    rows = Team.objects.filter(org_id=org_id).values_list("id", "parent_id", "leader_id")
    children: dict[int | None, list[int]] = defaultdict(list)
    roots: list[int] = []
    for team_id, parent_id, leader_id in rows:
        children[parent_id].append(team_id)
        if is_root(team_id, leader_id):
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


def led_team_ids(viewer: Person) -> set[int]:
    """Ids of the teams ``viewer`` leads, directly or below."""
    return _teams_below(viewer.org_id, lambda team_id, leader_id: leader_id == viewer.pk)


def team_ids_below(team: Team) -> set[int]:
    """``team`` and every team below it (a director's region)."""
    return _teams_below(team.org_id, lambda team_id, leader_id: team_id == team.pk)


def visible_people(viewer: Person | None) -> QuerySet[Person]:
    """The people ``viewer`` may see."""
    if viewer is None:
        return Person.objects.none()
    qs = Person.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    # A live grant that opens a person's pages (a delegation's coachee, while it is open).
    delegated = qs.filter(pk__in=live(viewer).filter(sees_person=True).values("subject_id"))
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


def still_managed(org_id: int, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of ``pairs`` (viewer id, person id) whose person :func:`managed_people` of the viewer
    holds, for any number of viewers of one org: two queries (the org's teams and people), not
    two a viewer, as the one-on-ones' roster sweep runs on every roster save."""
    people = {
        pk: (role, team_id)
        for pk, role, team_id in Person.objects.filter(org_id=org_id).values_list(
            "pk", "role", "team_id"
        )
    }
    rows = list(Team.objects.filter(org_id=org_id).values_list("id", "parent_id", "leader_id"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for team_id, parent_id, _ in rows:
        children[parent_id].append(team_id)
    led: dict[int, set[int]] = defaultdict(set)
    for team_id, _, leader_id in rows:
        if leader_id is not None:
            stack = [team_id]
            while stack:
                t = stack.pop()
                if t not in led[leader_id]:
                    led[leader_id].add(t)
                    stack.extend(children.get(t, ()))

    def manages(viewer_id: int, person_id: int) -> bool:
        viewer, person = people.get(viewer_id), people.get(person_id)
        if viewer is None or person is None or viewer[0] == Role.REP:
            return False
        if viewer[0] == Role.ADMIN:
            return True
        return viewer_id != person_id and person[1] in led.get(viewer_id, ())

    return {pair for pair in pairs if manages(*pair)}


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


# Role-level rules, named so that views and the API ask the gate instead of comparing roles
# inline (tests/test_architecture.py forbids ``.role ==`` and the like in views, API modules
# and presenters).


def sees_only_self(viewer: Person | None) -> bool:
    """A rep: lands on their own page, sees teammates only as an anonymous distribution, never a
    team's diagnosis by name, and starts nothing for others."""
    return viewer is not None and viewer.role == Role.REP


def leads_one_on_ones(viewer: Person | None) -> bool:
    """A leader (or director): schedules one-on-ones with the reps they lead and has some due."""
    return viewer is not None and viewer.role == Role.LEADER


def manages_org(viewer: Person | None) -> bool:
    """An org admin: sets org-wide things (the default time zone, org-wide calendar rules)."""
    return viewer is not None and viewer.role == Role.ADMIN


def can_shape_org(viewer: Person | None) -> bool:
    """Leaders and admins: start an org's first playbook, start experiments."""
    return viewer is not None and viewer.role in (Role.LEADER, Role.ADMIN)


def has_diagnosis_page(person: Person) -> bool:
    """Diagnosis pages (funnel, focus, ways) are for reps; leaders and admins have none."""
    return person.role == Role.REP


def can_read_audit(viewer: Person | None) -> bool:
    """The audit log (who changed playbooks, quotas, people, roles, notes) is the org admin's."""
    return manages_org(viewer)


def can_read_overview(viewer: Person | None) -> bool:
    """The teams-and-leaders overview is for leaders (of the teams they lead, directly or
    below) and admins (the whole org); a rep has no teams to compare."""
    return can_shape_org(viewer)


def can_read_data_health(viewer: Person | None) -> bool:
    """Data freshness and import problems: the org admin's (RevOps)."""
    return manages_org(viewer)


def can_manage_invitations(viewer: Person | None) -> bool:
    """Logins for the org's imported people (invite, see, revoke) are the org admin's."""
    return manages_org(viewer)
