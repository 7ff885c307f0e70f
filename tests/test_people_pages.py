"""The people page lists the org as the signed-in person may see it; the person page."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.people.models import Role, Team
from ninety.people.services import create_person
from tests.conftest import World


def _names(html: bytes) -> set[str]:
    return {n for n in ("Sam", "Alex", "Grace", "Dana", "Chris", "Morgan", "Riley", "Oscar")
            if f">{n}</a>".encode() in html}  # fmt: skip


def test_a_leader_sees_only_the_teams_they_lead(world: World, client_for) -> None:
    html = client_for(world.leader).get("/people/").content
    assert _names(html) == {"Dana", "Sam", "Alex"}


def test_a_director_sees_the_teams_below(world: World, client_for) -> None:
    html = client_for(world.director).get("/people/").content
    assert _names(html) == {"Morgan", "Dana", "Chris", "Sam", "Alex", "Grace"}


def test_an_admin_sees_the_org_and_not_another(world: World, client_for) -> None:
    html = client_for(world.admin).get("/people/").content
    assert _names(html) == {"Riley", "Morgan", "Dana", "Chris", "Sam", "Alex", "Grace"}


def test_a_rep_sees_only_themself(world: World, client_for) -> None:
    html = client_for(world.rep).get("/people/").content
    assert _names(html) == {"Sam"}


def test_the_people_page_runs_a_fixed_number_of_queries(world: World, client_for) -> None:
    client = client_for(world.admin)
    with CaptureQueriesContext(connection) as before:
        client.get("/people/")
    team = Team.objects.create(org=world.org, name="More", leader=world.other_leader)
    for i in range(15):
        create_person(world.org, f"Extra {i}", role=Role.REP, team=team)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/people/")
    assert b"Extra 14" in response.content
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_person_page_shows_the_manager_and_team(world: World, client_for) -> None:
    html = client_for(world.leader).get(f"/people/{world.rep.pk}/").content.decode()
    assert "reports to Dana" in html
    assert "Crew" in html


def test_a_leader_marks_a_rep_high_potential(world: World, client_for) -> None:
    client = client_for(world.leader)
    client.post(f"/people/{world.rep.pk}/high-potential/", {"high_potential": "on"})
    world.rep.refresh_from_db()
    assert world.rep.high_potential
    client.post(f"/people/{world.rep.pk}/high-potential/", {})
    world.rep.refresh_from_db()
    assert not world.rep.high_potential


def test_a_rep_has_no_high_potential_switch(world: World, client_for) -> None:
    html = client_for(world.rep).get(f"/people/{world.rep.pk}/").content.decode()
    assert "high-potential/" not in html
