"""Diagnosis and pace through the API: the same numbers as ``ninety diagnose --json``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from ninety.core.periods import PERIOD_FORMS, Period
from ninety.diagnosis.compare import compare_reports, previous_period
from ninety.diagnosis.serialize import comparison_json, report_json
from ninety.diagnosis.services import default_as_of, rep_report, team_report
from ninety.people.inputs import Day
from ninety.people.models import Person, Role
from ninety.people.permissions import sees_only_self, visible_people, visible_teams

router = Router(tags=["diagnosis"])

PERIOD_HELP = f"{PERIOD_FORMS}; default: the month of as_of"
COMPARE_HELP = "also the previous period of the same kind, and each change with its 90% interval"


def _period(period: str | None, as_of: date | None) -> tuple[Period, date]:
    as_of = as_of or default_as_of()
    try:
        return (Period.parse(period, as_of) if period else Period.of(as_of)), as_of
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/diagnosis/teams/{team_id}", summary="Diagnosis and pace of a team's reps")
def team_diagnosis(
    request: HttpRequest,
    team_id: int,
    period: str | None = Query(None, description=PERIOD_HELP),
    as_of: Day | None = None,
    compare: bool = Query(False, description=COMPARE_HELP),
) -> dict[str, Any]:
    viewer: Person = request.auth  # type: ignore[attr-defined]
    if sees_only_self(viewer):
        # Reps see their own diagnosis, never their teammates' by name.
        raise HttpError(403, "Reps see their own diagnosis: use /diagnosis/reps/{id}.")
    team = get_object_or_404(visible_teams(viewer), pk=team_id)
    p, day = _period(period, as_of)
    report = team_report(team, p, day)
    if report is None:
        return {"period": str(p), "as_of": day.isoformat(), "reps": []}
    body = report_json(report)
    if compare:
        before = team_report(team, *previous_period(p))
        if before is not None:
            body["compare"] = comparison_json(compare_reports(report, before))
    return body


@router.get("/diagnosis/reps/{person_id}", summary="Diagnosis and pace of one rep")
def rep_diagnosis(
    request: HttpRequest,
    person_id: int,
    period: str | None = Query(None, description=PERIOD_HELP),
    as_of: Day | None = None,
    compare: bool = Query(False, description=COMPARE_HELP),
) -> dict[str, Any]:
    viewer: Person = request.auth  # type: ignore[attr-defined]
    person = get_object_or_404(
        visible_people(viewer).filter(role=Role.REP).select_related("team", "org"), pk=person_id
    )
    p, day = _period(period, as_of)
    report = rep_report(person, p, day)
    body = report_json(report, only={person.pk})
    if compare:
        before = rep_report(person, *previous_period(p))
        body["compare"] = comparison_json(compare_reports(report, before), only={person.pk})
    if sees_only_self(viewer):
        body.pop("peer_strength", None)
    return body
