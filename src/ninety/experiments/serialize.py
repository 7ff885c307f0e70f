"""Experiments as JSON: the same shape for the API and ``ninety experiment analyse --json``."""

from __future__ import annotations

import math
from typing import Any

from ninety.core.experiments import ExperimentResult, Look
from ninety.experiments.models import Experiment
from ninety.experiments.queries import subjects_shown, withheld_reason
from ninety.experiments.services import OwnFigures
from ninety.people.models import Person
from ninety.people.permissions import sees_only_self


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def experiment_json(
    e: Experiment, viewer: Person | None = None, *, shown: bool = True
) -> dict[str, Any]:
    """The experiment and its cached verdict (no analysis is run). With a rep as ``viewer``,
    what a subject reads (:mod:`ninety.experiments.queries`): only their own name, no control
    ids, and without ``shown`` no pooled verdict (``withheld`` says why)."""
    return {
        "id": e.pk,
        "url": e.get_absolute_url(),
        "hypothesis": e.hypothesis,
        "subjects": [{"id": p.pk, "name": p.name} for p in subjects_shown(viewer, e)],
        "subject_count": len(e.subjects.all()),
        "control": None if sees_only_self(viewer) else [p.pk for p in e.control.all()],
        "metric": e.metric,
        "behavior": e.behavior_id,
        "way": e.way_id,
        "way_text": e.way.text if e.way else None,
        "start": e.start.isoformat(),
        "planned_end": e.planned_end.isoformat() if e.planned_end else None,
        "status": e.status,
        "conclusion": e.conclusion or None,
        "outcome": e.outcome,
        "source": e.source,
        "source_id": e.source_id,
        "verdict": (e.verdict or None) if shown else None,
        "sentence": (e.sentence or None) if shown else None,
        "p_improved": _num(e.p_improved) if shown else None,
        "analysed_as_of": e.analysed_as_of.isoformat() if e.analysed_as_of else None,
        "withheld": None if shown else withheld_reason(e),
    }


def own_json(o: OwnFigures) -> dict[str, Any]:
    """A subject's own before/after figures (:func:`~ninety.experiments.services.own_figures`)."""
    return {
        "person_id": o.person_id,
        "metric": o.kind,
        "label": o.metric.label,
        "before": _num(o.before),
        "after": _num(o.after),
        "n_before": o.n_before,
        "n_after": o.n_after,
        "days_after": o.days_after,
        "as_of": o.as_of.isoformat(),
    }


def result_json(r: ExperimentResult) -> dict[str, Any]:
    return {
        "as_of": r.as_of.isoformat() if r.as_of else None,
        "metric": r.metric,
        "label": r.label,
        "scale": r.scale,
        "days_after": r.days_after,
        "effect": _num(r.effect),
        "ratio": _num(r.ratio),
        "interval": [_num(v) for v in r.interval],
        "level": r.level,
        "sequential_interval": [_num(v) for v in r.sequential_interval],
        "alpha": r.alpha,
        "p_improved": _num(r.p_improved),
        "p_value": _num(r.p_value),
        "fixed_p_value": _num(r.fixed_p_value),
        "subject_before": _num(r.subject_before),
        "subject_after": _num(r.subject_after),
        "control_before": _num(r.control_before),
        "control_after": _num(r.control_after),
        "counterfactual": _num(r.counterfactual),
        "n": r.n,
        "verdict": r.verdict,
        "sentence": r.sentence,
    }


def look_json(lk: Look) -> dict[str, Any]:
    return {
        "day": lk.day.isoformat(),
        "effect": _num(lk.effect),
        "interval": [_num(lk.low), _num(lk.high)],
        "sequential_interval": [_num(lk.seq_low), _num(lk.seq_high)],
        "p_improved": _num(lk.p_improved),
        "p_value": _num(lk.p_value),
        "verdict": lk.verdict,
    }
