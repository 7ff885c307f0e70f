"""Writes and analyses of experiments go through these functions (views, API and CLI call them).

The statistics live in :mod:`ninety.core.experiments`; this module resolves the metric against
the org's playbook, picks the control, loads the daily counts from the rollups and caches the
verdict on the experiment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from ninety.core.experiments import (
    DealSizes,
    ExperimentPlan,
    ExperimentResult,
    Look,
    RateCounts,
    VolumeCounts,
    analyse,
    cumulative,
)
from ninety.core.playbook_spec import PlaybookSpec
from ninety.diagnosis.services import default_as_of, playbook_for
from ninety.experiments import loaders
from ninety.experiments.models import (
    DEAL_SIZE,
    NON_STAGE_METRICS,
    RESULT,
    VOLUME,
    Experiment,
)
from ninety.experiments.notifications import verdict_changed
from ninety.experiments.queries import can_change_experiment, default_control_ids
from ninety.people.models import Org, Person, Role, Team
from ninety.people.permissions import managed_people, visible_people
from ninety.playbook.models import Behavior, Playbook, Way


class ExperimentError(ValueError):
    """An experiment that cannot be started or concluded; the message names the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is measured: ``kind`` rate/volume/size, the activity type it reads, and its
    label in the leader's words."""

    key: str
    kind: str
    label: str
    entry_type: str = ""
    unit: str = ""


def metric_choices(spec: PlaybookSpec) -> list[tuple[str, str]]:
    """(key, label) of every metric an experiment may watch, stage conversions first."""
    stages = [(s.key, f"{s.name}: {s.entry}→{s.exit}") for s in spec.stages]
    first = spec.stages[0].entry if spec.stages else "activity"
    return [
        *stages,
        (VOLUME, f"Volume: {first}s per day"),
        (DEAL_SIZE, "Deal size (won deals)"),
        (RESULT, "Result: won value per day"),
    ]


def metric_spec(spec: PlaybookSpec, metric: str) -> MetricSpec:
    if metric == VOLUME:
        if not spec.stages:
            raise ExperimentError("The playbook has no stages to count volume on.", "metric")
        entry = spec.stages[0].entry
        return MetricSpec(metric, "volume", f"{entry}s per day", entry)
    if metric == DEAL_SIZE:
        return MetricSpec(metric, "size", "deal size", unit="$")
    if metric == RESULT:
        return MetricSpec(metric, "volume", "won value per day", unit="$")
    try:
        stage = spec.stage(metric)
    except KeyError:
        raise ExperimentError(
            f"metric: {metric!r} is neither a stage of the playbook nor one of "
            f"{', '.join(NON_STAGE_METRICS)}.",
            "metric",
        ) from None
    return MetricSpec(metric, "rate", f"{stage.entry}→{stage.exit}", stage.entry)


# -- starting ---------------------------------------------------------------------------------


def _people(items: Iterable[Person] | Team | None) -> list[Person]:
    if items is None:
        return []
    if isinstance(items, Team):
        return list(
            Person.objects.filter(team=items, role=Role.REP, is_active=True).order_by("name")
        )
    return list(dict.fromkeys(items))


@transaction.atomic
def start_experiment(
    *,
    leader: Person,
    subjects: Iterable[Person] | Team,
    hypothesis: str,
    metric: str,
    start: date,
    planned_end: date | None = None,
    way: Way | None = None,
    behavior: Behavior | None = None,
    control: Iterable[Person] | Team | None = None,
    source: str = "",
    source_id: int | None = None,
) -> Experiment:
    """Start an experiment: ``subjects`` (people or a team's reps) change a behavior from
    ``start``; ``metric`` is a stage key, ``volume``, ``deal_size`` or ``result``.

    ``control`` defaults to the rest of the subjects' teams over the same dates. ``source`` says
    where it came from in words (``"one-on-one 12 Nov, commitment 3"``) and ``source_id`` the
    commitment's id. Raises :class:`ExperimentError` naming the field on bad input; nothing is
    stored then.
    """
    if leader.role not in (Role.LEADER, Role.ADMIN):
        raise ExperimentError("Only leaders and admins start experiments.", "leader")
    hypothesis = " ".join(hypothesis.split())
    if not hypothesis:
        raise ExperimentError("hypothesis: say in a sentence what should change and why.",
                              "hypothesis")  # fmt: skip
    people = _people(subjects)
    if not people:
        raise ExperimentError("subjects: choose at least one rep.", "subjects")
    managed = set(managed_people(leader).values_list("pk", flat=True))
    outside = [p.name for p in people if p.pk not in managed]
    if outside:
        raise ExperimentError(f"subjects: you do not lead {', '.join(outside)}.", "subjects")
    control_people = _people(control)
    visible = set(visible_people(leader).values_list("pk", flat=True))
    if any(p.pk not in visible for p in control_people):
        raise ExperimentError("control: choose people you can see.", "control")
    if {p.pk for p in control_people} & {p.pk for p in people}:
        raise ExperimentError("control: a subject cannot be in the control too.", "control")
    if planned_end is not None and planned_end < start:
        raise ExperimentError("planned_end: the planned end is before the start.", "planned_end")
    spec = playbook_for(leader.org)
    metric_spec(spec, metric)
    if way is not None:
        if way.behavior.stage.playbook.org_id != leader.org_id:
            raise ExperimentError("way: not a way of your playbook.", "way")
        if behavior is not None and way.behavior_id != behavior.pk:
            raise ExperimentError("way: this way belongs to another behavior.", "way")
        behavior = way.behavior
    if behavior is not None and behavior.stage.playbook.org_id != leader.org_id:
        raise ExperimentError("behavior: not a behavior of your playbook.", "behavior")
    if not control_people and not default_control_ids([p.pk for p in people], leader.org_id):
        raise ExperimentError(
            "control: the subjects' teams have nobody else; choose a control group.", "control"
        )
    experiment = Experiment.objects.create(
        org_id=leader.org_id, created_by=leader, hypothesis=hypothesis, metric=metric,
        start=start, planned_end=planned_end, way=way, behavior=behavior,
        source=source[:200], source_id=source_id,
    )  # fmt: skip
    experiment.subjects.set(people)
    experiment.control.set(control_people)
    return experiment


