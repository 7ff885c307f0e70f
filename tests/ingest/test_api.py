"""``POST /api/activities/bulk`` with CSV and JSON lines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ninety.activity.models import Activity, ActivityRollup
from ninety.api.services import create_token
from tests.conftest import World


def _post(world: World, body: str, content_type: str, who: str = "admin") -> Any:
    _, token = create_token(world.persona(who), "t")
    return Client().post(
        "/api/activities/bulk", body, content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


@pytest.mark.django_db
def test_it_takes_json_lines_and_reports_bad_lines(acme: World) -> None:
    lines = [
        {"external_id": "j1", "person": "ext-sam", "occurred_at": "2026-10-01T09:00:00Z",
         "type": "dial", "outcome": "connect", "duration_seconds": 40},
        {"external_id": "j2", "person": "ext-sam", "occurred_at": "yesterday", "type": "dial"},
    ]  # fmt: skip
    body = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    response = _post(acme, body, "application/x-ndjson")
    assert response.status_code == 200
    out = response.json()
    assert (out["read"], out["imported"], out["rejected"]) == (3, 1, 2)
    assert {e["reason"].split(" ")[0] for e in out["errors"]} == {"not"}
    roll = ActivityRollup.objects.get(person=acme.rep)
    assert (roll.count, roll.advanced, roll.duration_seconds) == (1, 1, 40)


@pytest.mark.django_db
def test_it_takes_csv_and_is_idempotent(acme: World) -> None:
    body = "external_id,person,occurred_at,type\nc1,Sam,2026-10-01T09:00:00Z,dial\n"
    assert _post(acme, body, "text/csv").json()["imported"] == 1
    assert _post(acme, body, "text/csv").json()["duplicates"] == 1
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_a_rep_gets_403_and_nothing_is_written(acme: World) -> None:
    body = "external_id,person,occurred_at,type\nc1,Sam,2026-10-01T09:00:00Z,dial\n"
    assert _post(acme, body, "text/csv", who="rep").status_code == 403
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_it_takes_a_json_document_of_rows(acme: World) -> None:
    doc = {"rows": [{"external_id": "r1", "person": "sam@example.com", "type": "dial",
                     "occurred_at": "2026-10-01T09:00:00Z"}]}  # fmt: skip
    out = _post(acme, json.dumps(doc), "application/json").json()
    assert (out["imported"], out["rejected"]) == (1, 0)
