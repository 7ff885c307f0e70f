"""What the experiment page shows, shaped for the template (numbers formatted, rows ready)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ninety.core.dates import day_text
from ninety.core.experiments import format_level
from ninety.experiments.charts import change_text, effect_chart
from ninety.experiments.models import Experiment
from ninety.experiments.queries import subjects_shown, withheld_reason
from ninety.experiments.services import Analysis, OwnFigures
from ninety.people.models import Person


@dataclass(frozen=True)
class LookRow:
    day: str
    effect: str
    interval: str
    sequential: str
    p_improved: float
    p_value: float
    verdict: str


def _n_unit(kind: str) -> str:
    return "tries" if kind == "rate" else ("deals" if kind == "size" else "days")


def _level(analysis: Analysis, value: float) -> str:
    return format_level(analysis.result.metric, value, analysis.metric.unit)  # type: ignore[arg-type]


def page_context(analysis: Analysis, show_names: bool) -> dict[str, Any]:
    r = analysis.result
    e = analysis.experiment
    rows = [
        LookRow(
            day_text(lk.day), change_text(lk.effect),
            f"{change_text(lk.low)} to {change_text(lk.high)}",
            f"{change_text(lk.seq_low)} to {change_text(lk.seq_high)}",
            lk.p_improved, lk.p_value, lk.verdict,
        )
        for lk in analysis.looks
    ]  # fmt: skip
    n = r.n or {}
    data = [
        ("Subjects", _level(analysis, r.subject_before), _level(analysis, r.subject_after),
         n.get("subject_before"), n.get("subject_after")),
        ("Control", _level(analysis, r.control_before), _level(analysis, r.control_after),
         n.get("control_before"), n.get("control_after")),
    ]  # fmt: skip
    control_names: list[str] = []
    if show_names:
        control_names = list(
            Person.objects.filter(pk__in=analysis.control_ids).values_list("name", flat=True)
        )
    return {
        "experiment": e,
        "result": r,
        "metric": analysis.metric,
        "chart": effect_chart(analysis.looks) if analysis.looks else None,
        # A phone's: fewer, larger units, so its labels stay readable at 390 px.
        "phone_chart": effect_chart(analysis.looks, 340, 250, days=4) if analysis.looks else None,
        "rows": rows,
        "data": data,
        "n_unit": _n_unit(r.metric),
        "counterfactual": _level(analysis, r.counterfactual),
        "effect_text": change_text(r.effect),
        "interval_text": f"{change_text(r.interval[0])} to {change_text(r.interval[1])}",
        "sequential_text": (
            f"{change_text(r.sequential_interval[0])} to {change_text(r.sequential_interval[1])}"
        ),
        "control_count": len(analysis.control_ids),
        "control_names": control_names,
        "default_control": analysis.default_control,
        "as_of": analysis.as_of,
        "days_after": r.days_after,
        "odds": r.metric == "rate",
    }


def own_context(experiment: Experiment, own: OwnFigures) -> dict[str, Any]:
    """The page of a rep who reads only their own figures (the pooled result is withheld)."""

    def level(value: float) -> str:
        return format_level(own.kind, value, own.metric.unit)  # type: ignore[arg-type]

    return {
        "experiment": experiment,
        "withheld": withheld_reason(experiment),
        "metric": own.metric,
        "own": own,
        "own_before": level(own.before),
        "own_after": level(own.after),
        "n_unit": _n_unit(own.kind),
        "as_of": own.as_of,
        "days_after": own.days_after,
    }


@dataclass(frozen=True)
class ListRow:
    """One line of the experiments list, as ``viewer`` may read it."""

    experiment: Experiment
    names: str
    verdict: str
    sentence: str


def list_rows(viewer: Person, experiments: list[Experiment], shown: set[int]) -> list[ListRow]:
    """The list's lines: a rep reads only their own name (and how many others), and no pooled
    verdict where ``shown`` (``queries.results_shown``) lacks the experiment."""
    rows = []
    for e in experiments:
        names = [p.name for p in subjects_shown(viewer, e)]
        others = len(e.subjects.all()) - len(names)
        if others:
            names.append(f"{others} other rep{'s' if others > 1 else ''}")
        ok = e.pk in shown
        rows.append(ListRow(e, ", ".join(names), e.verdict if ok else "",
                            e.sentence if ok else withheld_reason(e)))  # fmt: skip
    return rows
