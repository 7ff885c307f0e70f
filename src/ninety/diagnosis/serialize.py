"""Plain-JSON shapes of a diagnosis, shared by the CLI (``--json``) and the API."""

from __future__ import annotations

import math
from typing import Any

from ninety.core.compare import Change
from ninety.diagnosis.compare import Comparison
from ninety.diagnosis.services import GroupReport, RepReport


def _f(x: float | None, digits: int = 4) -> float | None:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return round(float(x), digits)


def rep_json(r: RepReport, report: GroupReport) -> dict[str, Any]:
    d = r.diagnosis
    stage = report.stage(d.focus)
    return {
        "rep": r.person.name,
        "person_id": r.person.pk,
        "external_id": r.person.external_id,
        "team": r.person.team.name if r.person.team else None,
        "result": _f(d.result, 2),
        "quota": _f(r.pace.quota, 2),
        "benchmark": _f(d.benchmark, 2),
        "benchmark_kind": d.benchmark_kind,
        "gap_pct": _f(d.gap_pct, 2),
        "contributions": {k: _f(v) for k, v in d.contributions.items()},
        "benchmark_term": _f(d.benchmark_term),
        "chance": _f(d.chance),
        "focus": d.focus,
        "focus_certainty": _f(d.focus_certainty),
        "focus_stage": stage.name if stage else None,
        "focus_behaviors": [
            {
                "name": b.name,
                "questions": list(b.questions),
                "ways": [w.text for w in b.ways if w.status == "approved"],
            }
            for b in (stage.behaviors if stage else ())
        ],
        "stages": {
            k: {
                "successes": s.successes,
                "tries": s.tries,
                "rate": _f(s.mean),
                "low": _f(s.low),
                "high": _f(s.high),
                "group_rate": _f(s.group_rate),
                "p_below_group": _f(s.p_below),
                "p_materially_weak": _f(s.p_material),
                "window_days": w.days if (w := report.window(k)) else None,
                "more_tries_to_settle": int(s.more_tries),
                "days_to_settle": r.days_to_settle(k),
            }
            for k, s in d.stages.items()
        },
        "strengths": list(d.strengths),
        "pace": {
            "won_to_date": _f(r.pace.won_to_date, 2),
            "projected": _f(r.pace.projected, 2),
            "low": _f(r.pace.low, 2),
            "high": _f(r.pace.high, 2),
            "vs_quota_pct": _f(r.pace.vs_quota_pct, 2),
            "low_vs_quota_pct": _f(r.pace.low_vs_quota_pct, 2),
            "high_vs_quota_pct": _f(r.pace.high_vs_quota_pct, 2),
        },
    }


def report_json(report: GroupReport, only: set[int] | None = None) -> dict[str, Any]:
    names = {r.diagnosis.rep: r.person.name for r in report.reps}
    return {
        "period": str(report.period),
        **period_json(report),
        "as_of": report.as_of.isoformat(),
        "funnel": report.group.kind,
        "benchmark_kind": report.group.benchmark_kind,
        "factors": list(report.factors),
        "progress": (
            {
                "business_day": report.progress.done,
                "of": report.progress.total,
                "final": report.progress.is_final,
                "phrase": report.progress.phrase,
            }
            if report.progress
            else None
        ),
        "windows": {
            k: {
                "first_day": w.first_day.isoformat(),
                "last_day": w.last_day.isoformat(),
                "days": w.days,
            }
            for k, w in zip(report.playbook.stage_keys, report.windows, strict=True)
        },
        # The window the gap's result was read over when it is not the period (see the docs).
        "result_window": (
            {
                "first_day": report.result_window.first_day.isoformat(),
                "last_day": report.result_window.last_day.isoformat(),
                "days": report.result_window.days,
            }
            if report.result_window
            else None
        ),
        "focus_rule": {
            "material_ratio": report.group.config.material_ratio,
            "focus_certainty": report.group.config.focus_certainty,
            "meaning": "focus_certainty is the probability that the focus factor is below "
            "material_ratio x the team's; the focus is the factor where it is highest, "
            "when at least the rule's focus_certainty",
        },
        "reps": [rep_json(r, report) for r in report.reps if only is None or r.person.pk in only],
        "peer_strength": {
            k: [names[i] for i in idx] for k, idx in report.group.peer_strength.items()
        },
    }


def period_json(report: GroupReport) -> dict[str, Any]:
    """The period's kind, days and label (a trailing period's name alone does not fix its days)."""
    p = report.period
    return {
        "period_kind": p.kind,
        "period_label": p.label(),
        "first_day": p.start.isoformat(),
        "last_day": p.last_day.isoformat(),
    }


def change_json(c: Change | None, digits: int = 4) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "now": _f(c.now, digits),
        "before": _f(c.then, digits),
        "change": _f(c.delta, digits),
        "low": _f(c.low, digits),
        "high": _f(c.high, digits),
        "clear": c.clear,
    }


def comparison_json(comparison: Comparison, only: set[int] | None = None) -> dict[str, Any]:
    """The previous period and each rep's changes: stage rates (shares; 90 % interval of the
    change) and the result against quota (percent points)."""
    before = comparison.before
    return {
        "period": str(before.period),
        **period_json(before),
        "as_of": before.as_of.isoformat(),
        "final": bool(before.progress and before.progress.is_final),
        "reps": [
            {
                "person_id": r.rep.person.pk,
                "rep": r.rep.person.name,
                "stages": {
                    sc.key: (change_json(sc.change) or {}) | {"shared_days": sc.shared_days}
                    for sc in r.stages
                },
                "result_vs_quota": change_json(r.result, 2),
            }
            for r in comparison.reps
            if only is None or r.rep.person.pk in only
        ],
    }