# -- analysing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """An experiment's analysis at one date: the verdict and the effect over time."""

    experiment: Experiment
    metric: MetricSpec
    result: ExperimentResult
    looks: tuple[Look, ...]
    subject_ids: tuple[int, ...]
    control_ids: tuple[int, ...]
    default_control: bool
    as_of: date


def _counts(
    metric: MetricSpec, subjects: list[int], control: list[int], window: loaders.Window
) -> RateCounts | VolumeCounts | DealSizes:
    if metric.kind == "rate":
        return loaders.load_rates(subjects, control, metric.entry_type, window)
    if metric.key == VOLUME:
        return loaders.load_volume(subjects, control, metric.entry_type, window)
    if metric.key == RESULT:
        return loaders.load_result(subjects, control, window)
    return loaders.load_deal_sizes(subjects, control, window)


def _load(
    experiment: Experiment, spec: PlaybookSpec, as_of: date
) -> tuple[MetricSpec, RateCounts | VolumeCounts | DealSizes, list[int], list[int], bool]:
    metric = metric_spec(spec, experiment.metric)
    subjects = [p.pk for p in experiment.subjects.all()]
    control = [p.pk for p in experiment.control.all()]
    default = not control
    if default:
        control = default_control_ids(subjects, experiment.org_id)
    data = _counts(metric, subjects, control, loaders.Window.of(experiment.start, as_of))
    return metric, data, subjects, control, default


def _plan(experiment: Experiment, metric: MetricSpec, default_control: bool) -> ExperimentPlan:
    return ExperimentPlan(
        start=experiment.start,
        planned_end=experiment.planned_end,
        label=metric.label,
        unit=metric.unit,
        control_label="rest of the team" if default_control else "control group",
    )


def analysis_of(
    experiment: Experiment,
    as_of: date | None = None,
    *,
    spec: PlaybookSpec | None = None,
    over_time: bool = True,
) -> Analysis:
    """The analysis with the effect over time (one point per business day since the start)."""
    as_of = as_of or default_as_of()
    spec = spec or playbook_for(experiment.org)
    metric, data, subjects, control, default = _load(experiment, spec, as_of)
    plan = _plan(experiment, metric, default)
    result = analyse(data, plan, as_of)
    looks = cumulative(data, plan, as_of) if over_time else ()
    return Analysis(experiment, metric, result, looks, tuple(subjects), tuple(control), default,
                    as_of)  # fmt: skip


@dataclass(frozen=True)
class OwnFigures:
    """One subject's own figures in an experiment, before the start and since: what a rep reads
    when the pooled result would show someone else's numbers. ``n_*`` are tries or deals (None
    for volumes, whose before and after are business days)."""

    person_id: int
    metric: MetricSpec
    kind: str  # rate, volume or size, as ExperimentResult.metric
    before: float
    after: float
    n_before: int | None
    n_after: int | None
    days_after: int
    as_of: date


def own_figures(experiment: Experiment, person: Person, as_of: date | None = None) -> OwnFigures:
    """``person``'s counts alone over the experiment's dates (no control, no pooling): only
    their before/after levels are taken from the analysis of them."""
    as_of = as_of or default_as_of()
    metric = metric_spec(playbook_for(experiment.org), experiment.metric)
    data = _counts(metric, [person.pk], [], loaders.Window.of(experiment.start, as_of))
    r = analyse(data, _plan(experiment, metric, default_control=True), as_of)
    n = r.n or {}
    return OwnFigures(
        person.pk, metric, r.metric, r.subject_before, r.subject_after,
        n.get("subject_before"), n.get("subject_after"), r.days_after, as_of,
    )  # fmt: skip


def analyse_experiment(experiment: Experiment, as_of: date | None = None) -> ExperimentResult:
    """The verdict now (or at ``as_of``), from the daily rollups; one aggregate query for the
    counts. Does not store anything (see :func:`refresh_running`)."""
    return analysis_of(experiment, as_of, over_time=False).result


