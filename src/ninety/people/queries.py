"""Reads about people that pages and the API share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, QuerySet, Sum

from ninety.activity.models import ActivityRollup
from ninety.conf import today
from ninety.people.models import Person, Team
from ninety.people.permissions import visible_people, visible_teams


@dataclass(frozen=True)
class TeamGroup:
    team: Team | None
    people: list[Person]


def people_by_team(viewer: Person, people: Iterable[Person] | None = None) -> list[TeamGroup]:
    """The people ``viewer`` may see (or ``people``, a sorted and narrowed list of them),
    grouped by team in the order the people come; teams by name, no team last."""
    if people is None:
        people = (
            visible_people(viewer)
            .select_related("team", "team__leader")
            .order_by("team__name", "role", "name")
        )
    teams: dict[int | None, TeamGroup] = {}
    for p in people:
        teams.setdefault(p.team_id, TeamGroup(team=p.team, people=[])).people.append(p)
    return sorted(teams.values(), key=lambda g: (g.team is None, g.team.name if g.team else ""))


def teams_for(viewer: Person) -> QuerySet[Team]:
    return (
        visible_teams(viewer)
        .select_related("leader", "parent")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def activity_summary(person: Person, days: int = 30) -> list[tuple[str, int]]:
    """Activities per type over the last ``days`` days, from the rollup table."""
    since = today() - timedelta(days=days)
    rows = (
        ActivityRollup.objects.filter(person=person, day__gte=since)
        .values("type")
        .annotate(n=Sum("count"))
        .order_by("-n")
    )
    return [(r["type"], r["n"]) for r in rows]
