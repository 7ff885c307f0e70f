"""The experiment pages: list, form, experiment page with its chart, conclude."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.experiments.models import Experiment
from ninety.experiments.services import refresh_running, start_experiment
from tests.experiments.conftest import (
    AS_OF,
    LOCAL_CUSTOMER,
    SAM_START,
    person,
    published_way,
    sams_experiment,
)

pytestmark = pytest.mark.django_db
Q = f"?as_of={AS_OF.isoformat()}"


def _client(client_for, org, name):
    return client_for(person(org, name))


def test_the_experiment_page_shows_the_verdict_the_chart_and_the_data(story_org, client_for):
    experiment = sams_experiment(story_org)
    response = _client(client_for, story_org, "Dana Reyes").get(f"/experiments/{experiment.pk}/{Q}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="verdict"' in html and "likely a real improvement" in html
    assert 'data-testid="effect-chart"' in html and "<polygon" in html and "<polyline" in html
    assert html.count('<tr><th scope="row">') >= 11  # one row per business day, plus the data
    assert 'data-testid="before-after"' in html
    assert 'data-testid="conclude-form"' in html
    assert "<script" not in html


def test_sam_sees_his_experiment_but_not_the_conclude_form(story_org, client_for):
    experiment = sams_experiment(story_org)
    response = _client(client_for, story_org, "Sam Patel").get(f"/experiments/{experiment.pk}/{Q}")
    html = response.content.decode()
    assert response.status_code == 200 and "likely a real improvement" in html
    assert 'data-testid="conclude-form"' not in html
    assert "Alex Kim" not in html  # the control is not named to a rep


def test_the_list_page_runs_a_constant_number_of_queries(story_org, client_for):
    dana = person(story_org, "Dana Reyes")
    reps = list(story_org.people.filter(role="rep", team__leader=dana))
    client = client_for(dana)

    def count() -> int:
        refresh_running(story_org, AS_OF)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/experiments/").status_code == 200
        return len(queries)

    sams_experiment(story_org)
    few = count()
    for rep in reps[1:6]:
        start_experiment(leader=dana, subjects=[rep], hypothesis="x", metric="volume",
                         start=SAM_START)  # fmt: skip
    assert count() == few
    html = client.get("/experiments/").content.decode()
    assert html.count("data-experiment=") == 6


def test_a_leader_starts_an_experiment_from_the_form(story_org, client_for):
    dana = person(story_org, "Dana Reyes")
    client = client_for(dana)
    assert client.get(f"/experiments/new/{Q}").status_code == 200
    sam = person(story_org, "Sam Patel")
    response = client.post(
        f"/experiments/new/{Q}",
        {"hypothesis": "Local reference", "subjects": [sam.pk], "metric": "conversation",
         "start": SAM_START.isoformat(), "way": published_way(story_org, LOCAL_CUSTOMER).pk},
    )  # fmt: skip
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/experiments/{experiment.pk}/{Q}"
    assert experiment.verdict and experiment.analysed_as_of == AS_OF


def test_the_form_names_the_field_that_is_wrong(story_org, client_for):
    client = _client(client_for, story_org, "Dana Reyes")
    response = client.post("/experiments/new/", {"hypothesis": "x", "metric": "conversation",
                                                 "start": "2026-11-13"})  # fmt: skip
    assert response.status_code == 200
    assert "Choose at least one rep, or a team." in response.content.decode()
    assert not Experiment.objects.exists()


def test_a_leader_cannot_start_one_for_a_rep_of_another_team(world, client_for):
    response = client_for(world.other_leader).post(
        "/experiments/new/",
        {"hypothesis": "x", "subjects": [world.rep.pk], "metric": "conversation",
         "start": "2026-11-13"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Experiment.objects.exists()


def test_concluding_records_the_outcome(story_org, client_for):
    experiment = sams_experiment(story_org)
    client = _client(client_for, story_org, "Dana Reyes")
    response = client.post(f"/experiments/{experiment.pk}/conclude/{Q}",
                           {"conclusion": "keep", "note": "Sam keeps it"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Sam keeps it" in page and 'data-testid="conclude-form"' not in page
    listing = client.get("/experiments/").content.decode()
    assert 'data-testid="concluded"' in listing and "Sam keeps it" in listing


def test_a_bad_as_of_is_a_404(story_org, client_for):
    experiment = sams_experiment(story_org)
    client = _client(client_for, story_org, "Dana Reyes")
    assert client.get(f"/experiments/{experiment.pk}/?as_of=soon").status_code == 404


def test_an_experiment_that_has_not_started_says_so(story_org, client_for):
    experiment = sams_experiment(story_org)
    client = _client(client_for, story_org, "Dana Reyes")
    html = client.get(f"/experiments/{experiment.pk}/?as_of=2026-11-01").content.decode()
    assert "no data since the start yet" in html
