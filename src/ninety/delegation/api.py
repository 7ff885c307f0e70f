"""Tasks, delegations, time and the attention meter through the API (same rules as the pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ninety.core.attention import IsoWeek
from ninety.delegation import queries, services
from ninety.delegation.access import (
    attention_leaders,
    can_own_tasks,
    visible_delegations,
    visible_tasks,
    visible_time,
)
from ninety.delegation.ics import CalendarError
from ninety.delegation.models import Delegation, TacticalTask, TimeEntry
from ninety.diagnosis.services import default_as_of
from ninety.people.inputs import Day
from ninety.people.models import Person
from ninety.people.pagination import paged
from ninety.people.permissions import managed_people
from ninety.playbook.models import Behavior, Stage

router = Router(tags=["delegation"])


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _leader(request: HttpRequest) -> Person:
    viewer = _viewer(request)
    if not can_own_tasks(viewer):
        raise HttpError(403, "Only leaders keep tasks and time.")
    return viewer


class TaskIn(Schema):
    title: str
    category: str = "custom"
    due: Day | None = None
    recurrence: str = ""
    estimated_minutes: int = 0


class DelegationOut(Schema):
    id: int
    task_id: int
    delegate_id: int
    delegate: str
    coachee_id: int | None
    focus_stage: str | None
    behaviors: list[dict[str, Any]]
    process_steps: list[str]
    status: str
    outcome_notes: str
    ratings: list[dict[str, Any]]
    review_notes: str

    @staticmethod
    def resolve_delegate(obj: Delegation) -> str:
        return obj.delegate.name

    @staticmethod
    def resolve_focus_stage(obj: Delegation) -> str | None:
        return obj.focus_stage.key if obj.focus_stage else None

    @staticmethod
    def resolve_behaviors(obj: Delegation) -> list[dict[str, Any]]:
        return [{"id": b.pk, "key": b.key, "name": b.name} for b in obj.behaviors.all()]

    @staticmethod
    def resolve_process_steps(obj: Delegation) -> list[str]:
        return obj.steps

    @staticmethod
    def resolve_ratings(obj: Delegation) -> list[dict[str, Any]]:
        return [
            {"behavior_id": r.behavior_id, "step": r.step, "rating": r.rating, "note": r.note}
            for r in obj.ratings.all()
        ]


class TaskOut(Schema):
    id: int
    owner_id: int
    title: str
    category: str
    due: date | None
    recurrence: str
    estimated_minutes: int
    status: str


class DelegateIn(Schema):
    delegate_id: int
    coachee_id: int | None = None
    focus_stage_id: int | None = None
    behavior_ids: list[int] = []
    process_steps: list[str] = []


class RatingIn(Schema):
    key: str  # "b<behavior id>" or "s<step index>"
    rating: str
    note: str = ""


class OutcomeIn(Schema):
    ratings: list[RatingIn]
    notes: str = ""


class ReviewIn(Schema):
    notes: str = ""


class TimeIn(Schema):
    start: datetime
    minutes: int
    category: str
    title: str = ""


class TimeOut(Schema):
    id: int
    leader_id: int
    start: datetime
    minutes: int
    category: str
    source: str
    title: str
    recurring: bool


class IcsIn(Schema):
    ics: str
    since: Day | None = None
    until: Day | None = None


_DELEGATION_RELATED = ("delegate", "focus_stage")


@router.get("/delegation/tasks", response=list[TaskOut], summary="Tactical tasks you may see")
@paged
def list_tasks(request: HttpRequest, status: str | None = None) -> list[TacticalTask]:
    qs = visible_tasks(_viewer(request)).order_by("status", "due", "title", "pk")
    return qs.filter(status=status) if status else qs  # type: ignore[return-value]


@router.post("/delegation/tasks", response={201: TaskOut}, summary="Add a task to your register")
def create_task(request: HttpRequest, payload: TaskIn) -> Status[TacticalTask]:
    viewer = _leader(request)
    try:
        task = services.create_task(viewer, payload.title, **payload.dict(exclude={"title"}))
    except services.DelegationError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, task)


@router.post(
    "/delegation/tasks/{task_id}/delegate",
    response={201: DelegationOut},
    summary="Delegate a task with expectations",
)
def delegate(request: HttpRequest, task_id: int, payload: DelegateIn) -> Status[Delegation]:
    viewer = _viewer(request)
    task = get_object_or_404(visible_tasks(viewer), pk=task_id)
    if task.owner_id != viewer.pk:
        raise HttpError(403, "Only the task's owner delegates it.")
    delegate_person = get_object_or_404(Person, org_id=viewer.org_id, pk=payload.delegate_id)
    coachee = None
    if payload.coachee_id is not None:
        coachee = managed_people(viewer).filter(pk=payload.coachee_id).first()
        if coachee is None:
            raise HttpError(422, "coachee: not someone you lead")
    behaviors = list(
        Behavior.objects.filter(
            pk__in=payload.behavior_ids, stage__playbook__org_id=viewer.org_id
        ).select_related("stage__playbook")
    )
    if len(behaviors) != len(set(payload.behavior_ids)):
        raise HttpError(422, "behavior_ids: not all are behaviors of your playbook")
    stage = None
    if payload.focus_stage_id is not None:
        stage = get_object_or_404(
            Stage.objects.select_related("playbook"),
            pk=payload.focus_stage_id,
            playbook__org_id=viewer.org_id,
        )
    try:
        d = services.delegate_task(
            task,
            viewer,
            delegate_person,
            coachee=coachee,
            focus_stage=stage,
            behaviors=behaviors,
            process_steps=payload.process_steps,
        )
    except services.DelegationError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, d)


@router.get(
    "/delegation/delegations",
    response=list[DelegationOut],
    summary="Delegations you gave or received",
)
@paged
def list_delegations(request: HttpRequest) -> list[Delegation]:
    qs = visible_delegations(_viewer(request)).select_related(*_DELEGATION_RELATED)
    return qs.prefetch_related("behaviors", "ratings").order_by("-created_at", "-pk")  # type: ignore[return-value]


def _delegation(request: HttpRequest, delegation_id: int) -> tuple[Person, Delegation]:
    viewer = _viewer(request)
    d = get_object_or_404(
        visible_delegations(viewer).select_related("task", *_DELEGATION_RELATED), pk=delegation_id
    )
    return viewer, d


@router.post(
    "/delegation/delegations/{delegation_id}/outcome",
    response=DelegationOut,
    summary="The delegate records the outcome",
)
def outcome(request: HttpRequest, delegation_id: int, payload: OutcomeIn) -> Delegation:
    viewer, d = _delegation(request, delegation_id)
    if d.delegate_id != viewer.pk:
        raise HttpError(403, "Only the delegate records the outcome.")
    ratings = {r.key: (r.rating, r.note) for r in payload.ratings}
    try:
        return services.record_outcome(d, viewer, ratings=ratings, notes=payload.notes)
    except services.DelegationError as exc:
        raise HttpError(422, str(exc)) from exc


@router.post(
    "/delegation/delegations/{delegation_id}/review",
    response=DelegationOut,
    summary="The leader reviews the outcome",
)
def review(request: HttpRequest, delegation_id: int, payload: ReviewIn) -> Delegation:
    viewer, d = _delegation(request, delegation_id)
    if d.task.owner_id != viewer.pk:
        raise HttpError(403, "Only the task's owner reviews the outcome.")
    try:
        return services.review_delegation(d, viewer, notes=payload.notes)
    except services.DelegationError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get(
    "/delegation/suggestions",
    summary="Who to delegate a coaching session for a coachee to",
)
def suggestions(
    request: HttpRequest, coachee_id: int | None = None, as_of: Day | None = None
) -> dict[str, Any]:
    viewer = _leader(request)
    coachee = None
    if coachee_id is not None:
        coachee = get_object_or_404(managed_people(viewer), pk=coachee_id)
    s = queries.suggest_delegates(viewer, coachee, as_of or default_as_of())
    return {
        "coachee_id": coachee_id,
        "focus_stage": s.focus_key,
        # False: no certain focus, and focus_stage is where the evidence points most below.
        "focus_certain": s.certain,
        "suggestions": [
            {
                "person_id": x.person.pk,
                "name": x.person.name,
                "score": x.score,
                "reasons": list(x.reasons),
                "eligible": x.eligible,
            }
            for x in s.ranked
        ],
    }


def _week(week: str | None) -> IsoWeek:
    try:
        return IsoWeek.parse(week) if week else IsoWeek.of(default_as_of())
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/attention/time", response=list[TimeOut], summary="Time entries of a week")
@paged
def list_time(
    request: HttpRequest, week: str | None = None, leader_id: int | None = None
) -> list[TimeEntry]:
    viewer = _leader(request)
    w = _week(week)
    qs = visible_time(viewer).filter(leader_id=leader_id or viewer.pk)
    week_qs = qs.filter(start__date__gte=w.start, start__date__lt=w.end)
    return week_qs.order_by("start", "pk")  # type: ignore[return-value]


@router.post("/attention/time", response={201: TimeOut}, summary="Add a block of your time")
def add_time(request: HttpRequest, payload: TimeIn) -> Status[TimeEntry]:
    viewer = _leader(request)
    try:
        entry = services.add_time_entry(
            viewer, payload.start, payload.minutes, payload.category, payload.title
        )
    except services.DelegationError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, entry)


@router.post("/attention/import-ics", summary="Import an .ics calendar export as your time")
def import_ics(request: HttpRequest, payload: IcsIn) -> dict[str, Any]:
    viewer = _leader(request)
    try:
        with transaction.atomic():
            s = services.import_calendar(
                viewer, payload.ics, since=payload.since, until=payload.until
            )
    except CalendarError as exc:
        raise HttpError(422, f"nothing imported: {exc}") from exc
    return {
        "created": s.created,
        "updated": s.updated,
        "unchanged": s.unchanged,
        "skipped": s.skipped,
        "unmatched": s.unmatched,
    }


@router.get("/attention", summary="The attention meter of a week (as `ninety attention --json`)")
def meter(request: HttpRequest, week: str | None = None, leader_id: int | None = None) -> Any:
    viewer = _leader(request)
    leader = get_object_or_404(attention_leaders(viewer), pk=leader_id or viewer.pk)
    return queries.attention_week(leader, _week(week)).as_json()
