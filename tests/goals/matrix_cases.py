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
# The crew's team goals: its reps read them (each only their own row), its leaders set them.
SEE_CREW = SEE_SAM | {"teammate": 200}
SET_CREW = WEIGH_CREW
# Organisation goals: everyone in an org reads their own org's; its admin sets them (Olive, the
# other org's admin, sets her own org's: 302, and Acme's stay untouched).
EDIT_ORG = {p: 403 for p in SEE_SAM} | {"anon": LOGIN, "admin": 302, "outsider": 404}
SET_ORG = {p: 403 for p in SEE_SAM} | {"anon": LOGIN, "admin": 302, "outsider": 302}


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


def crew_goal(w: World) -> int:
    goal, _ = Goal.objects.get_or_create(
        org=w.org, scope="team", team=w.crew, metric="volume", defaults={"target": 40.0}
    )
    return goal.pk


def org_goal(w: World) -> int:
    goal, _ = Goal.objects.get_or_create(
        org=w.org, scope="org", metric="volume", defaults={"target": 40.0}
    )
    return goal.pk


def volume_targets_unchanged(w: World) -> bool:
    return set(Goal.objects.filter(metric="volume").values_list("target", flat=True)) == {40.0}


def no_team_goal(w: World) -> bool:
    return not Goal.objects.filter(team=w.crew).exists()


def no_org_goal(w: World) -> bool:
    return not Goal.objects.filter(scope="org").exists()


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
                 data={"action": "save", "target": "6"}, unchanged=target_unchanged),
            Case("post", lambda w: f"/goals/{crew_goal(w)}/edit/", SET_CREW,
                 data={"action": "save", "target": "6"}, unchanged=volume_targets_unchanged),
            Case("post", lambda w: f"/goals/{org_goal(w)}/edit/", EDIT_ORG,
                 data={"action": "save", "target": "6"}, unchanged=volume_targets_unchanged),
        ],
        "team-weights": [
            Case("post", lambda w: f"/goals/teams/{w.crew.pk}/weights/", WEIGH_CREW,
                 data={"behavior": "0.8", "result": "0.2"}, unchanged=no_weights)
        ],
        "team-goals": [Case("get", lambda w: f"/goals/teams/{w.crew.pk}/", SEE_CREW)],
        "team-goals-add": [
            Case("post", lambda w: f"/goals/teams/{w.crew.pk}/add/", SET_CREW,
                 data={"metric": "one_on_ones", "target": "4"}, unchanged=no_team_goal)
        ],
        "org-goals": [Case("get", lambda w: "/goals/org/", ALL_OK)],
        "org-goals-add": [
            Case("post", lambda w: "/goals/org/add/", SET_ORG,
                 data={"metric": "one_on_ones", "target": "4"}, unchanged=no_org_goal)
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
