"""Who may see and change goals, on top of the people gate (``ninety.people.permissions``).

A rep goal follows its rep: whoever sees the rep sees it, whoever manages the rep (their leader,
an admin of the org) changes it. A team goal: the team's leaders above it and admins; an org
goal: admins. Nobody reaches another org's goals.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ninety.goals.models import Goal
from ninety.people.models import Person, Role, Team
from ninety.people.permissions import CHANGE, can, led_team_ids, visible_people, visible_teams


def visible_goals(viewer: Person | None) -> QuerySet[Goal]:
    """Goals ``viewer`` may see: of the reps and teams they see, and their org's."""
    if viewer is None:
        return Goal.objects.none()
    return Goal.objects.filter(org_id=viewer.org_id).filter(
        Q(person__in=visible_people(viewer))
        | Q(team__in=visible_teams(viewer))
        | Q(scope=Goal.Scope.ORG)
    )


def can_manage_person(viewer: Person | None, person: Person) -> bool:
    """Set and accept a rep's goals: the people they may change (their leader, admins)."""
    return viewer is not None and person.role == Role.REP and can(viewer, CHANGE, person)


def can_manage_team(viewer: Person | None, team: Team) -> bool:
    if viewer is None or team.org_id != viewer.org_id:
        return False
    if viewer.role == Role.ADMIN:
        return True
    return viewer.role == Role.LEADER and team.pk in led_team_ids(viewer)


def can_manage_goal(viewer: Person | None, goal: Goal) -> bool:
    if viewer is None or goal.org_id != viewer.org_id:
        return False
    if goal.scope == Goal.Scope.REP:
        return can_manage_person(viewer, goal.person)
    if goal.scope == Goal.Scope.TEAM:
        return can_manage_team(viewer, goal.team)
    return viewer.role == Role.ADMIN
