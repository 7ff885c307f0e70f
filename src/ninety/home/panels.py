"""The cards that put other apps' work beside the diagnosis: each comes from that app's public
query functions, so the diagnosis app never reaches up to coaching, experiments or delegation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest

from ninety.coaching.queries import due_for
from ninety.coaching.queries import history_for as meetings_for
from ninety.conversations.permissions import can_import_for
from ninety.conversations.queries import CALLS, CALLS_SHOWN, calls_of, way_choices
from ninety.core.attention import IsoWeek
from ninety.core.periods import Period
from ninety.delegation.queries import attention_week, waiting_review
from ninety.diagnosis.services import GroupReport
from ninety.experiments.queries import history_for as experiments_for
from ninety.experiments.queries import running_for
from ninety.goals.lists import ON_REP_PAGE, ranked
from ninety.goals.permissions import can_manage_person
from ninety.goals.presenters import progress_json
from ninety.goals.scorecards import scorecards
from ninety.goals.services import progress, team_weights
from ninety.people.listing import listing
from ninety.people.models import Person

#: How many past one-on-ones the rep page lists.
MEETINGS_SHOWN = 6
#: Weeks of scorecard trend on the dashboard and the rep page.
TREND_WEEKS = 6


def dashboard_panels(viewer: Person, report: GroupReport | None, as_of: date) -> dict[str, Any]:
    """The cards under the heatmap: experiments running, one-on-ones due, delegations, and the
    viewer's own attention this week."""
    people = [r.person for r in report.reps] if report else []
    return {
        "experiments": running_for(people, as_of, viewer=viewer) if people else [],
        "waiting": waiting_review(viewer),
        "attention": attention_week(viewer, IsoWeek.of(as_of)),
        "one_on_ones_due": due_for(viewer, as_of),
    }


def period_days(period: Period, as_of: date) -> tuple[date | None, date]:
    """The days the rep page's lists hold: a period over by ``as_of`` only its own; a running one
    the latest rows up to ``as_of`` (on the 1st of a month its own would be none)."""
    return (period.start if as_of >= period.last_day else None), period.clamp(as_of)


def rep_panels(
    request: HttpRequest, subject: Person, period: Period, as_of: date, viewer: Person | None = None
) -> dict[str, Any]:
    """The rep page's history cards: recent one-on-ones, running and concluded experiments (of
    these, only those ``viewer`` may see: not one shared with another team's rep), the calls
    of the period (sorted and filtered as the request asks)."""
    history = experiments_for(subject, viewer=viewer)
    since, until = period_days(period, as_of)
    calls = calls_of(subject, since=since, until=until)
    held = [
        m
        for m in meetings_for(subject)
        if m.server_day and (since is None or since <= m.server_day) and m.server_day <= until
    ]
    return {
        "meetings": held[-MEETINGS_SHOWN:],
        "experiments": running_for([subject], as_of, viewer=viewer),
        "experiment_history": [e for e in history if e.status != "running"],
        "calls": listing(request, calls, CALLS, {"way": way_choices(calls)}, limit=CALLS_SHOWN),
        "can_import_calls": viewer is not None and can_import_for(viewer, subject),
    }


def goal_panel(
    request: HttpRequest, viewer: Person, subject: Person, report: GroupReport, as_of: date
) -> dict[str, Any]:
    """The rep page's goals card: each goal's progress (sorted and filtered as the request
    asks) and this week's scorecard."""
    cards = scorecards([subject], as_of, weeks=TREND_WEEKS, spec=report.playbook)
    rows = ranked([progress_json(p) for p in progress(subject, report, as_of)])
    return {
        "goal_progress": listing(request, rows, ON_REP_PAGE),
        "goal_card": cards[0] if cards else None,
        "goals_editable": can_manage_person(viewer, subject),
    }


def scorecard_panel(report: GroupReport | None, as_of: date) -> dict[str, Any]:
    """The dashboard's scorecard: the team's reps sorted by their behavior & process score."""
    if report is None or not report.reps:
        return {}
    cards = scorecards([r.person for r in report.reps], as_of, TREND_WEEKS, report.playbook)
    rows = [c for c in cards if c.behavior is not None or c.result is not None]
    team_id = report.team.pk if report.team else None
    return {
        "scorecard_rows": rows,
        "scorecard_week": cards[0].week if cards else as_of,
        "scorecard_so_far": cards[0].so_far if cards else "",
        "scorecard_without": len(cards) - len(rows),
        "scorecard_weights": team_weights([team_id])[team_id],
    }
