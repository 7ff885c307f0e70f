"""The experiments API and the ``ninety experiment`` command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from ninety.api.services import create_token
from ninety.experiments.models import Experiment
from tests.experiments.conftest import AS_OF, LOCAL_CUSTOMER, person, published_way, sams_experiment

pytestmark = pytest.mark.django_db


def _auth(who) -> dict[str, str]:
    _, token = create_token(who, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_leader_starts_and_reads_an_experiment_through_the_api(story_org, client):
    dana = person(story_org, "Dana Reyes")
    body = {
        "hypothesis": "Local reference", "subjects": [person(story_org, "Sam Patel").pk],
        "metric": "conversation", "start": "2026-11-13",
        "way": published_way(story_org, LOCAL_CUSTOMER).pk, "source": "one-on-one",
        "source_id": 3,
    }  # fmt: skip
    auth = _auth(dana)
    created = client.post(f"/api/experiments?as_of={AS_OF}", json.dumps(body),
                          content_type="application/json", **auth)  # fmt: skip
    assert created.status_code == 201, created.content
    e = created.json()
    assert e["source_id"] == 3 and e["way_text"] and e["verdict"]
    one = client.get(f"/api/experiments/{e['id']}?as_of={AS_OF}", **auth).json()
    assert one["analysis"]["effect"] > 0 and one["analysis"]["p_improved"] > 0.5
    assert len(one["over_time"]) == 11
    listed = client.get("/api/experiments?status=running", **auth).json()
    assert [x["id"] for x in listed["items"]] == [e["id"]]


def test_the_api_names_a_bad_field(story_org, client):
    auth = _auth(person(story_org, "Dana Reyes"))
    body = {"hypothesis": "x", "subjects": [person(story_org, "Sam Patel").pk],
            "metric": "happiness", "start": "2026-11-13"}  # fmt: skip
    response = client.post("/api/experiments", json.dumps(body),
                           content_type="application/json", **auth)  # fmt: skip
    assert response.status_code == 422 and "metric" in response.json()["detail"]
    assert not Experiment.objects.exists()


def test_concluding_through_the_api(story_org, client):
    experiment = sams_experiment(story_org)
    auth = _auth(person(story_org, "Dana Reyes"))
    url = f"/api/experiments/{experiment.pk}/conclude?as_of={AS_OF}"
    body = json.dumps({"conclusion": "promote_way", "note": "Works"})
    response = client.post(url, body, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["conclusion"] == "promote_way"
    again = client.post(url, body, content_type="application/json", **auth)
    assert again.status_code == 422


def test_the_command_analyses_one_experiment_as_json(story_org) -> None:
    experiment = sams_experiment(story_org)
    out = StringIO()
    call_command("experiment", "analyse", str(experiment.pk), "--as-of", "2026-11-27", "--json",
                 stdout=out)  # fmt: skip
    body = json.loads(out.getvalue())
    assert body["analysis"]["verdict"] in ("collecting data", "likely improved")
    assert body["analysis"]["p_improved"] > 0.5
    assert len(body["over_time"]) == 11


def test_the_command_lists_and_refreshes(story_org) -> None:
    experiment = sams_experiment(story_org)
    assert experiment.verdict == ""
    out = StringIO()
    call_command("experiment", "refresh", "--org", story_org.slug, "--as-of", "2026-11-27",
                 stdout=out)  # fmt: skip
    assert "1 running experiment(s)" in out.getvalue()
    experiment.refresh_from_db()
    assert experiment.verdict in ("collecting data", "likely improved")  # a real gain, planted
    out = StringIO()
    call_command("experiment", "list", stdout=out)
    assert "Sam Patel" in out.getvalue() and experiment.verdict in out.getvalue()


def test_the_command_names_the_org_when_there_are_several(story_org) -> None:
    from django.core.management.base import CommandError

    from ninety.people.models import Org

    experiment = sams_experiment(story_org)
    Org.objects.create(name="Beta Corp", slug="beta")
    for args in (("list",), ("analyse", str(experiment.pk))):
        with pytest.raises(CommandError, match="name the org with --org"):
            call_command("experiment", *args, stdout=StringIO())
    out = StringIO()
    call_command("experiment", "list", "--org", story_org.slug, stdout=out)
    assert "Sam Patel" in out.getvalue()
    out = StringIO()
    call_command("experiment", "list", "--org", "beta", stdout=out)
    assert out.getvalue() == ""  # the other org has none: Sam's is not listed there
    with pytest.raises(CommandError, match=f"no experiment {experiment.pk}"):
        call_command("experiment", "analyse", str(experiment.pk), "--org", "beta")
