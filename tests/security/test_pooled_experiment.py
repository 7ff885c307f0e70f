"""Finding 9 (high): a rep read a teammate's numbers through a pooled experiment.

Dana started an experiment on Sam and Theo with Andre and Aisha as the control; Sam read it by
API, page and CSV: Theo's name, the control's ids, the pooled rates and tries. With two
subjects, the pool minus Sam's own numbers is Theo's. Now a rep reads an experiment as a
subject (``ninety.experiments.queries``): only their own name (and how many others), never a
control id or name, and the pooled result only when nobody else's numbers can be read from it
(they are its only subject, its control at least two people); otherwise their own figures.

Checked persona by persona on the story org (real activity), by what each gets back.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core import mail
from django.test import Client

from ninety.api.api import api
from ninety.api.services import create_token
from ninety.experiments.models import Experiment
from ninety.experiments.notifications import verdict_changed
from ninety.experiments.services import analysis_of, own_figures, start_experiment
from ninety.home.search import search
from ninety.notify.models import Kind, Notification
from ninety.people.models import Org
from tests.experiments.conftest import AS_OF, SAM_START, person, sams_experiment

pytestmark = pytest.mark.django_db
Q = f"?as_of={AS_OF.isoformat()}"
HYPOTHESIS = "pooled test"
SUBJECTS = ("Sam Patel", "Theo Lopez")
CONTROL = ("Andre Miller", "Aisha Ito")
# Who reads what: the subjects as subjects, the leaders above both and the admin all of it.
PERSONAS = {
    "Sam Patel": "subject",
    "Theo Lopez": "subject",
    "Alex Kim": None,  # a teammate who is not in it
    "Dana Reyes": "all",
    "Morgan Lee": "all",
    "Sofia Lopez": "all",  # the admin
    "Victor Tran": None,  # the other team's leader
}


def _api(org: Org, name: str, method: str, path: str, body: dict | None = None):
    _, token = create_token(person(org, name), "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is None:
        return getattr(Client(), method)(path, **auth)
    return getattr(Client(), method)(path, json.dumps(body), content_type="application/json",
                                     **auth)  # fmt: skip


@pytest.fixture
def pooled(story_org: Org) -> Experiment:
    """The review's repro: Dana starts it through the API."""
    body = {
        "subjects": [person(story_org, n).pk for n in SUBJECTS],
        "control": [person(story_org, n).pk for n in CONTROL],
        "hypothesis": HYPOTHESIS, "metric": "conversation", "start": SAM_START.isoformat(),
    }  # fmt: skip
    response = _api(story_org, "Dana Reyes", "post", f"/api/experiments{Q}", body)
    assert response.status_code == 201, response.content
    return Experiment.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("name", list(PERSONAS))
def test_finding9_each_persona_reads_the_pooled_experiment_as_their_place_allows(
    story_org: Org, pooled: Experiment, name: str
) -> None:
    reads = PERSONAS[name]
    response = _api(story_org, name, "get", f"/api/experiments/{pooled.pk}{Q}")
    listed = _api(story_org, name, "get", "/api/experiments").json()["items"]
    if reads is None:
        assert response.status_code == 404 and listed == []
        return
    body = response.json()
    assert response.status_code == 200 and [e["id"] for e in listed] == [pooled.pk]
    item = listed[0]
    control = sorted(person(story_org, n).pk for n in CONTROL)
    if reads == "all":
        for shape in (body, item):
            assert {s["name"] for s in shape["subjects"]} == set(SUBJECTS)
            assert sorted(shape["control"]) == control and shape["withheld"] is None
        assert body["analysis"]["n"]["subject_before"] > 0 and body["own"] is None
        assert body["sentence"] and len(body["over_time"]) == 11
        return
    me = person(story_org, name)
    other = next(n for n in SUBJECTS if n != name)
    for shape in (body, item):
        assert shape["subjects"] == [{"id": me.pk, "name": name}]
        assert shape["subject_count"] == 2 and shape["control"] is None
        assert shape["verdict"] is None and shape["sentence"] is None
        assert shape["p_improved"] is None and "pools 2 reps" in shape["withheld"]
        text = json.dumps(shape)
        assert other not in text and not any(n in text for n in CONTROL)
    assert body["analysis"] is None and body["over_time"] == []
    # His own figures: his tries alone (the pool's are his and the other subject's together).
    own = body["own"]
    assert own["person_id"] == me.pk and own["metric"] == "rate" and own["n_before"] > 0
    pool = analysis_of(pooled, AS_OF).result.n
    theirs = own_figures(pooled, person(story_org, other), AS_OF)
    assert own["n_before"] + theirs.n_before == pool["subject_before"]
    assert own["n_after"] + theirs.n_after == pool["subject_after"]