def _cache(experiment: Experiment, result: ExperimentResult, as_of: date) -> None:
    before = experiment.verdict
    experiment.verdict = result.verdict
    experiment.sentence = result.sentence
    experiment.p_improved = result.p_improved if result.p_improved == result.p_improved else None
    experiment.effect = result.effect if result.effect == result.effect else None
    experiment.analysed_as_of = as_of
    verdict_changed(experiment, before)


CACHED = ["verdict", "sentence", "p_improved", "effect", "analysed_as_of", "updated_at"]


def refresh_experiment(experiment: Experiment, as_of: date | None = None) -> ExperimentResult:
    """Analyse one experiment and store its verdict, sentence and P(improved) on it."""
    as_of = as_of or default_as_of()
    result = analyse_experiment(experiment, as_of)
    _cache(experiment, result, as_of)
    experiment.save(update_fields=CACHED)
    return result


def refresh_running(org: Org, as_of: date | None = None) -> int:
    """Re-analyse every running experiment of ``org`` and cache the verdicts (after an import).

    Returns the number of experiments analysed. The playbook is read once for all of them.
    """
    as_of = as_of or default_as_of()
    spec = playbook_for(org)
    running = list(
        Experiment.objects.filter(
            org=org, status=Experiment.Status.RUNNING, start__lte=as_of
        ).prefetch_related("subjects", "control")
    )
    for experiment in running:
        try:
            result = analysis_of(experiment, as_of, spec=spec, over_time=False).result
        except ExperimentError:
            # The metric's stage left the playbook: say so rather than fail the import.
            experiment.verdict, experiment.sentence = "", "The metric is no longer in the playbook."
            experiment.analysed_as_of = as_of
        else:
            _cache(experiment, result, as_of)
    Experiment.objects.bulk_update(running, CACHED[:-1])
    return len(running)


# -- concluding -------------------------------------------------------------------------------


def _current_ways(way: Way) -> list[Way]:
    """The same way in the org's published playbook and open draft (where the team reads it)."""
    behavior = way.behavior
    return list(
        Way.objects.filter(
            behavior__stage__playbook__org_id=behavior.stage.playbook.org_id,
            behavior__stage__playbook__status__in=[Playbook.Status.PUBLISHED,
                                                    Playbook.Status.DRAFT],
            behavior__stage__key=behavior.stage.key,
            behavior__key=behavior.key,
            key=way.key,
        )
    )  # fmt: skip


def _promote(way: Way) -> None:
    """First in its behavior's order, approved."""
    siblings = list(Way.objects.filter(behavior_id=way.behavior_id).order_by("order", "pk"))
    siblings.sort(key=lambda w: w.pk != way.pk)  # stable: the others keep their order
    for order, w in enumerate(siblings):
        if w.order != order:
            Way.objects.filter(pk=w.pk).update(order=order)
    Way.objects.filter(pk=way.pk, status=Way.Status.PROPOSED).update(status=Way.Status.APPROVED)


@transaction.atomic
def conclude_experiment(
    experiment: Experiment, conclusion: str, note: str, by: Person, as_of: date | None = None
) -> Experiment:
    """Close an experiment with the leader's conclusion and note.

    ``promote_way`` puts the way first in its behavior (published playbook and open draft) and
    approves it; ``retire_way`` retires it with the note as the reason; ``keep`` and ``none``
    leave the playbook alone. The final verdict is stored with the outcome, so the subjects'
    history shows what was tried and what came of it.
    """
    if not can_change_experiment(by, experiment):
        raise ExperimentError("Only a leader of every subject concludes this experiment.", "by")
    if experiment.status != Experiment.Status.RUNNING:
        raise ExperimentError("This experiment is already concluded.", "status")
    if conclusion not in Experiment.Conclusion.values:
        raise ExperimentError(
            f"conclusion: one of {', '.join(Experiment.Conclusion.values)}.", "conclusion"
        )
    note = note.strip()
    if conclusion in (Experiment.Conclusion.PROMOTE_WAY, Experiment.Conclusion.RETIRE_WAY):
        if experiment.way is None:
            raise ExperimentError("conclusion: this experiment names no way to change.",
                                  "conclusion")  # fmt: skip
        for w in _current_ways(experiment.way):
            if conclusion == Experiment.Conclusion.PROMOTE_WAY:
                _promote(w)
            else:
                reason = note or f"Retired after experiment {experiment.pk}."
                Way.objects.filter(pk=w.pk).update(status=Way.Status.RETIRED,
                                                   decline_reason=reason)  # fmt: skip
    as_of = as_of or default_as_of()
    result = analyse_experiment(experiment, as_of)
    _cache(experiment, result, as_of)
    label = Experiment.Conclusion(conclusion).label
    experiment.status = Experiment.Status.CONCLUDED
    experiment.conclusion = conclusion
    experiment.outcome = f"{label}. {note}".strip() if note else f"{label}."
    experiment.concluded_at = timezone.now()
    experiment.concluded_by = by
    experiment.save()
    return experiment
