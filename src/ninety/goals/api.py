"""Goals and scorecards through the API: list, create, edit, suggest, progress, scorecards.

The same services and gate as the pages: a rep sees their own goals and scorecard, a leader
their teams', an admin the org's; only the rep's leader or an admin sets a rep's goals.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ninety.core.periods import Period
from ninety.diagnosis.services import default_as_of, rep_report
from ninety.goals import services
from ninety.goals.models import Goal
from ninety.goals.permissions import (
    can_manage_goal,
    can_manage_person,
    can_manage_team,
    visible_goals,
)
from ninety.goals.presenters import goal_json, progress_json, scorecard_json
from ninety.goals.scorecards import scorecards, week_of
from ninety.people.inputs import Day
from ninety.people.models import Person, Role
from ninety.people.pagination import Mapped, PageIn, PageOut, page_of, paged
from ninety.people.permissions import manages_org, visible_people, visible_teams

router = Router(tags=["goals"])


class GoalIn(Schema):
    metric: str
    target: float
    person: int | None = None
    team: int | None = None
    higher_is_better: bool = True
    period_kind: Literal["day", "week", "month"] = "month"
    status: Literal["active", "suggested"] = "active"
    note: str = ""


class GoalPatch(Schema):
    target: float | None = None
    status: Literal["active", "suggested", "archived"] | None = None
    period_kind: Literal["day", "week", "month"] | None = None
    higher_is_better: bool | None = None


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _rep(viewer: Person, person_id: int) -> Person:
    return get_object_or_404(
        visible_people(viewer).filter(role=Role.REP).select_related("team", "org"), pk=person_id
    )


def _json(g: Goal) -> dict[str, Any]:
    return goal_json(g, services.metric_list(services.playbook_for(g.org)).get(g.metric))


@router.get(
    "/goals",
    response=list[dict[str, Any]],
    summary="Goals you may see (yours, your teams', the org's)",
)
@paged
def list_goals(
    request: HttpRequest, person: int | None = None, team: int | None = None, status: str = ""
) -> Mapped:
    qs = visible_goals(_viewer(request)).select_related("org")
    if person is not None:
        qs = qs.filter(person_id=person)
    if team is not None:
        qs = qs.filter(team_id=team)
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, _json)


@router.post("/goals", response={201: dict}, summary="Set a goal (the rep's leader, admins)")
def create(request: HttpRequest, payload: GoalIn) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    person = team = None
    if payload.person is not None:
        person = _rep(viewer, payload.person)
        if not can_manage_person(viewer, person):
            raise HttpError(403, "Only the rep's leader or an admin sets their goals.")
    elif payload.team is not None:
        team = get_object_or_404(visible_teams(viewer), pk=payload.team)
        if not can_manage_team(viewer, team):
            raise HttpError(403, "Only the team's leader or an admin sets its goals.")
    elif not manages_org(viewer):
        raise HttpError(403, "Only an admin sets organisation goals.")
    try:
        goal = services.create_goal(
            org=viewer.org, person=person, team=team, metric=payload.metric,
            target=payload.target, higher_is_better=payload.higher_is_better,
            period_kind=payload.period_kind, status=payload.status, note=payload.note, by=viewer,
        )  # fmt: skip
    except services.GoalError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, _json(goal))


@router.patch("/goals/{goal_id}", summary="Edit a goal; status active accepts a suggestion")
def edit(request: HttpRequest, goal_id: int, payload: GoalPatch) -> dict[str, Any]:
    viewer = _viewer(request)
    goal = get_object_or_404(visible_goals(viewer).select_related("org"), pk=goal_id)
    if not can_manage_goal(viewer, goal):
        raise HttpError(403, "Only the rep's leader or an admin changes this goal.")
    try:
        services.update_goal(
            goal, target=payload.target, status=payload.status,
            period_kind=payload.period_kind, higher_is_better=payload.higher_is_better,
        )  # fmt: skip
    except services.GoalError as exc:
        raise HttpError(422, str(exc)) from exc
    return _json(goal)


@router.post(
    "/goals/suggest/{person_id}", response={201: list}, summary="Suggest a rep's goals from data"
)
def suggest(
    request: HttpRequest, person_id: int, as_of: Day | None = None
) -> Status[list[dict[str, Any]]]:
    viewer = _viewer(request)
    person = _rep(viewer, person_id)
    if not can_manage_person(viewer, person):
        raise HttpError(403, "Only the rep's leader or an admin sets their goals.")
    day = as_of or default_as_of()
    made = services.suggest(person, rep_report(person, Period.of(day), day), day, viewer)
    return Status(201, [_json(g) for g in made])


@router.get("/goals/progress/{person_id}", summary="A rep's goals and how each stands")
def rep_progress(request: HttpRequest, person_id: int, as_of: Day | None = None) -> dict[str, Any]:
    person = _rep(_viewer(request), person_id)
    day = as_of or default_as_of()
    report = rep_report(person, Period.of(day), day)
    cards = scorecards([person], day, weeks=6, spec=report.playbook)
    return {
        "as_of": day.isoformat(),
        "goals": [progress_json(p) for p in services.progress(person, report, day)],
        "scorecard": scorecard_json(cards[0]),
    }


class ScorecardsOut(PageOut):
    week: str | None = Field(description="the ISO week's Monday, or null with no reps")
    items: list[dict[str, Any]]


@router.get(
    "/scorecards",
    response=ScorecardsOut,
    summary="Weekly scorecards, sorted by the behavior score (paged like every list)",
)
def list_scorecards(
    request: HttpRequest,
    page: Query[PageIn],
    team: int | None = None,
    week: Day | None = None,
) -> dict[str, Any]:
    viewer = _viewer(request)
    reps = visible_people(viewer).filter(role=Role.REP, is_active=True).select_related("org")
    if team is not None:
        reps = reps.filter(team=get_object_or_404(visible_teams(viewer), pk=team))
    today = default_as_of()
    # Any day of the asked week stands for all of it, as far as it has run by today.
    day: date = min(week_of(week) + timedelta(days=6), today) if week else today
    cards = scorecards(list(reps.order_by("name", "pk")), day)
    monday = cards[0].week.isoformat() if cards else None
    return {"week": monday, **page_of(request, Mapped(cards, scorecard_json), **page.dict())}
