"""How the goal lists sort and filter (``people.listing``): a rep's goals with their progress,
the team and org goals, and each goal's reps or teams. With no sort asked each list keeps the
order it is computed in."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ninety.core.goals import BEHAVIOR, BEHIND, MET, ON_TRACK, RESULT, STATUS_LABELS, UNKNOWN
from ninety.people.listing import Filter, ListSpec, Sort

#: Progress from worst to best, so that ascending puts the goals behind first.
PROGRESS_RANK = {BEHIND: 0, UNKNOWN: 1, ON_TRACK: 2, MET: 3}
STATUSES = tuple(STATUS_LABELS.items())
KINDS = ((BEHAVIOR, "behavior & process"), (RESULT, "result"))


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Progress rows (``presenters.progress_json``) with the rank their progress sorts by."""
    return [r | {"progress_rank": PROGRESS_RANK.get(r["progress"])} for r in rows]


_BY_PROGRESS = Sort("Progress", ("progress_rank", "p_meets"))

#: A rep's goals and how each stands (the goals page; ``goals_`` on the rep page).
PROGRESS = ListSpec(
    sorts={
        "goal": Sort("Goal", ("label",)),
        "target": Sort("Target", ("target", "label")),
        "value": Sort("So far", ("value", "label")),
        "progress": replace(_BY_PROGRESS, keys=(*_BY_PROGRESS.keys, "label")),
    },
    default="",
    filters={
        "progress": Filter("Progress", "progress", STATUSES),
        "kind": Filter("Kind", "category", KINDS),
    },
)
ON_REP_PAGE = replace(PROGRESS, prefix="goals_")

#: The team or org goals of a page (each a card).
GROUP_GOALS = ListSpec(
    sorts={
        "goal": Sort("Metric", ("label",)),
        "target": Sort("Target", ("target", "label")),
        "period": Sort("Period", ("period_kind", "label")),
    },
    default="",
    filters={"kind": Filter("Kind", "category", KINDS)},
)

#: A team goal's reps (``reps_``: under each goal of the team page).
GOAL_REPS = ListSpec(
    sorts={
        "rep": Sort("Rep", ("rep_name",)),
        "target": Sort("Target", ("target", "rep_name")),
        "value": Sort("So far", ("value", "rep_name")),
        "progress": replace(_BY_PROGRESS, keys=(*_BY_PROGRESS.keys, "rep_name")),
    },
    default="",
    filters={"progress": Filter("Progress", "progress", STATUSES)},
    prefix="reps_",
)

#: An org goal's teams (``teams_``: under each goal of the org page).
GOAL_TEAMS = ListSpec(
    sorts={
        "team": Sort("Team", ("team_name",)),
        "reps": Sort("Reps", ("applies_to", "team_name")),
        **{
            status: Sort(label.capitalize(), (f"counts.{status}", "team_name"))
            for status, label in STATUSES
        },
    },
    default="",
    prefix="teams_",
)
