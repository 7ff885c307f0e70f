"""The director's and admin's overview: each team's numbers are its dashboard's, each persona
sees only their teams, the snapshot follows the data, the leaders' coaching is counted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from statistics import median

import pytest
from django.utils import timezone

from ninety.coaching.models import OneOnOne
from ninety.core.periods import Period
from ninety.diagnosis.services import team_report
from ninety.home.models import TeamsSnapshot
from ninety.home.overview import (
    compute_snapshot,
    overview_context,
    snapshot_for_page,
    teams_snapshot,
)
from ninety.ingest.models import ImportBatch
from ninety.ingest.services import import_file
from ninety.people.models import Org, Person, Role, Team
from tests.coaching.conftest import sams_meeting
from tests.conftest import World
from tests.diagnosis.conftest import AS_OF, story_org, story_sim  # noqa: F401

pytestmark = pytest.mark.django_db
PERIOD = Period.of(AS_OF)


def test_each_teams_cells_are_its_dashboards_team_rates(story_org: Org) -> None:  # noqa: F811
    admin = Person.objects.create(org=story_org, name="Ada Admin", role=Role.ADMIN)
    ctx = overview_context(admin, None, PERIOD, AS_OF)
    assert ctx["rows"], "the story org has teams with reps"
    for row in ctx["rows"]:
        report = team_report(Team.objects.get(pk=row.team_id), PERIOD, AS_OF)
        assert report is not None and row.reps == len(report.reps)
        for cell in row.cells:
            rates = [r.diagnosis.stages[cell.key].group_rate for r in report.reps]
            if cell.text != "—":
                assert cell.text == f"{median(rates):.0%}", (row.name, cell.key)
    assert any(c.style for row in ctx["rows"] for c in row.cells)  # some team differs


def test_the_snapshot_is_reused_until_the_data_changes(world: World, tmp_path: Path) -> None:
    first = teams_snapshot(world.org, PERIOD, AS_OF)
    TeamsSnapshot.objects.filter(pk=first.pk).update(compute_ms=123456)
    again = teams_snapshot(world.org, PERIOD, AS_OF)
    assert again.compute_ms == 123456  # not recomputed
    # Dials of a day seven months back: no evidence window of the period reads it.
    old = tmp_path / "old.csv"
    old.write_text(
        "external_id,person,occurred_at,type\n"
        f"old-1,ext-sam,{AS_OF.year - 1}-04-02T10:00:00Z,dial\n"
    )
    assert import_file(world.org, "activities", old, preset="ninety").imported == 1
    assert teams_snapshot(world.org, PERIOD, AS_OF).compute_ms == 123456
    new = tmp_path / "new.csv"
    new.write_text(f"external_id,person,occurred_at,type\nnew-1,ext-sam,{AS_OF}T10:00:00Z,dial\n")
    assert import_file(world.org, "activities", new, preset="ninety").imported == 1
    assert teams_snapshot(world.org, PERIOD, AS_OF).compute_ms != 123456
    world.rep.team = world.closers
    world.rep.save()
    moved = teams_snapshot(world.org, PERIOD, AS_OF)
    crew = next(t for t in moved.data["teams"] if t["name"] == "Crew")
    assert crew["reps"] == 1  # Sam left Crew: the snapshot saw it


def test_the_leaders_coaching_is_counted(world: World) -> None:
    m = sams_meeting(world)
    OneOnOne.objects.filter(pk=m.pk).update(
        status=OneOnOne.Status.DONE, scheduled_at=timezone.now() - timedelta(days=3),
        talk_rep_seconds=60, talk_leader_seconds=40,
    )  # fmt: skip
    ctx = overview_context(world.director, None, PERIOD, AS_OF)
    dana = next(row for row in ctx["leaders"] if row.name == "Dana")
    assert (dana.meetings_held, dana.meetings_due) == (1, 1)
    assert dana.talk_share == pytest.approx(0.6)
    chris = next(row for row in ctx["leaders"] if row.name == "Chris")
    assert chris.meetings_due == 0 and chris.talk_share is None


def test_only_admins_see_data_health(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    ImportBatch.objects.create(org=world.org, kind="deals", file_name="bad.csv", sha256="2",
                               status="failed", message="no such column")  # fmt: skip
    admin = client_for(world.admin).get("/overview/")
    assert admin.status_code == 200 and b"bad.csv" in admin.content
    assert admin.context["health"]["problems"][0].file_name == "bad.csv"
    director = client_for(world.director).get("/overview/")
    assert "health" not in director.context and b"bad.csv" not in director.content
    outsider = client_for(world.outsider).get("/overview/")
    assert b"bad.csv" not in outsider.content


def test_a_region_narrows_the_teams(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.director).get(f"/overview/?team={world.crew.pk}")
    assert {r.name for r in response.context["rows"]} == {"Crew"}
    drill = f'href="/dashboard/?team={world.crew.pk}'
    assert drill in response.content.decode()


@pytest.mark.real_queue
def test_a_stale_comparison_is_recomputed_on_the_queue_once(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """On the real queue the page never computes: it shows what it has and queues the work."""
    with django_capture_on_commit_callbacks() as queued:
        snap, current = snapshot_for_page(world.org, PERIOD, AS_OF)
    assert not current and snap.data == {"stages": [], "teams": []} and len(queued) == 1
    with django_capture_on_commit_callbacks() as again:
        _, current = snapshot_for_page(world.org, PERIOD, AS_OF)
    assert not current and again == []  # queued once per change, not per request
    compute_snapshot.call(world.org.pk, str(PERIOD), AS_OF.isoformat())  # the worker's run
    snap, current = snapshot_for_page(world.org, PERIOD, AS_OF)
    assert current and {t["name"] for t in snap.data["teams"]} == {"Crew", "Closers"}


@pytest.mark.real_queue
def test_the_leaders_are_listed_while_the_first_comparison_is_computed(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The teams × stages wait for the queue; the leaders' coaching is read from the roster, so
    the page does not say "No leader with a team of reps here" meanwhile."""
    with django_capture_on_commit_callbacks():
        response = client_for(world.director).get("/overview/")
    assert not response.context["current"] and list(response.context["rows"]) == []
    assert {row.name for row in response.context["leaders"]} == {"Dana", "Chris"}
    assert b"No leader with a team of reps here" not in response.content
    # A team without active reps is still left out.
    Person.objects.filter(team=world.closers, role=Role.REP).update(is_active=False)
    ctx = overview_context(world.director, None, PERIOD, AS_OF)
    assert {row.name for row in ctx["leaders"]} == {"Dana"}


def test_an_admin_is_not_told_they_lead_the_teams(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    admin = client_for(world.admin).get("/dashboard/").content.decode()
    assert "All teams" in admin and "Teams you lead" not in admin
    assert "All teams" in client_for(world.admin).get("/overview/").content.decode()
    director = client_for(world.director).get("/dashboard/").content.decode()
    assert "Your teams" in director and "Teams you lead, directly or below" in director


@pytest.mark.real_queue
def test_the_teams_say_they_are_being_compared_not_that_there_are_none(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """Under "being recomputed… reload in a minute", "No team with reps to show yet" was false."""
    with django_capture_on_commit_callbacks():
        response = client_for(world.director).get("/overview/")
    assert not response.context["current"]
    html = response.content.decode()
    assert 'data-testid="recomputing"' in html and 'data-testid="teams-computing"' in html
    assert "No team with reps to show yet" not in html
