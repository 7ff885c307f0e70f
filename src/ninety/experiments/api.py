"""Experiments through the API: list, start, read with the analysis, conclude."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ninety.experiments.queries import can_change_experiment, visible_experiments, with_people
from ninety.experiments.serialize import experiment_json, look_json, result_json
from ninety.experiments.services import (
    ExperimentError,
    analysis_of,
    conclude_experiment,
    refresh_experiment,
    start_experiment,
)
from ninety.people.inputs import Day
from ninety.people.models import Person
from ninety.people.pagination import Mapped, paged
from ninety.people.permissions import can_shape_org, visible_people, visible_teams
from ninety.playbook.models import Way

router = Router(tags=["experiments"])


class ExperimentIn(Schema):
    hypothesis: str
    metric: str
    start: Day
    subjects: list[int | str] = []
    team: int | None = None
    planned_end: Day | None = None
    way: int | None = None
    control: list[int | str] = []
    source: str = ""
    source_id: int | None = None


class ConcludeIn(Schema):
    conclusion: str
    note: str = ""


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _people(viewer: Person, keys: list[int | str], what: str) -> list[Person]:
    """People by id, or by external id or e-mail (what a CRM integration knows)."""
    ids = [k for k in keys if isinstance(k, int)]
    names = [k for k in keys if isinstance(k, str)]
    found = list(
        visible_people(viewer).filter(Q(pk__in=ids) | Q(external_id__in=names) | Q(email__in=names))
    )
    known = {p.pk for p in found} | {p.external_id for p in found} | {p.email for p in found}
    missing = [str(k) for k in keys if k not in known]
    if missing:
        raise HttpError(404, f"{what}: {', '.join(missing)} not among the people you may see.")
    return found


@router.get(
    "/experiments",
    response=list[dict[str, Any]],
    summary="Experiments you may see, with their cached verdicts",
)
@paged
def list_experiments(request: HttpRequest, status: str | None = None) -> Mapped:
    qs = with_people(visible_experiments(_viewer(request))).prefetch_related("control")
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, experiment_json)


@router.post("/experiments", response={201: dict}, summary="Start an experiment (leaders)")
def create_experiment(
    request: HttpRequest, payload: ExperimentIn, as_of: Day | None = None
) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    if not can_shape_org(viewer):
        raise HttpError(403, "Leaders start experiments.")
    subjects: Any = _people(viewer, payload.subjects, "subjects")
    if payload.team is not None:
        subjects = get_object_or_404(visible_teams(viewer), pk=payload.team)
    way = None
    if payload.way is not None:
        way = get_object_or_404(
            Way.objects.filter(behavior__stage__playbook__org_id=viewer.org_id), pk=payload.way
        )
    try:
        experiment = start_experiment(
            leader=viewer, subjects=subjects, hypothesis=payload.hypothesis,
            metric=payload.metric, start=payload.start, planned_end=payload.planned_end,
            way=way, control=_people(viewer, payload.control, "control"),
            source=payload.source, source_id=payload.source_id,
        )  # fmt: skip
    except ExperimentError as exc:
        raise HttpError(422, str(exc)) from exc
    refresh_experiment(experiment, as_of)
    return Status(201, experiment_json(experiment))


@router.get("/experiments/{experiment_id}", summary="One experiment with its analysis")
def get_experiment(
    request: HttpRequest, experiment_id: int, as_of: Day | None = None
) -> dict[str, Any]:
    experiment = get_object_or_404(visible_experiments(_viewer(request)), pk=experiment_id)
    analysis = analysis_of(experiment, as_of)
    return experiment_json(experiment) | {
        "analysis": result_json(analysis.result),
        "over_time": [look_json(lk) for lk in analysis.looks],
    }


@router.post("/experiments/{experiment_id}/conclude", summary="Conclude with an outcome")
def conclude(
    request: HttpRequest, experiment_id: int, payload: ConcludeIn, as_of: Day | None = None
) -> dict[str, Any]:
    viewer = _viewer(request)
    experiment = get_object_or_404(visible_experiments(viewer), pk=experiment_id)
    if not can_change_experiment(viewer, experiment):
        raise HttpError(403, "Only a leader of every subject concludes this experiment.")
    try:
        conclude_experiment(experiment, payload.conclusion, payload.note, viewer, as_of)
    except ExperimentError as exc:
        raise HttpError(422, str(exc)) from exc
    return experiment_json(experiment)
