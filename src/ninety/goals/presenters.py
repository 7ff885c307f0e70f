"""Goals and scorecards as plain dicts (JSON-safe): the pages, the prep sheet, the API and the
CLI all show the same rows."""

from __future__ import annotations

import math
from typing import Any

from ninety.core.goals import STATUS_LABELS, Metric
from ninety.goals.models import Goal
from ninety.goals.scorecards import Scorecard
from ninety.goals.services import GoalProgress


def _f(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def goal_json(g: Goal, metric: Metric | None = None) -> dict[str, Any]:
    return {
        "id": g.pk,
        "scope": g.scope,
        "person": g.person_id,
        "team": g.team_id,
        "metric": g.metric,
        "label": metric.label if metric else g.metric,
        "higher_is_better": g.higher_is_better,
        "target": g.target,
        "target_text": (
            f"{'at least' if g.higher_is_better else 'at most'} {metric.format(g.target)}"
            if metric
            else str(g.target)
        ),
        "period_kind": g.period_kind,
        "status": g.status,
        "note": g.note,
    }


def progress_json(p: GoalProgress) -> dict[str, Any]:
    j = p.judgement
    return goal_json(p.goal, p.metric) | {
        "category": p.metric.category,
        "period": p.period,
        "value": _f(j.value),
        "value_text": p.value_text,
        "progress": j.status,
        "progress_label": STATUS_LABELS[j.status],
        "p_meets": _f(j.p_meets),
        "certainty": j.certainty_phrase,
        "business_days": [p.elapsed.done, p.elapsed.total],
    }


def scorecard_json(c: Scorecard) -> dict[str, Any]:
    return {
        "person": c.person.pk,
        "name": c.person.name,
        "week": c.week.isoformat(),
        "score": _f(c.total),
        "behavior": _f(c.behavior),
        "result": _f(c.result),
        "goals": [{"label": label, "attainment": _f(a)} for label, a in c.goals],
        "trend": [_f(t) for t in c.trend],
        "streak": c.streak,
    }
