"""Rows of the permission matrix for the delegation and attention pages and endpoints.

``tests/test_permission_matrix.py`` passes its ``Case`` class in (no circular import). Forms that
need ids of objects created inside each test's world get them through :func:`filled`: the path
function fills the case's data dict before the request is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninety.people.models import Person
from tests.conftest import World
from tests.delegation import helpers as h

LOGIN = 302
LEADERS_OK = {"anon": LOGIN, "rep": 403, "teammate": 403, "leader": 302, "other_leader": 302,
              "director": 302, "admin": 302, "outsider": 302}  # fmt: skip
OWNER_ONLY = {"anon": LOGIN, "rep": 404, "teammate": 404, "leader": 302, "other_leader": 404,
              "director": 403, "admin": 403, "outsider": 404}  # fmt: skip
SMALL_ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    b"BEGIN:VEVENT\r\nDTSTART:20261123T170000Z\r\nDTEND:20261123T190000Z\r\n"
    b"UID:matrix@google.com\r\nSUMMARY:Weekly schedule building\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


class IcsUpload:
    """A file the test client can send again and again (it reads it for every request)."""

    name = "calendar.ics"
    content_type = "text/calendar"

    def read(self) -> bytes:
        return SMALL_ICS


def filled(data: dict[str, Any], fill: Callable[[World], dict[str, Any]],
           path: Callable[[World], str]) -> Callable[[World], str]:  # fmt: skip
    def make(w: World) -> str:
        url = path(w)
        data.clear()
        data.update(fill(w))
        return url

    return make


def _sam_not_high_potential(w: World) -> bool:
    return not Person.objects.get(pk=w.rep.pk).high_potential


def _outcome_form(w: World) -> dict[str, Any]:
    return {f"rating-b{h.greeting(w).pk}": "met", "rating-s0": "met", "notes": "ok"}


def _outcome_json(w: World) -> dict[str, Any]:
    return {"ratings": [{"key": f"b{h.greeting(w).pk}", "rating": "met"},
                        {"key": "s0", "rating": "met"}]}  # fmt: skip


def page_cases(case: Any) -> dict[str, list[Any]]:
    form_delegate: dict[str, Any] = {}
    form_outcome: dict[str, Any] = {}
    return {
        "delegation": [case("get", lambda w: "/delegation/",
                            {"anon": LOGIN} | {p: 200 for p in OWNER_ONLY if p != "anon"})],
        "delegation-task-new": [
            case("post", lambda w: "/delegation/tasks/new/", LEADERS_OK,
                 data={"title": h.MATRIX_TITLE, "category": "scheduling"},
                 unchanged=h.no_matrix_task)
        ],
        "delegation-task-delegate": [
            case("post", filled(form_delegate,
                                lambda w: {"delegate": w.teammate.pk, "coachee": w.rep.pk,
                                           "process_steps": "tone"},
                                lambda w: f"/delegation/tasks/{h.danas_task(w).pk}/delegate/"),
                 OWNER_ONLY, data=form_delegate, unchanged=h.task_not_delegated)
        ],
        "delegation-task-done": [
            case("post", lambda w: f"/delegation/tasks/{h.danas_task(w).pk}/done/", OWNER_ONLY,
                 unchanged=h.task_still_open)
        ],
        "delegation-outcome": [
            case("post", filled(form_outcome, _outcome_form,
                                lambda w: f"/delegation/{h.delegation_to_alex(w).pk}/outcome/"),
                 OWNER_ONLY | {"leader": 403, "teammate": 302}, data=form_outcome,
                 unchanged=h.delegation_still_open)
        ],
        "delegation-review": [
            case("post", lambda w: f"/delegation/{h.reported_delegation(w).pk}/review/",
                 OWNER_ONLY | {"teammate": 403}, data={"notes": "Good"},
                 unchanged=h.delegation_not_reviewed)
        ],
        "delegation-cancel": [
            case("post", lambda w: f"/delegation/{h.delegation_to_alex(w).pk}/cancel/",
                 OWNER_ONLY | {"teammate": 403}, unchanged=h.delegation_still_open)
        ],
        "delegation-high-potential": [
            case("post", lambda w: f"/delegation/people/{w.rep.pk}/high-potential/",
                 OWNER_ONLY | {"rep": 403, "director": 302, "admin": 302},
                 data={"high_potential": "on"}, unchanged=_sam_not_high_potential)
        ],
        "attention": [case("get", lambda w: "/attention/",
                           {p: (200 if v == 302 else v) for p, v in LEADERS_OK.items()}
                           | {"anon": LOGIN})],
        "attention-import": [
            case("post", lambda w: "/attention/import/", LEADERS_OK, data={"file": IcsUpload()},
                 unchanged=h.no_time)
        ],
        "attention-entry": [
            case("post", lambda w: "/attention/entries/", LEADERS_OK,
                 data={"start": "2026-11-24 09:00", "minutes": 30,
                       "category": "behavior_process"},
                 unchanged=h.no_time)
        ],
        "attention-rule": [
            case("post", lambda w: "/attention/rules/", LEADERS_OK,
                 data={"title_pattern": "numbers", "category": "results"},
                 unchanged=h.no_rule)
        ],
        "attention-rule-delete": [
            case("post", lambda w: f"/attention/rules/{h.danas_rule(w).pk}/delete/",
                 OWNER_ONLY | {"rep": 403, "teammate": 403, "director": 404, "admin": 404},
                 unchanged=h.rule_kept)
        ],
    }  # fmt: skip


API_ALL = {p: 200 for p in ("rep", "teammate", "leader", "other_leader", "director", "admin",
                            "outsider")}  # fmt: skip
API_LEADERS = API_ALL | {"rep": 403, "teammate": 403}
API_OWNER = {"rep": 404, "teammate": 404, "leader": 200, "other_leader": 404, "director": 403,
             "admin": 403, "outsider": 404}  # fmt: skip


def api_cases(case: Any) -> dict[tuple[str, str], list[Any]]:
    json_delegate: dict[str, Any] = {}
    json_outcome: dict[str, Any] = {}
    created = {p: (201 if v == 200 else v) for p, v in API_LEADERS.items()}
    return {
        ("get", "/api/delegation/tasks"): [
            case("get", lambda w: (h.danas_task(w), "/api/delegation/tasks")[1], API_ALL)
        ],
        ("post", "/api/delegation/tasks"): [
            case("post", lambda w: "/api/delegation/tasks", created,
                 data={"title": h.MATRIX_TITLE, "category": "scheduling"},
                 unchanged=h.no_matrix_task)
        ],
        ("post", "/api/delegation/tasks/{task_id}/delegate"): [
            case("post", filled(json_delegate,
                                lambda w: {"delegate_id": w.teammate.pk, "coachee_id": w.rep.pk,
                                           "process_steps": ["tone"]},
                                lambda w: f"/api/delegation/tasks/{h.danas_task(w).pk}/delegate"),
                 API_OWNER | {"leader": 201}, data=json_delegate, unchanged=h.task_not_delegated)
        ],
        ("get", "/api/delegation/delegations"): [
            case("get", lambda w: (h.delegation_to_alex(w), "/api/delegation/delegations")[1],
                 API_ALL)
        ],
        ("post", "/api/delegation/delegations/{delegation_id}/outcome"): [
            case("post", filled(json_outcome, _outcome_json,
                                lambda w: f"/api/delegation/delegations/"
                                          f"{h.delegation_to_alex(w).pk}/outcome"),
                 API_OWNER | {"leader": 403, "teammate": 200}, data=json_outcome,
                 unchanged=h.delegation_still_open)
        ],
        ("post", "/api/delegation/delegations/{delegation_id}/review"): [
            case("post", lambda w: f"/api/delegation/delegations/"
                                   f"{h.reported_delegation(w).pk}/review",
                 API_OWNER | {"teammate": 403}, data={"notes": "Good"},
                 unchanged=h.delegation_not_reviewed)
        ],
        ("get", "/api/delegation/suggestions"): [
            case("get", lambda w: "/api/delegation/suggestions", API_LEADERS)
        ],
        ("get", "/api/attention/time"): [case("get", lambda w: "/api/attention/time", API_LEADERS)],
        ("post", "/api/attention/time"): [
            case("post", lambda w: "/api/attention/time", created,
                 data={"start": "2026-11-24T09:00:00Z", "minutes": 30, "category": "results"},
                 unchanged=h.no_time)
        ],
        ("post", "/api/attention/import-ics"): [
            case("post", lambda w: "/api/attention/import-ics", API_LEADERS,
                 data={"ics": SMALL_ICS.decode()}, unchanged=h.no_time)
        ],
        ("get", "/api/attention"): [case("get", lambda w: "/api/attention", API_LEADERS)],
    }  # fmt: skip
