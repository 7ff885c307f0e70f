"""One-on-ones through the API: a whole meeting, and the list in a fixed number of queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.api.services import create_token
from ninety.coaching.models import OneOnOne
from ninety.coaching.services import create_meeting
from ninety.core.playbook_spec import default_playbook
from ninety.playbook.models import Way
from ninety.playbook.services import install_playbook
from tests.coaching.conftest import AS_OF
from tests.coaching.matrix_helpers import GREETING
from tests.conftest import World


class Api:
    def __init__(self, client: Any, person: Any) -> None:
        self.client = client
        _, self.token = create_token(person, "test")

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.generic(method, f"/api{path}", json.dumps(body or {}),
                                   content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {self.token}")  # fmt: skip


def test_a_whole_meeting_through_the_api(world: World, client_for) -> None:
    dana, sam = Api(client_for(None), world.leader), Api(client_for(None), world.rep)
    install_playbook(world.org, default_playbook())
    body = {"rep_id": world.rep.pk, "weekday": 4, "at": "15:00", "start": AS_OF.isoformat()}
    series = dana("POST", "/one-on-ones/series", body)
    assert series.status_code == 201, series.content
    mid = series.json()["next_meeting_id"]
    assert sam("PUT", f"/one-on-ones/{mid}/self-report", {"results": "-15%"}).status_code == 200
    assert dana("POST", f"/one-on-ones/{mid}/open", {"as_of": AS_OF.isoformat()}).status_code == 200
    prep = dana("GET", f"/one-on-ones/{mid}/prep").json()
    question = prep["drilldown"][0]["questions"][0]["id"] if prep["drilldown"] else None
    if question:
        dana("PUT", f"/one-on-ones/{mid}/answers", [{"question_id": question, "holds": True}])
    keys = list(Way.objects.filter(behavior__key=GREETING, status="approved")
                .values_list("key", flat=True)[:2])  # fmt: skip
    recital = dana("PUT", f"/one-on-ones/{mid}/recital",
                   {"stage": "conversation", "behavior": GREETING, "recited": keys,
                    "new_ways": ["Say the neighbour's name"]})  # fmt: skip
    assert recital.json()["recitals"][0]["recited"] == 2
    c = dana("POST", f"/one-on-ones/{mid}/commitments",
             {"text": "Local customer first", "stage": "conversation", "behavior": GREETING,
              "way": keys[0]})  # fmt: skip
    assert c.status_code == 201 and c.json()["way_id"] is not None
    talk = dana("PUT", f"/one-on-ones/{mid}/talk", {"rep_seconds": 600, "leader_seconds": 400})
    assert talk.json()["talk_share"] == 0.6
    dana("PUT", f"/one-on-ones/{mid}/private-note", {"text": "only mine"})
    closed = dana("POST", f"/one-on-ones/{mid}/close", {"summary": "Greeting first"}).json()
    assert closed["status"] == "done" and "only mine" not in json.dumps(closed)
    seen = sam("GET", f"/one-on-ones/{mid}").json()
    assert seen["summary"] == "Greeting first" and "private" not in json.dumps(seen)
    assert sam("GET", f"/one-on-ones/{mid}/private-note").status_code == 404
    assert dana("GET", f"/one-on-ones/{mid}/private-note").json() == {"text": "only mine"}
    bad = dana("PUT", f"/one-on-ones/{mid}/talk", {"rep_seconds": 1, "leader_seconds": 1})
    assert bad.status_code == 422  # closed


def test_the_list_endpoint_takes_a_fixed_number_of_queries(world: World, client_for) -> None:
    dana = Api(client_for(None), world.leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert dana("GET", "/one-on-ones").status_code == 200
        return len(queries)

    create_meeting(world.leader, world.rep, scheduled_at=_at(1))
    one = count()
    for day in range(2, 7):
        create_meeting(world.leader, world.teammate, scheduled_at=_at(day))
    assert count() == one
    assert OneOnOne.objects.count() == 6


def _at(day: int) -> datetime:
    return datetime(2026, 12, day, 10, tzinfo=UTC)
