"""Rows of the permission matrix for the goals pages and endpoints (``Case`` passed in).

Sam's goals: seen by Sam, Dana (his leader), Morgan (the director above) and Riley (the admin);
set by Dana, Morgan and Riley; Sam sees but does not set them (403); Alex, Chris and the other
org's admin get 404. The crew's scorecard weights: Dana, Morgan, Riley.
"""

from __future__ import annotations

from typing import Any

from ninety.goals.models import Goal, ScorecardWeights
from tests.conftest import World

LOGIN = 302
SEE_SAM = {"anon": LOGIN, "rep": 200, "teammate": 404, "leader": 200, "other_leader": 404,
           "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
SET_SAM = SEE_SAM | {"rep": 403, "leader": 302, "director": 302, "admin": 302}
ALL_OK = {p: 200 for p in SEE_SAM} | {"anon": LOGIN}
LEADERS_SEE = ALL_OK | {"rep": 403, "teammate": 403}
WEIGH_CREW = SET_SAM | {"teammate": 403}


def sams_goal(w: World) -> int:
    goal = Goal.objects.filter(person=w.rep, metric="one_on_ones").first()
    if goal is None:
        goal = Goal.objects.create(
            org=w.org, scope="rep", person=w.rep, metric="one_on_ones", target=4.0
        )
    return goal.pk


def no_goal(w: World) -> bool:
    return not Goal.objects.filter(person=w.rep).exists()


def target_unchanged(w: World) -> bool:
    return Goal.objects.get(person=w.rep, metric="one_on_ones").target == 4.0


def no_weights(w: World) -> bool:
    return not ScorecardWeights.objects.exists()


def page_cases(Case: Any) -> dict[str, list[Any]]:
    return {
        "rep-goals": [Case("get", lambda w: f"/goals/reps/{w.rep.pk}/", SEE_SAM)],
        "rep-goals-suggest": [Case("post", lambda w: f"/goals/reps/{w.rep.pk}/suggest/", SET_SAM)],
        "rep-goals-add": [
            Case("post", lambda w: f"/goals/reps/{w.rep.pk}/add/", SET_SAM,
                 data={"metric": "one_on_ones", "target": "4"}, unchanged=no_goal)
        ],
        "goal-edit": [
            Case("post", lambda w: f"/goals/{sams_goal(w)}/edit/", SET_SAM,
                 data={"action": "save", "target": "6"}, unchanged=target_unchanged)
        ],
        "team-weights": [
            Case("post", lambda w: f"/goals/teams/{w.crew.pk}/weights/", WEIGH_CREW,
                 data={"behavior": "0.8", "result": "0.2"}, unchanged=no_weights)
        ],
        "goals-export": [Case("get", lambda w: "/goals/export.csv", ALL_OK)],
        "goals-import": [Case("get", lambda w: "/goals/import/", LEADERS_SEE)],
    }  # fmt: skip


def _api(expect: dict[str, int], ok: int | None = None) -> dict[str, int]:
    out = {k: v for k, v in expect.items() if k != "anon"}
    return out if ok is None else {k: (ok if v == 302 else v) for k, v in out.items()}


def api_cases(Case: Any) -> dict[tuple[str, str], list[Any]]:
    return {
        ("get", "/api/goals"): [Case("get", lambda w: "/api/goals", _api(ALL_OK))],
        ("post", "/api/goals"): [
            Case("post", lambda w: "/api/goals", _api(SET_SAM, 201), unchanged=no_goal,
                 data_fn=lambda w: {"metric": "one_on_ones", "target": 4, "person": w.rep.pk})
        ],
        ("patch", "/api/goals/{goal_id}"): [
            Case("patch", lambda w: f"/api/goals/{sams_goal(w)}", _api(SET_SAM, 200),
                 data={"target": 6}, unchanged=target_unchanged)
        ],
        ("post", "/api/goals/suggest/{person_id}"): [
            Case("post", lambda w: f"/api/goals/suggest/{w.rep.pk}", _api(SET_SAM, 201))
        ],
        ("get", "/api/goals/progress/{person_id}"): [
            Case("get", lambda w: f"/api/goals/progress/{w.rep.pk}", _api(SEE_SAM))
        ],
        ("get", "/api/scorecards"): [Case("get", lambda w: "/api/scorecards", _api(ALL_OK))],
    }  # fmt: skip
