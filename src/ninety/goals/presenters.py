"""Goals and scorecards as plain dicts (JSON-safe): the pages, the prep sheet, the API and the
CLI all show the same rows."""

from __future__ import annotations

import math
from typing import Any

from ninety.core.goals import STATUS_LABELS, TOO_EARLY, Metric
from ninety.goals.models import Goal
from ninety.goals.scorecards import Scorecard
from ninety.goals.services import GoalProgress

#: Kinds whose targets are typed as percentages on the pages.
PERCENT_KINDS = ("rate", "share", "result")


def target_input(target: float, metric: Metric | None) -> str:
    """The target as the forms take it: a percentage for rates and shares, else the number."""
    value = 100 * target if metric and metric.kind in PERCENT_KINDS else target
    return f"{round(value, 2):g}"


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
        "target_input": target_input(g.target, metric),
        "period_kind": g.period_kind,
        "status": g.status,
        "note": g.note,
    }


def progress_json(p: GoalProgress) -> dict[str, Any]:
    j = p.judgement
    return goal_json(p.goal, p.metric) | {
        "category": p.metric.category,
        "period": p.period,
        "judged_on": p.judged_on,
        "window_days": p.window_days,
        "value": _f(j.value),
        "value_text": p.value_text,
        "progress": j.status,
        "progress_label": j.label,
        "p_meets": _f(j.p_meets),
        "certainty": j.certainty_phrase,
        "business_days": [p.elapsed.done, p.elapsed.total],
        "judged_days": p.elapsed.judged,
        "so_far": p.elapsed.so_far,
    }


def scorecard_json(c: Scorecard) -> dict[str, Any]:
    return {
        "person": c.person.pk,
        "name": c.person.name,
        "week": c.week.isoformat(),
        "score": _f(c.total),
        "behavior": _f(c.behavior),
        "result": _f(c.result),
        "goals": [
            {"label": label, "attainment": _f(a), "scored_on": on} for label, a, on in c.lines
        ],
        "trend": [_f(t) for t in c.trend],
        "streak": c.streak,
        "so_far": c.so_far,
    }


def group_goal_json(
    g: Goal,
    metric: Metric | None,
    per_team: list[tuple[Any, list[Any], dict[int, list[GoalProgress]]]],
) -> dict[str, Any]:
    """A team or org goal and, per team, each rep it applies to with their progress (a rep
    with their own goal on the metric is shown with that one: the most specific counts)."""
    teams = []
    for team, people, judged in per_team:
        if g.scope == Goal.Scope.TEAM and (team is None or team.pk != g.team_id):
            continue
        rows, counts = [], dict.fromkeys(STATUS_LABELS, 0)
        # The summary reads the rows' own words ('too early to say' is not 'not settled yet').
        said = dict.fromkeys([*STATUS_LABELS.values(), TOO_EARLY], 0)
        for person in people:
            found = next((p for p in judged.get(person.pk, []) if p.goal.metric == g.metric), None)
            if found is None:
                continue
            applies = found.goal.pk == g.pk
            if applies:
                counts[found.judgement.status] += 1
                said[found.judgement.label] += 1
            rows.append(
                progress_json(found)
                | {"rep": person.pk, "rep_name": person.name, "applies": applies}
            )
        summary = ", ".join(f"{n} {label}" for label, n in said.items() if n)
        teams.append(
            {
                "team": team.pk if team else None,
                "team_name": team.name if team else "Without a team",
                "rows": rows,
                "counts": counts,
                "applies_to": sum(counts.values()),
                "summary": summary,
            }
        )
    return goal_json(g, metric) | {"teams": teams}
