"""The delegation page and the attention meter, through the Django test client."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.core.attention import IsoWeek
from ninety.delegation.models import Delegation, TacticalTask, TimeEntry
from ninety.people.models import Person
from tests.conftest import World
from tests.delegation.helpers import delegation_to_alex, greeting, reported_delegation


def test_a_leader_delegates_from_the_form_with_expectations(world: World, client_for) -> None:
    b = greeting(world)
    page = client_for(world.leader).get(f"/delegation/?coachee={world.rep.pk}")
    assert page.status_code == 200
    assert b'data-person="Alex"' in page.content
    response = client_for(world.leader).post(
        "/delegation/tasks/new/",
        {"title": "Coach Sam", "category": "coaching", "delegate": world.teammate.pk,
         "coachee": world.rep.pk, "behaviors": [b.pk], "process_steps": "tone\n\n first 20 s "},
    )  # fmt: skip
    assert response.status_code == 302
    d = Delegation.objects.get()
    assert (d.delegate, d.coachee, d.steps) == (world.teammate, world.rep, ["tone", "first 20 s"])
    assert list(d.behaviors.all()) == [b]


def test_a_failed_delegation_adds_no_task(world: World, client_for) -> None:
    response = client_for(world.leader).post(
        "/delegation/tasks/new/",
        {"title": "Coach Sam", "category": "coaching", "delegate": world.teammate.pk,
         "coachee": world.rep.pk},
        follow=True,
    )  # fmt: skip
    assert "choose the behaviors or process steps" in response.content.decode()
    assert not TacticalTask.objects.exists()


def test_the_delegate_records_the_outcome_and_the_leader_reviews(world: World, client_for):
    d = delegation_to_alex(world)
    b = greeting(world)
    page = client_for(world.teammate).get("/delegation/")
    assert f'href="/reps/{world.rep.pk}/"'.encode() in page.content
    response = client_for(world.teammate).post(
        f"/delegation/{d.pk}/outcome/",
        {f"rating-b{b.pk}": "met", "rating-s0": "partly", "notes-b": "", "notes": "Slower now"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "reported" and d.outcome_notes == "Slower now"
    page = client_for(world.teammate).get("/delegation/")
    assert f'href="/reps/{world.rep.pk}/"'.encode() not in page.content
    waiting = client_for(world.leader).get("/delegation/")
    assert b"Delegated, waiting for you (1)" in waiting.content
    client_for(world.leader).post(f"/delegation/{d.pk}/review/", {"notes": "Good"})
    d.refresh_from_db()
    assert d.status == "reviewed" and d.task.status == "reviewed"


def test_a_rep_sees_only_what_was_delegated_to_them(world: World, client_for) -> None:
    reported_delegation(world)
    page = client_for(world.rep).get("/delegation/")
    assert page.status_code == 200
    assert b"Nothing delegated to you." in page.content
    assert b"Delegate a task" not in page.content


def test_the_leader_can_mark_a_suggested_rep_high_potential(world: World, client_for) -> None:
    response = client_for(world.leader).post(
        f"/delegation/people/{world.rep.pk}/high-potential/",
        {"high_potential": "on", "next": "/delegation/?coachee=1"},
    )
    assert response["Location"] == "/delegation/?coachee=1#suggestions"
    assert Person.objects.get(pk=world.rep.pk).high_potential
    evil = client_for(world.leader).post(
        f"/delegation/people/{world.rep.pk}/high-potential/", {"next": "https://evil.example/"}
    )
    assert evil["Location"].startswith("/delegation/")


def test_the_attention_page_draws_the_meter_and_imports_a_calendar(
    world: World, client_for, google_ics
) -> None:
    client = client_for(world.leader)
    upload = SimpleUploadedFile("dana.ics", google_ics, content_type="text/calendar")
    response = client.post("/attention/import/", {"file": upload, "week": "2026-W48"}, follow=True)
    assert "Calendar imported" in response.content.decode()
    page = client.get("/attention/?week=2026-W48").content.decode()
    assert '<svg class="meter"' in page and "Weekly schedule building" in page
    assert 'data-category="tactical"' in page
    assert "/delegation/?title=Weekly+schedule+building" in page


def test_a_malformed_upload_explains_and_imports_nothing(
    world: World, client_for, malformed_ics
) -> None:
    upload = SimpleUploadedFile("bad.ics", malformed_ics)
    response = client_for(world.leader).post("/attention/import/", {"file": upload}, follow=True)
    assert "Nothing imported — bad.ics: event 2 (Ride-along): bad DTSTART" in (
        response.content.decode()
    )
    assert not TimeEntry.objects.exists()


def test_a_director_reads_a_leaders_meter_but_not_the_other_way(world: World, client_for):
    director, leader = client_for(world.director), client_for(world.leader)
    assert director.get(f"/attention/?leader={world.leader.pk}").status_code == 200
    assert leader.get(f"/attention/?leader={world.director.pk}").status_code == 404
    assert client_for(world.leader).get("/attention/?week=2026-W99").status_code == 404


def test_the_delegation_page_query_count_does_not_grow_with_tasks(world: World, client_for):
    client = client_for(world.leader)
    delegation_to_alex(world)
    client.get("/delegation/")
    with CaptureQueriesContext(connection) as one:
        client.get("/delegation/")
    for i in range(5):
        from ninety.delegation import services

        services.create_task(world.leader, f"Task {i}", category="scheduling")
    with CaptureQueriesContext(connection) as six:
        client.get("/delegation/")
    assert len(six) == len(one)


def test_the_week_defaults_to_the_current_iso_week(world: World, client_for) -> None:
    page = client_for(world.leader).get("/attention/")
    assert page.status_code == 200
    assert page.context["week"] == IsoWeek.of(page.context["week"].start)
