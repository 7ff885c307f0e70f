"""Finding 3 (high): one request pinned a worker; far-off dates and huge numbers gave 500s.

Dates, periods and weeks are bounded (2000-01-01 … 2100-12-31): beyond, the API answers 422
and pages 404, at once. Numbers no column can hold are a 422. Each request has a wall-time limit
(a 503 past it), so nothing a caller sends runs until the worker is killed.
"""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from ninety.api.services import create_token
from ninety.core.attention import IsoWeek
from ninety.core.periods import OutOfRange, Period, parse_day
from ninety.people.reliability import RequestTimeLimitMiddleware
from tests.coaching.conftest import sams_meeting
from tests.conftest import World
from tests.experiments import matrix_helpers as ex

FAR = "9999-12-31"
HUGE = "99999999999999999999999"


def _api_paths(w: World) -> list[str]:
    experiment = ex.sams_experiment(w)
    meeting = sams_meeting(w).pk
    return [
        f"/api/experiments/{experiment}?as_of={FAR}",
        f"/api/experiments/{experiment}?as_of=1000-01-01",
        f"/api/diagnosis/teams/{w.crew.pk}?as_of={FAR}",
        f"/api/diagnosis/teams/{w.crew.pk}?period=9999-12",
        f"/api/diagnosis/reps/{w.rep.pk}?as_of={FAR}",
        f"/api/diagnosis/reps/{w.rep.pk}?period=1900-01",
        f"/api/one-on-ones/{meeting}/prep?as_of={FAR}",
        "/api/attention?week=9999-W01",
        "/api/attention?week=1999-W10",
        "/api/attention/time?week=9999-W01",
        f"/api/delegation/suggestions?as_of={FAR}",
        f"/api/people?team={HUGE}",
        f"/api/one-on-ones?rep_id={HUGE}",
        f"/api/attention?leader_id={HUGE}",
        f"/api/people/{HUGE}",
        f"/api/experiments/{HUGE}",
        f"/api/one-on-ones/{HUGE}",
        f"/api/teams/{HUGE}",
    ]


def test_finding3_far_dates_and_huge_numbers_are_422_at_once(world: World, client):
    _, token = create_token(world.leader, "bounds")
    for path in _api_paths(world):
        started = time.perf_counter()
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        elapsed = time.perf_counter() - started
        # A huge id may also be a plain 404, or (PostgreSQL compares it as a number) an empty list.
        allowed = (200, 404, 422) if HUGE in path else (422,)
        assert response.status_code in allowed, (path, response.status_code, response.content)
        if response.status_code == 200:
            body = response.json()  # nothing found: an empty page of the list
            assert body == [] or (body["items"] == [] and body["count"] == 0), path
        assert elapsed < 2, (path, elapsed)


def test_finding3_far_dates_in_bodies_are_422(world: World, client):
    _, token = create_token(world.leader, "bounds")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = ex.NEW_FOR_SAM | {"start": FAR}
    response = client.post("/api/experiments", body, content_type="application/json", **auth)
    assert response.status_code == 422
    response = client.post(
        f"/api/one-on-ones/{sams_meeting(world).pk}/open",
        {"as_of": FAR},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    huge = {"rep_seconds": int(HUGE), "leader_seconds": 1}
    path = f"/api/one-on-ones/{sams_meeting(world).pk}/talk"
    response = client.put(path, huge, content_type="application/json", **auth)
    assert response.status_code in (409, 422)


def test_finding3_pages_refuse_far_dates(world: World, client_for):
    client = client_for(world.leader)
    experiment = ex.sams_experiment(world)
    for path in (
        f"/experiments/{experiment}/?as_of={FAR}",
        f"/dashboard/?as_of={FAR}",
        "/dashboard/?period=9999-12",
        f"/reps/{world.rep.pk}/?as_of={FAR}",
        "/attention/?week=9999-W01",
        f"/one-on-ones/{sams_meeting(world).pk}/prep/?as_of={FAR}",
    ):
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert time.perf_counter() - started < 2, path


def test_finding3_the_core_parsers_hold_the_range():
    assert str(Period.parse("2100-12")) == "2100-12"
    assert str(IsoWeek.parse("2000-W01")) == "2000-W01"
    assert parse_day("2100-12-31").year == 2100
    for bad in (lambda: Period.parse("2101-01"), lambda: Period.parse("1999-12"),
                lambda: IsoWeek.parse("2101-W01"), lambda: parse_day("2101-01-01"),
                lambda: parse_day("1999-12-31")):  # fmt: skip
        with pytest.raises(OutOfRange):
            bad()


def test_finding3_a_request_that_runs_too_long_stops_with_503(db: None, settings):
    settings.NINETY_REQUEST_SECONDS = 1

    def spin(request: object) -> HttpResponse:
        while True:  # what an unbounded loop over days used to do
            pass

    started = time.perf_counter()
    response = RequestTimeLimitMiddleware(spin)(RequestFactory().get("/api/experiments/1"))
    assert response.status_code == 503
    assert b"ran out of time" in response.content
    assert time.perf_counter() - started < 3


def test_finding3_imports_get_the_longer_limit(db: None, settings):
    settings.NINETY_REQUEST_SECONDS = 1
    settings.NINETY_IMPORT_SECONDS = 3

    def slow(request: object) -> HttpResponse:
        time.sleep(1.5)
        return HttpResponse("done")

    response = RequestTimeLimitMiddleware(slow)(RequestFactory().post("/api/activities/bulk"))
    assert response.status_code == 200
