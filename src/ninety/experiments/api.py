"""Experiments through the API: list, start, read with the analysis, conclude."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from ninety.experiments.models import Experiment
from ninety.experiments.queries import (
    can_change_experiment,
    shows_result,
    visible_experiments,
    with_people,
)
from ninety.experiments.serialize import experiment_json, look_json, own_json, result_json
from ninety.experiments.services import (
    ExperimentError,
    analysis_of,
    conclude_experiment,
    own_figures,
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


class SubjectOut(Schema):
    id: int
    name: str


class ExperimentItemOut(Schema):
    """An experiment and its cached verdict. A rep (a subject) reads it as a subject: only
    themselves in ``subjects`` (``subject_count`` counts them all), ``control`` null, and
    ``verdict``, ``sentence`` and ``p_improved`` null with ``withheld`` saying why when the
    pooled result would show another rep's numbers."""

    id: int
    url: str
    hypothesis: str
    subjects: list[SubjectOut] = Field(description="the subjects you may see named")
    subject_count: int = Field(description="how many subjects it has")
    control: list[int] | None = Field(
        description="the chosen control's ids ([]: the rest of the team); null for a rep"
    )
    metric: str
    behavior: int | None
    way: int | None
    way_text: str | None
    start: date
    planned_end: date | None
    status: str
    conclusion: str | None
    outcome: str
    source: str
    source_id: int | None
    verdict: str | None
    sentence: str | None
    p_improved: float | None
    analysed_as_of: date | None
    withheld: str | None = Field(
        description="why the pooled result is not shown to you; null when it is"
    )


class ResultOut(Schema):
    as_of: date | None
    metric: str
    label: str
    scale: str
    days_after: int
    effect: float | None
    ratio: float | None
    interval: list[float | None]
    level: float
    sequential_interval: list[float | None]
    alpha: float
    p_improved: float | None
    p_value: float | None
    fixed_p_value: float | None
    subject_before: float | None
    subject_after: float | None
    control_before: float | None
    control_after: float | None
    counterfactual: float | None
    n: dict[str, int]
    verdict: str
    sentence: str


class LookOut(Schema):
    day: date
    effect: float | None
    interval: list[float | None]
    sequential_interval: list[float | None]
    p_improved: float | None
    p_value: float | None
    verdict: str


class OwnOut(Schema):
    """A subject's own figures, before the start and since (no one else's in them)."""

    person_id: int
    metric: str = Field(description="rate, volume or size")
    label: str
    before: float | None
    after: float | None
    n_before: int | None = Field(description="tries or deals before (null for a volume)")
    n_after: int | None = Field(description="tries or deals since the start")
    days_after: int
    as_of: date


class ExperimentDetailOut(ExperimentItemOut):
    analysis: ResultOut | None = Field(description="the pooled result; null when withheld")
    over_time: list[LookOut] = Field(description="the effect at each look; [] when withheld")
    own: OwnOut | None = Field(description="your own figures, when the result is withheld")


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


def _json(viewer: Person, e: Experiment) -> dict[str, Any]:
    return experiment_json(e, viewer, shown=shows_result(viewer, e))


@router.get(
    "/experiments",
    response=list[ExperimentItemOut],
    summary="Experiments you may see, with their cached verdicts",
)
@paged
def list_experiments(request: HttpRequest, status: str | None = None) -> Mapped:
    viewer = _viewer(request)
    qs = with_people(visible_experiments(viewer)).prefetch_related("control")
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, lambda e: _json(viewer, e))


@router.post("/experiments", response={201: ExperimentItemOut},
             summary="Start an experiment (leaders)")  # fmt: skip
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
    return Status(201, experiment_json(experiment, viewer))


@router.get("/experiments/{experiment_id}", response=ExperimentDetailOut,
            summary="One experiment with its analysis (or a rep's own figures)")  # fmt: skip
def get_experiment(
    request: HttpRequest, experiment_id: int, as_of: Day | None = None
) -> dict[str, Any]:
    viewer = _viewer(request)
    experiment = get_object_or_404(with_people(visible_experiments(viewer)), pk=experiment_id)
    if not shows_result(viewer, experiment):
        own = own_figures(experiment, viewer, as_of)
        return experiment_json(experiment, viewer, shown=False) | {
            "analysis": None, "over_time": [], "own": own_json(own),
        }  # fmt: skip
    analysis = analysis_of(experiment, as_of)
    return experiment_json(experiment, viewer) | {
        "analysis": result_json(analysis.result),
        "over_time": [look_json(lk) for lk in analysis.looks],
        "own": None,
    }


@router.post("/experiments/{experiment_id}/conclude", response=ExperimentItemOut,
             summary="Conclude with an outcome")  # fmt: skip
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
    return experiment_json(experiment, viewer)
