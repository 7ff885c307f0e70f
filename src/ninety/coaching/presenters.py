"""What the one-on-one templates show (kept out of the views to keep them thin)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from ninety.coaching.models import Commitment, DrillDownAnswer, OneOnOne, Recital
from ninety.coaching.permissions import can_run
from ninety.coaching.queries import open_commitments, private_note
from ninety.experiments.models import Experiment
from ninety.experiments.services import metric_choices
from ninety.people.models import Person, Role
from ninety.playbook.models import Behavior, Way
from ninety.playbook.services import current_playbook, playbook_spec


def experiment_url(experiment_id: int | None) -> str:
    if experiment_id is None:
        return ""
    return reverse("experiment", kwargs={"experiment_id": experiment_id})


def _drilldown(meeting: OneOnOne) -> list[dict[str, Any]]:
    """The prep sheet's questions with the answers given so far."""
    answers = {a.question_id: a for a in DrillDownAnswer.objects.filter(meeting=meeting)}
    out = []
    for b in (meeting.prep or {}).get("drilldown", []):
        questions = []
        for q in b["questions"]:
            a = answers.get(q["id"])
            holds = "" if a is None or a.holds is None else ("yes" if a.holds else "no")
            questions.append({**q, "holds": holds, "note": a.note if a else ""})
        out.append({**b, "questions": questions})
    return out


def _recital(meeting: OneOnOne, behavior_id: int | None) -> dict[str, Any] | None:
    """The behavior under discussion, its approved ways (shown hidden), and what was ticked."""
    playbook = current_playbook(meeting.rep.org)
    if playbook is None:
        return None
    behaviors = list(
        Behavior.objects.filter(stage__playbook=playbook)
        .select_related("stage")
        .order_by("stage__order", "order")
    )
    if not behaviors:
        return None
    drill = [b["behavior_id"] for b in (meeting.prep or {}).get("drilldown", [])]
    wanted = behavior_id or (drill[0] if drill else behaviors[0].pk)
    behavior = next((b for b in behaviors if b.pk == wanted), behaviors[0])
    ways = list(behavior.ways.filter(status=Way.Status.APPROVED).order_by("order", "pk"))
    recital = Recital.objects.filter(meeting=meeting, behavior=behavior).first()
    recited = set(recital.recited.values_list("pk", flat=True)) if recital else set()
    proposed = list(recital.proposed.all()) if recital else []
    return {
        "behavior": behavior,
        "behaviors": behaviors,
        "ways": [{"way": w, "n": i + 1, "recited": w.pk in recited} for i, w in enumerate(ways)],
        "recited": len(recited),
        "total": len(ways),
        "proposed": proposed,
    }


def _metric_labels(meeting: OneOnOne) -> dict[str, str]:
    playbook = current_playbook(meeting.rep.org)
    return dict(metric_choices(playbook_spec(playbook))) if playbook is not None else {}


def _commitments(meeting: OneOnOne) -> list[dict[str, Any]]:
    """Each commitment, its experiment, and the metric an experiment of it watches (said
    before it starts, so the leader knows what will be measured)."""
    labels = _metric_labels(meeting)
    commitments = list(
        Commitment.objects.filter(meeting=meeting).select_related("way", "behavior__stage")
    )
    watched = dict(
        Experiment.objects.filter(
            pk__in=[c.experiment_id for c in commitments if c.experiment_id]
        ).values_list("pk", "metric")
    )
    out = []
    for c in commitments:
        key = watched.get(c.experiment_id or 0) or (
            c.behavior.stage.key if c.behavior else meeting.focus_stage
        )
        out.append({
            "c": c,
            "experiment_url": experiment_url(c.experiment_id),
            "metric": labels.get(key or "", ""),
        })  # fmt: skip
    return out


def meeting_context(viewer: Person, meeting: OneOnOne, behavior_id: int | None) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "prep": meeting.prep or {},
        "drilldown": _drilldown(meeting),
        "recital": _recital(meeting, behavior_id),
        "reviewable": open_commitments(meeting),
        "commitments": _commitments(meeting),
        "private_note": private_note(meeting, viewer),
        "kinds": Commitment.Kind.choices,
        "is_runner": can_run(viewer, meeting),
    }


def saved_state(meeting: OneOnOne, behavior: str) -> dict[str, Any]:
    """What the meeting page's autosave shows after a save: the recital score, ways proposed."""
    out: dict[str, Any] = {"saved": True}
    recital = (
        Recital.objects.filter(meeting=meeting, behavior_id=int(behavior))
        .prefetch_related("proposed")
        .first()
        if behavior.isdigit()
        else None
    )
    if recital is not None:
        out["recital"] = {"recited": recital.recited_count, "total": recital.ways_total}
        out["proposed"] = [w.text for w in recital.proposed.all()]
    return out


def summary_context(viewer: Person, meeting: OneOnOne) -> dict[str, Any]:
    """Shared parts for everyone who may see the meeting; the private note only for its author."""
    recitals = list(Recital.objects.filter(meeting=meeting).prefetch_related("recited", "proposed"))
    return {
        "meeting": meeting,
        "prep": meeting.prep or {},
        "answers": list(DrillDownAnswer.objects.filter(meeting=meeting).exclude(holds=None)),
        "recitals": recitals,
        "recited": sum(r.recited_count for r in recitals),
        "ways_total": sum(r.ways_total for r in recitals),
        "commitments": _commitments(meeting),
        "reviewed": [c for c in open_commitments(meeting) if c.reviewed_in_id == meeting.pk],
        "private_note": private_note(meeting, viewer),
        "is_runner": can_run(viewer, meeting),
        "is_rep": viewer.pk == meeting.rep_id,
    }


def delegate_candidates(meeting: OneOnOne) -> QuerySet[Person]:
    """Who may hold the meeting for the leader: another leader, or a high-potential rep."""
    return (
        Person.objects.filter(org_id=meeting.org_id, is_active=True)
        .filter(Q(role=Role.LEADER) | Q(role=Role.REP, high_potential=True))
        .exclude(pk__in=[meeting.leader_id, meeting.rep_id])
        .order_by("role", "name")
    )
