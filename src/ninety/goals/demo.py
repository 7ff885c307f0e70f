"""The demo's goals: Dana accepted the suggested goals of each rep of her team (Sam's greeting
target and his dials a day read back from his quota), and her team holds two one-on-ones a
month (the demo's series are bi-weekly: four could never be met); the dashboard's scorecard
has something to rank."""

from __future__ import annotations

from datetime import date

from ninety.core.periods import Period
from ninety.diagnosis.services import team_report
from ninety.goals.models import Goal
from ninety.goals.services import create_goal, suggest, update_goal
from ninety.people.models import Org, Team


def seed_demo(org: Org, as_of: date) -> int:
    """Seed the goals of the story's team (the team Sam Patel is in); returns goals made."""
    team = Team.objects.filter(org=org, members__name="Sam Patel").first()
    if team is None or Goal.objects.filter(org=org).exists():
        return 0
    report = team_report(team, Period.of(as_of), as_of)
    if report is None:
        return 0
    made = 0
    for r in report.reps:
        for goal in suggest(r.person, report, as_of, team.leader):
            update_goal(goal, status=Goal.Status.ACTIVE)
            made += 1
    create_goal(org=org, team=team, metric="one_on_ones", target=2, by=team.leader)
    return made + 1
