"""People and teams through the API, with the same permissions as the pages."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from ninety.people.models import Person, Team
from ninety.people.pagination import paged
from ninety.people.permissions import CHANGE, can, visible_people
from ninety.people.queries import teams_for
from ninety.people.services import set_high_potential

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    team: str | None
    high_potential: bool
    external_id: str
    hired_on: date | None

    @staticmethod
    def resolve_team(obj: Person) -> str | None:
        return obj.team.name if obj.team else None


class PersonPatch(Schema):
    high_potential: bool


class TeamOut(Schema):
    id: int
    name: str
    leader_id: int | None
    leader: str | None
    parent_id: int | None
    member_count: int

    @staticmethod
    def resolve_leader(obj: Team) -> str | None:
        return obj.leader.name if obj.leader else None


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/me", response=PersonOut, summary="The signed-in person")
def me(request: HttpRequest) -> Person:
    return _viewer(request)


@router.get("/people", response=list[PersonOut], summary="People you may see")
@paged
def list_people(request: HttpRequest, team: int | None = None) -> list[Person]:
    qs = visible_people(_viewer(request)).select_related("team").order_by("name", "pk")
    if team is not None:
        qs = qs.filter(team_id=team)
    return qs  # type: ignore[return-value]


@router.get("/people/{person_id}", response=PersonOut, summary="One person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return get_object_or_404(visible_people(_viewer(request)).select_related("team"), pk=person_id)


@router.patch("/people/{person_id}", response=PersonOut, summary="Mark high-potential")
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    viewer = _viewer(request)
    person = get_object_or_404(visible_people(viewer).select_related("team"), pk=person_id)
    if not can(viewer, CHANGE, person):
        raise HttpError(403, "You may not change this person.")
    return set_high_potential(person, payload.high_potential)


@router.get("/teams", response=list[TeamOut], summary="Teams you may see")
@paged
def list_teams(request: HttpRequest) -> list[Team]:
    return teams_for(_viewer(request)).order_by("name", "pk")  # type: ignore[return-value]


@router.get("/teams/{team_id}", response=TeamOut, summary="One team")
def get_team(request: HttpRequest, team_id: int) -> Team:
    return get_object_or_404(teams_for(_viewer(request)), pk=team_id)
