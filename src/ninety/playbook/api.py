"""The playbook through the API: read it (JSON or YAML), import it, propose and decide ways."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ninety.core.playbook_spec import PlaybookSpecError, load_playbook_yaml
from ninety.people.models import Person
from ninety.people.pagination import paged
from ninety.people.permissions import CHANGE, can, can_shape_org
from ninety.playbook import services
from ninety.playbook.models import Behavior, Playbook, Way
from ninety.playbook.queries import evidence_people, playbook_tree, suggestions_for, which_ways_work
from ninety.playbook.services import PlaybookError, playbook_spec

router = Router(tags=["playbook"])


class PlaybookOut(Schema):
    id: int
    version: int
    status: str
    spec: dict[str, Any]


class ImportIn(Schema):
    yaml: str
    publish: bool = True


class ProposeIn(Schema):
    """The behavior is named by its stage and behavior keys (stable across versions)."""

    stage: str
    behavior: str
    text: str


class ApproveIn(Schema):
    text: str | None = None


class DeclineIn(Schema):
    reason: str


class WayOut(Schema):
    id: int
    behavior_id: int
    key: str
    text: str
    source: str
    status: str
    author_id: int | None
    decline_reason: str


class WayStatsOut(Schema):
    key: str
    successes: int
    tries: int
    mean: float
    low: float
    high: float
    p_best: float


class BehaviorWaysOut(Schema):
    behavior_id: int
    stage: str
    behavior: str
    adherence: float | None
    suggestion: str | None
    ways: list[WayStatsOut]


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _current(viewer: Person) -> Playbook:
    current = services.current_playbook(viewer.org)
    if current is None:
        raise HttpError(404, "Your org has no published playbook yet.")
    return current


def _out(playbook: Playbook) -> dict[str, Any]:
    spec = playbook_spec(playbook)
    return {"id": playbook.pk, "version": playbook.version, "status": playbook.status,
            "spec": spec.to_dict()}  # fmt: skip


def _org_way(viewer: Person, way_id: int) -> Way:
    way = get_object_or_404(
        Way.objects.filter(behavior__stage__playbook__org_id=viewer.org_id).select_related(
            "behavior__stage__playbook"
        ),
        pk=way_id,
    )
    if not can(viewer, CHANGE, way.behavior.stage.playbook):
        raise HttpError(403, "Only leaders and admins decide on ways.")
    return way


@router.get("/playbook", response=PlaybookOut, summary="The published playbook")
def get_playbook(request: HttpRequest) -> dict[str, Any]:
    return _out(_current(_viewer(request)))


@router.get("/playbook.yaml", summary="The published playbook as YAML (the import format)")
def get_playbook_yaml(request: HttpRequest) -> HttpResponse:
    spec = playbook_spec(_current(_viewer(request)))
    return HttpResponse(spec.to_yaml(), content_type="application/yaml")


@router.post("/playbook/import", response={201: PlaybookOut}, summary="Import a playbook (YAML)")
def import_playbook(request: HttpRequest, payload: ImportIn) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    current = services.current_playbook(viewer.org)
    allowed = can(viewer, CHANGE, current) if current else can_shape_org(viewer)
    if not allowed:
        raise HttpError(403, "Only leaders and admins import the playbook.")
    try:
        spec = load_playbook_yaml(payload.yaml)
    except PlaybookSpecError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, _out(services.import_playbook(viewer.org, spec, publish=payload.publish)))


@router.get("/playbook/ways", response=list[BehaviorWaysOut], summary="Which ways work")
@paged
def ways_stats(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = _viewer(request)
    current = _current(viewer)
    stages = playbook_tree(current)
    ways = which_ways_work(current, stages, people=evidence_people(viewer))
    picks = suggestions_for(viewer, ways)
    return [
        {
            "behavior_id": bw.behavior.pk,
            "stage": bw.behavior.stage.key,
            "behavior": bw.behavior.key,
            "adherence": bw.result.adherence,
            "suggestion": picks.get(bw.behavior.pk),
            "ways": list(bw.result.ways),
        }
        for bw in ways.values()
    ]


@router.post("/playbook/ways", response={201: WayOut}, summary="Propose a way")
def propose(request: HttpRequest, payload: ProposeIn) -> Status[Way]:
    viewer = _viewer(request)
    behavior = get_object_or_404(
        Behavior.objects.filter(stage__playbook=_current(viewer)).select_related("stage__playbook"),
        stage__key=payload.stage,
        key=payload.behavior,
    )
    try:
        return Status(201, services.propose_way(viewer, behavior, payload.text))
    except PlaybookError as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/playbook/ways/{way_id}/approve", response=WayOut, summary="Approve a way")
def approve(request: HttpRequest, way_id: int, payload: ApproveIn) -> Way:
    viewer = _viewer(request)
    way = _org_way(viewer, way_id)
    try:
        return services.approve_way(viewer, way, payload.text)
    except PlaybookError as exc:
        raise HttpError(409, str(exc)) from exc


@router.post("/playbook/ways/{way_id}/decline", response=WayOut, summary="Decline a way")
def decline(request: HttpRequest, way_id: int, payload: DeclineIn) -> Way:
    viewer = _viewer(request)
    way = _org_way(viewer, way_id)
    try:
        return services.decline_way(viewer, way, payload.reason)
    except PlaybookError as exc:
        raise HttpError(422, str(exc)) from exc
