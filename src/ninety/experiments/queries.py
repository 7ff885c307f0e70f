"""Reads that matter: which experiments a person may see or change, and the summaries that other
pages (the leader dashboard, the rep page) show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from ninety.experiments.models import Experiment
from ninety.people.models import Person, Role
from ninety.people.permissions import managed_people, visible_people


def visible_experiments(viewer: Person | None) -> QuerySet[Experiment]:
    """Experiments ``viewer`` may see: the org's (admin); those they are a subject of (rep);
    for a leader, those whose every subject they may see. An experiment on reps of two teams is
    one neither team's leader sees (its pooled result and its list of subjects would show them
    the other team's rep); the director above both sees it. Nobody sees another org's."""
    if viewer is None:
        return Experiment.objects.none()
    qs = Experiment.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    if viewer.role == Role.REP:
        return qs.filter(pk__in=qs.filter(subjects=viewer).values("pk"))
    seen = visible_people(viewer).values("pk")
    links = Experiment.subjects.through.objects
    unseen = links.exclude(person_id__in=seen).values("experiment_id")
    return qs.filter(pk__in=links.filter(person_id__in=seen).values("experiment_id")).exclude(
        pk__in=unseen
    )


def can_change_experiment(viewer: Person | None, experiment: Experiment) -> bool:
    """Leaders who manage every subject, and admins of the org, conclude an experiment."""
    if viewer is None or viewer.org_id != experiment.org_id or viewer.role == Role.REP:
        return False
    if viewer.role == Role.ADMIN:
        return True
    subject_ids = {p.pk for p in experiment.subjects.all()}
    managed = set(managed_people(viewer).filter(pk__in=subject_ids).values_list("pk", flat=True))
    return subject_ids <= managed


def with_people(qs: QuerySet[Experiment]) -> QuerySet[Experiment]:
    """The list pages' query: subjects, way and behavior in a fixed number of queries."""
    return qs.select_related("way", "behavior", "created_by").prefetch_related(
        Prefetch("subjects", queryset=Person.objects.only("pk", "name", "org_id").order_by("name"))
    )


@dataclass(frozen=True)
class ExperimentSummary:
    """One line of an "Experiments running" card: who, what, and the cached verdict."""

    pk: int
    url: str
    subjects: tuple[str, ...]
    subject_label: str
    hypothesis: str
    metric: str
    way: str | None
    start: date
    status: str
    verdict: str
    sentence: str
    p_improved: float | None
    outcome: str

    @property
    def title(self) -> str:
        """E.g. "Sam Patel: open every call with a recent local customer" — the words of the
        commitment or hypothesis, not the way's title (they may say more, or something else)."""
        return f"{self.subject_label}: {self.hypothesis or self.way}"


def summary(experiment: Experiment) -> ExperimentSummary:
    names = tuple(p.name for p in experiment.subjects.all())
    label = names[0] if len(names) == 1 else f"{len(names)} reps"
    return ExperimentSummary(
        pk=experiment.pk,
        url=experiment.get_absolute_url(),
        subjects=names,
        subject_label=label,
        hypothesis=experiment.hypothesis,
        metric=experiment.metric,
        way=experiment.way.text if experiment.way else None,
        start=experiment.start,
        status=experiment.status,
        verdict=experiment.verdict,
        sentence=experiment.sentence,
        p_improved=experiment.p_improved,
        outcome=experiment.outcome,
    )


def running_for(
    people: Iterable[Person], as_of: date, *, viewer: Person | None = None
) -> list[ExperimentSummary]:
    """Running experiments with any of ``people`` as a subject, started by ``as_of``, newest first.

    The caller has already limited ``people`` to those the viewer may see; with ``viewer``, an
    experiment that also has subjects the viewer may not see is left out. Verdicts are the cached
    ones (``refresh_running`` keeps them fresh); three queries whatever the number of experiments.
    """
    ids = [p.pk for p in people]
    qs = Experiment.objects.filter(
        pk__in=Experiment.objects.filter(subjects__in=ids).values("pk"),
        status=Experiment.Status.RUNNING,
        start__lte=as_of,
    )
    return [summary(e) for e in _seen_by(viewer, list(with_people(qs)), known=set(ids))]


def history_for(person: Person, *, viewer: Person | None = None) -> list[ExperimentSummary]:
    """A rep's history of experiments (running and concluded, with their outcome), newest first;
    with ``viewer``, only those the viewer may see."""
    qs = with_people(Experiment.objects.filter(subjects=person))
    return [summary(e) for e in _seen_by(viewer, list(qs), known={person.pk})]


def _seen_by(
    viewer: Person | None, experiments: list[Experiment], known: set[int]
) -> list[Experiment]:
    """:func:`visible_experiments`' rule on experiments already fetched with their subjects.
    ``known`` are people the caller already knows the viewer sees: only the others are looked
    up (none at all for the usual one-rep experiment)."""
    if viewer is None or viewer.role == Role.ADMIN:
        return experiments
    if viewer.role == Role.REP:
        return [e for e in experiments if any(p.pk == viewer.pk for p in e.subjects.all())]
    others = {p.pk for e in experiments for p in e.subjects.all()} - known
    seen = set(known)
    if others:
        seen |= set(visible_people(viewer).filter(pk__in=others).values_list("pk", flat=True))
    return [e for e in experiments if all(p.pk in seen for p in e.subjects.all())]
