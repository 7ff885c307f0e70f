"""Reads that matter: which experiments a person may see or change, what of them a rep reads, and
the summaries that other pages (the leader dashboard, the rep page) show.

A rep sees the experiments they are a subject of, as a subject: never another rep's name, id or
numbers. They are listed as its only subject named (with the number of others), the control is
not named, and the pooled result (the subjects' and the control's figures, the effect, the
verdict and its sentence) is theirs only when no one else's numbers can be read from it: they
are its only subject and its control is a group of at least :data:`MIN_GROUP`. Otherwise they
read their own before/after figures (``services.own_figures``) and :func:`withheld_reason`.
Leaders see an experiment only when they see every subject (:func:`visible_experiments`), and
then all of it. docs/security.md says the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from ninety.experiments.models import Experiment
from ninety.people.models import Person, Role, Team
from ninety.people.permissions import managed_people, sees_only_self, visible_people

#: The fewest people whose pooled figures a rep may read: the figures of one are that person's, and
#: of two, either one's to whoever learns the other's.
MIN_GROUP = 3


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


def default_control_ids(subject_ids: Sequence[int], org_id: int) -> list[int]:
    """The rest of the subjects' teams (active reps); if the subjects are whole teams, the other
    teams under the same parent."""
    reps = Person.objects.filter(org_id=org_id, role=Role.REP, is_active=True)
    teams = set(
        Person.objects.filter(pk__in=subject_ids, team__isnull=False).values_list(
            "team_id", flat=True
        )
    )
    same_team = reps.filter(team_id__in=teams).exclude(pk__in=subject_ids)
    ids = list(same_team.values_list("pk", flat=True))
    if ids:
        return ids
    parents = Team.objects.filter(pk__in=teams, parent__isnull=False).values("parent_id")
    siblings = Team.objects.filter(Q(parent_id__in=parents)).values("pk")
    return list(reps.filter(team_id__in=siblings).exclude(pk__in=subject_ids)
                .values_list("pk", flat=True))  # fmt: skip


def results_shown(viewer: Person | None, experiments: Iterable[Experiment]) -> set[int]:
    """Ids of ``experiments`` (fetched with their subjects, as :func:`with_people` does) whose
    pooled result ``viewer`` reads: every one for leaders and admins; for a rep, those they are
    the only subject of with a control of at least MIN_GROUP people. At most two queries."""
    experiments = list(experiments)
    if not sees_only_self(viewer):
        return {e.pk for e in experiments}
    assert viewer is not None
    alone = [e.pk for e in experiments if [p.pk for p in e.subjects.all()] == [viewer.pk]]
    if not alone:
        return set()
    links = Experiment.control.through.objects.filter(experiment_id__in=alone)
    chosen = dict(
        links.values("experiment_id")
        .annotate(n=Count("person_id"))
        .values_list("experiment_id", "n")
    )
    # No control chosen: the rest of the rep's team, resolved as the analysis resolves it.
    rest = len(default_control_ids([viewer.pk], viewer.org_id)) if len(chosen) < len(alone) else 0
    return {pk for pk in alone if chosen.get(pk, rest) >= MIN_GROUP}


def shows_result(viewer: Person | None, experiment: Experiment) -> bool:
    """:func:`results_shown` for one experiment."""
    return experiment.pk in results_shown(viewer, [experiment])


def subjects_shown(viewer: Person | None, experiment: Experiment) -> list[Person]:
    """The subjects ``viewer`` may read the names of: all (leaders, admins), or the rep alone."""
    subjects = list(experiment.subjects.all())
    if sees_only_self(viewer):
        return [p for p in subjects if viewer is not None and p.pk == viewer.pk]
    return subjects


def withheld_reason(experiment: Experiment) -> str:
    """Why a rep reads only their own figures of ``experiment`` (one short sentence)."""
    n = len(experiment.subjects.all())
    if n > 1:
        why = f"It pools {n} reps, so its result would show the others' numbers"
    else:
        why = f"Its control is fewer than {MIN_GROUP} reps, so its result would show theirs"
    return f"{why}: your leader reads the result with you; your own figures are on its page."


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


def summary(
    experiment: Experiment, viewer: Person | None = None, *, shown: bool = True
) -> ExperimentSummary:
    """One card line; ``viewer`` a rep: only their name, and without ``shown``, no pooled
    verdict (the sentence says why)."""
    count = len(experiment.subjects.all())
    names = tuple(p.name for p in subjects_shown(viewer, experiment))
    label = names[0] if count == 1 and names else f"{count} reps"
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
        verdict=experiment.verdict if shown else "",
        sentence=experiment.sentence if shown else withheld_reason(experiment),
        p_improved=experiment.p_improved if shown else None,
        outcome=experiment.outcome,
    )


def summaries(viewer: Person | None, experiments: list[Experiment]) -> list[ExperimentSummary]:
    shown = results_shown(viewer, experiments)
    return [summary(e, viewer, shown=e.pk in shown) for e in experiments]


def running_for(
    people: Iterable[Person], as_of: date, *, viewer: Person | None = None
) -> list[ExperimentSummary]:
    """Running experiments with any of ``people`` as a subject, started by ``as_of``, newest first.

    The caller has already limited ``people`` to those the viewer may see; with ``viewer``, an
    experiment that also has subjects the viewer may not see is left out, and a rep reads each as
    a subject (:func:`summary`). Verdicts are the cached ones (``refresh_running`` keeps them
    fresh); three queries whatever the number of experiments (up to two more for a rep).
    """
    ids = [p.pk for p in people]
    qs = Experiment.objects.filter(
        pk__in=Experiment.objects.filter(subjects__in=ids).values("pk"),
        status=Experiment.Status.RUNNING,
        start__lte=as_of,
    )
    return summaries(viewer, _seen_by(viewer, list(with_people(qs)), known=set(ids)))


def history_for(person: Person, *, viewer: Person | None = None) -> list[ExperimentSummary]:
    """A rep's history of experiments (running and concluded, with their outcome), newest first;
    with ``viewer``, only those the viewer may see."""
    qs = with_people(Experiment.objects.filter(subjects=person))
    return summaries(viewer, _seen_by(viewer, list(qs), known={person.pk}))


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