def test_finding9_the_pages_and_the_csv_follow_the_same_rule(
    story_org: Org, pooled: Experiment, client_for
) -> None:
    sam = client_for(person(story_org, "Sam Patel"))
    page = sam.get(f"/experiments/{pooled.pk}/{Q}").content.decode()
    assert "Sam Patel and 1 other rep: pooled test" in page
    assert 'data-testid="withheld"' in page and 'data-testid="own-figures"' in page
    pooled_parts = ('data-testid="verdict"', 'data-testid="effect-chart"',
                    'data-testid="before-after"', pooled.sentence)  # fmt: skip
    for hidden in (*pooled_parts, *SUBJECTS[1:], *CONTROL):
        assert hidden not in page, hidden
    listing = sam.get("/experiments/").content.decode()
    assert "Sam Patel, 1 other rep" in listing and "pools 2 reps" in listing
    assert pooled.sentence not in listing and "Theo" not in listing
    rows = list(csv.DictReader(io.StringIO(sam.get("/export/experiments.csv").content.decode(
        "utf-8-sig"))))  # fmt: skip
    mine = next(r for r in rows if r["Id"] == str(pooled.pk))
    assert mine["Subjects"] == "Sam Patel, 1 other rep"
    assert mine["Verdict"] == "withheld (see the page)" and mine["P(improved)"] == ""
    assert mine["Effect"] == ""
    rep_page = sam.get(f"/reps/{person(story_org, 'Sam Patel').pk}/{Q}").content.decode()
    assert "2 reps: pooled test" in rep_page and pooled.sentence not in rep_page
    assert "Theo" not in rep_page
    # Dana, who leads both, reads all of it as before.
    dana = client_for(person(story_org, "Dana Reyes"))
    page = dana.get(f"/experiments/{pooled.pk}/{Q}").content.decode()
    assert "Sam Patel, Theo Lopez: pooled test" in page and 'data-testid="effect-chart"' in page
    assert all(n in page for n in CONTROL)
    rows = list(csv.DictReader(io.StringIO(dana.get("/export/experiments.csv").content.decode(
        "utf-8-sig"))))  # fmt: skip
    assert next(r for r in rows if r["Id"] == str(pooled.pk))["Subjects"] == "Sam Patel, Theo Lopez"


def test_finding9_search_and_verdict_notices_tell_a_subject_nothing_pooled(
    story_org: Org, pooled: Experiment
) -> None:
    sam = person(story_org, "Sam Patel")
    hits = [h for h in search(sam, "pooled") if h.kind == "Experiment"]
    assert [h.detail for h in hits] == ["Running"]
    assert [h.detail for h in search(person(story_org, "Dana Reyes"), "pooled")
            if h.kind == "Experiment"] == [pooled.verdict]  # fmt: skip
    mail.outbox.clear()
    pooled.verdict, pooled.sentence = "likely improved", "conversation up from 31% to 38%"
    verdict_changed(pooled, "collecting data")
    told = set(Notification.objects.filter(kind=Kind.EXPERIMENT_VERDICT)
               .values_list("recipient__name", flat=True))  # fmt: skip
    assert told == {"Dana Reyes"}
    assert all("38%" not in e.body for e in mail.outbox if sam.email in e.to)


@pytest.mark.parametrize("mates", [["Andre Miller"], ["Andre Miller", "Theo Lopez"]])
def test_finding9_a_control_of_one_or_two_reps_is_withheld_too(
    story_org: Org, client_for, mates: list[str]
) -> None:
    """Two controls are not enough either: whoever learns one's numbers reads the other's."""
    dana, sam = person(story_org, "Dana Reyes"), person(story_org, "Sam Patel")
    alone = start_experiment(leader=dana, subjects=[sam], hypothesis="against a few",
                             metric="conversation", start=SAM_START,
                             control=[person(story_org, m) for m in mates])  # fmt: skip
    body = _api(story_org, "Sam Patel", "get", f"/api/experiments/{alone.pk}{Q}").json()
    assert body["analysis"] is None and "fewer than 3 reps" in body["withheld"]
    assert body["own"]["n_before"] > 0
    page = client_for(sam).get(f"/experiments/{alone.pk}/{Q}").content.decode()
    assert "fewer than 3 reps" in page and "likely a real improvement" not in page
    # The usual one: Sam alone against the rest of his team (eight reps) reads the whole result.
    usual = sams_experiment(story_org)
    body = _api(story_org, "Sam Patel", "get", f"/api/experiments/{usual.pk}{Q}").json()
    assert body["withheld"] is None and body["analysis"]["p_improved"] > 0.5
    assert body["control"] is None  # still no control ids for a rep
    page = client_for(sam).get(f"/experiments/{usual.pk}/{Q}").content.decode()
    assert "likely a real improvement" in page and "Andre Miller" not in page


def test_finding9_the_schema_says_what_a_subject_reads() -> None:
    schemas = api.get_openapi_schema()["components"]["schemas"]
    detail, listed = schemas["ExperimentDetailOut"]["properties"], schemas["ExperimentItemOut"]
    assert {"withheld", "own", "analysis", "subject_count"} <= set(detail)
    assert {"type": "null"} in detail["analysis"]["anyOf"]
    assert {"type": "null"} in listed["properties"]["control"]["anyOf"]
    assert "rep" in listed["description"] and "withheld" in listed["description"]
    assert "commitment_id" in schemas["ExperimentOut"]["properties"]  # coaching's, not replaced
