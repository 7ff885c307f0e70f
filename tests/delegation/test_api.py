"""Tasks, delegations, time and the meter through the API, with a personal access token."""

from __future__ import annotations

import json
from typing import Any

from ninety.api.services import create_token
from ninety.delegation.models import Delegation, TimeEntry
from ninety.people.models import Person
from tests.conftest import World
from tests.delegation.conftest import ics
from tests.delegation.helpers import greeting


def call(client: Any, who: Person, method: str, path: str, body: Any = None) -> Any:
    _, token = create_token(who, "t")
    return client.generic(
        method, path, json.dumps(body) if body is not None else "",
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_the_whole_delegation_round_trip(world: World, client) -> None:
    b = greeting(world)
    task = call(client, world.leader, "POST", "/api/delegation/tasks",
                {"title": "Coach Sam", "category": "coaching"})  # fmt: skip
    assert task.status_code == 201
    task_id = task.json()["id"]
    d = call(client, world.leader, "POST", f"/api/delegation/tasks/{task_id}/delegate",
             {"delegate_id": world.teammate.pk, "coachee_id": world.rep.pk,
              "behavior_ids": [b.pk], "process_steps": ["tone"]})  # fmt: skip
    assert d.status_code == 201, d.content
    body = d.json()
    assert body["behaviors"][0]["key"] == "compelling-reason-to-speak"
    assert body["process_steps"] == ["tone"]
    mine = call(client, world.teammate, "GET", "/api/delegation/delegations").json()
    assert [x["id"] for x in mine["items"]] == [body["id"]]
    out = call(client, world.teammate, "POST", f"/api/delegation/delegations/{body['id']}/outcome",
               {"ratings": [{"key": f"b{b.pk}", "rating": "met"},
                            {"key": "s0", "rating": "partly", "note": "better"}],
                "notes": "done"})  # fmt: skip
    assert out.status_code == 200 and out.json()["status"] == "reported"
    rev = call(client, world.leader, "POST", f"/api/delegation/delegations/{body['id']}/review",
               {"notes": "thanks"})  # fmt: skip
    assert rev.json()["status"] == "reviewed"


def test_a_bad_delegation_is_a_422_naming_the_problem(world: World, client) -> None:
    task = call(client, world.leader, "POST", "/api/delegation/tasks",
                {"title": "Coach Sam", "category": "coaching"}).json()  # fmt: skip
    r = call(client, world.leader, "POST", f"/api/delegation/tasks/{task['id']}/delegate",
             {"delegate_id": world.teammate.pk, "coachee_id": world.rep.pk})  # fmt: skip
    assert r.status_code == 422 and "expectations" in r.json()["detail"]
    assert not Delegation.objects.exists()


def test_time_import_and_the_meter(world: World, client) -> None:
    r = call(client, world.leader, "POST", "/api/attention/import-ics",
             {"ics": ics("google_dana.ics").decode(), "since": "2026-11-01",
              "until": "2026-11-30"})  # fmt: skip
    assert r.status_code == 200 and r.json()["created"] > 0
    bad = call(client, world.leader, "POST", "/api/attention/import-ics",
               {"ics": ics("malformed.ics").decode()})  # fmt: skip
    assert bad.status_code == 422 and "nothing imported" in bad.json()["detail"]
    meter = call(client, world.leader, "GET", "/api/attention?week=2026-W48").json()
    assert meter["percent"]["tactical"] > 0
    time = call(client, world.leader, "GET", "/api/attention/time?week=2026-W48").json()
    week = TimeEntry.objects.filter(start__date__gte="2026-11-23", start__date__lt="2026-11-30")
    assert time["count"] == len(time["items"]) == week.count()
    add = call(client, world.leader, "POST", "/api/attention/time",
               {"start": "2026-11-24T09:00:00Z", "minutes": 45, "category": "results"})  # fmt: skip
    assert add.status_code == 201


def test_suggestions_through_the_api(world: World, client) -> None:
    r = call(client, world.leader, "GET", f"/api/delegation/suggestions?coachee_id={world.rep.pk}")
    assert r.status_code == 200
    assert any(s["name"] == "Alex" and s["eligible"] for s in r.json()["suggestions"])
