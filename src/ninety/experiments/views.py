"""Experiment pages: the list, the form, one experiment (verdict, effect over time), conclude."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ninety.core.periods import parse_day
from ninety.diagnosis.services import default_as_of, playbook_for
from ninety.experiments import presenters
from ninety.experiments.forms import ConcludeForm, ExperimentForm
from ninety.experiments.models import Experiment
from ninety.experiments.queries import (
    can_change_experiment,
    results_shown,
    shows_result,
    subjects_shown,
    visible_experiments,
    with_people,
)
from ninety.experiments.services import (
    ExperimentError,
    analysis_of,
    conclude_experiment,
    own_figures,
    refresh_experiment,
    start_experiment,
)
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.permissions import can_shape_org, sees_only_self
from ninety.people.views import viewer_of


def _as_of(request: HttpRequest) -> tuple[date, str]:
    """The analysis date (``?as_of=YYYY-MM-DD``, default today) and the query to keep it."""
    if "as_of" not in request.GET:
        return default_as_of(), ""
    try:
        day = parse_day(request.GET["as_of"])
    except ValueError as exc:
        raise Http404("as_of: expected YYYY-MM-DD") from exc
    return day, f"?as_of={day.isoformat()}"


EXPERIMENTS = ListSpec(
    sorts={
        "start": Sort("Start", ("start",)),
        "end": Sort("Planned end", ("planned_end", "start")),
        "metric": Sort("Metric", ("metric", "start")),
        "verdict": Sort("Verdict", ("verdict", "start")),
    },
    default="-start",
    search=("hypothesis", "way__text", "outcome"),
    filters={"status": Filter("Status", "status", tuple(Experiment.Status.choices))},
    search_label="Hypothesis or way",
)


@login_required
def experiment_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    _, query = _as_of(request)
    items = listing(request, with_people(visible_experiments(viewer)), EXPERIMENTS)
    page = list(items)
    rows = presenters.list_rows(viewer, page, results_shown(viewer, page))
    context = {
        "list": items,
        "running": [r for r in rows if r.experiment.is_running],
        "concluded": [r for r in rows if not r.experiment.is_running],
        "can_start": can_shape_org(viewer),
        "query": query,
    }
    return render(request, "experiments/list.html", context)


@login_required
def experiment_new(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not can_shape_org(viewer):
        raise PermissionDenied("Leaders start experiments; propose one in your one-on-one.")
    as_of, query = _as_of(request)
    spec = playbook_for(viewer.org)
    form = ExperimentForm(request.POST or None, leader=viewer, spec=spec,
                          initial={"start": as_of})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            experiment = start_experiment(
                leader=viewer, subjects=d["team"] or d["subjects"], hypothesis=d["hypothesis"],
                metric=d["metric"], start=d["start"], planned_end=d["planned_end"],
                way=d["way"], control=d["control"], source="experiment form",
            )  # fmt: skip
        except ExperimentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            refresh_experiment(experiment, as_of)
            return redirect(experiment.get_absolute_url() + query)
    return render(request, "experiments/new.html", {"form": form, "query": query})


@login_required
def experiment_detail(request: HttpRequest, experiment_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    experiment = get_object_or_404(with_people(visible_experiments(viewer)), pk=experiment_id)
    as_of, query = _as_of(request)
    if shows_result(viewer, experiment):
        analysis = analysis_of(experiment, as_of)
        context = presenters.page_context(analysis, show_names=not sees_only_self(viewer))
    else:  # a rep in a pooled experiment: their own figures only
        context = presenters.own_context(experiment, own_figures(experiment, viewer, as_of))
    subjects = subjects_shown(viewer, experiment)
    context |= {
        "subjects": subjects,
        "others": len(experiment.subjects.all()) - len(subjects),
        "can_conclude": experiment.is_running and can_change_experiment(viewer, experiment),
        "conclude_form": ConcludeForm(),
        "query": query,
    }
    return render(request, "experiments/detail.html", context)


@login_required
@require_POST
def experiment_conclude(request: HttpRequest, experiment_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    experiment: Experiment = get_object_or_404(visible_experiments(viewer), pk=experiment_id)
    if not can_change_experiment(viewer, experiment):
        raise PermissionDenied("Only a leader of every subject concludes this experiment.")
    as_of, query = _as_of(request)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        try:
            conclude_experiment(experiment, form.cleaned_data["conclusion"],
                                form.cleaned_data["note"], viewer, as_of)  # fmt: skip
        except ExperimentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Concluded: {experiment.outcome}")
    else:
        messages.error(request, "Choose a conclusion.")
    return redirect(experiment.get_absolute_url() + query)
