"""Team rosters: managers named only in a manager column, separate files, any row order."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ninety.ingest.mapping import mapping_from_dict
from ninety.ingest.services import import_file
from ninety.people.models import Org, Person, Role, Team
from ninety.people.permissions import visible_people
from tests.conftest import World

MANAGERS = {
    "Dustin Brinkmann": "Central", "Melvin Marxen": "Central", "Cara Losch": "East",
    "Rocco Neubert": "East", "Summer Sewald": "West", "Celia Rouche": "West",
}  # fmt: skip


def _team_of(org: Org, name: str) -> Team | None:
    return Person.objects.get(org=org, name=name).team


@pytest.mark.django_db
def test_managers_named_only_in_the_manager_column_become_leaders(world: World, data: Path) -> None:
    s = import_file(world.org, "people", data / "sales_teams.csv")
    assert (s.read, s.imported, s.rejected) == (14, 14, 0), s.errors
    assert any(n.startswith("6 managers created as leaders") for n in s.notes), s.notes
    for manager, office in MANAGERS.items():
        boss = Person.objects.get(org=world.org, name=manager)
        assert boss.role == Role.LEADER
        assert boss.team is not None and boss.team.name == office
        led = Team.objects.get(org=world.org, leader=boss)
        assert led.name == f"{office} – {manager}" and led.parent == boss.team
    crew = _team_of(world.org, "Anna Snelling")
    assert crew is not None and crew.leader.name == "Dustin Brinkmann"
    dustin = Person.objects.get(org=world.org, name="Dustin Brinkmann")
    seen = set(visible_people(dustin).values_list("name", flat=True))
    assert {"Anna Snelling", "Cecily Lampkin", "Versie Hillebrand"} <= seen
    assert "Moses Frase" not in seen
    again = import_file(world.org, "people", data / "sales_teams.csv")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 14)
    assert not again.notes


@pytest.mark.django_db
def test_the_roster_does_not_depend_on_the_row_order(world: World, data: Path) -> None:
    lines = (data / "sales_teams.csv").read_text().splitlines()
    backwards = data / "backwards.csv"
    backwards.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    import_file(world.org, "people", backwards)
    assert _team_of(world.org, "Anna Snelling").name == "Central – Dustin Brinkmann"
    assert _team_of(world.org, "Zane Levy").name == "West – Celia Rouche"


@pytest.mark.django_db
def test_a_separate_managers_file_then_the_agents_file(world: World, data: Path) -> None:
    # The managers file's "manager" column holds the person's own name: the explicit mapping
    # wins over the look-alike header, so nobody becomes their own manager.
    managers = mapping_from_dict({"columns": {"name": "manager", "team": "regional_office"}})
    s = import_file(world.org, "people", data / "managers.csv", mapping=managers)
    assert (s.imported, s.rejected) == (3, 0), s.errors
    assert not Team.objects.filter(org=world.org, leader__name="Dustin Brinkmann").exists()
    agents = import_file(world.org, "people", data / "agents_without_team.csv")
    assert (agents.imported, agents.rejected) == (3, 0), agents.errors
    anna = Person.objects.get(org=world.org, name="Anna Snelling")
    assert anna.team is not None and anna.team.leader.name == "Dustin Brinkmann"
    assert anna.team.name == "Dustin Brinkmann's team"
    assert anna.team.parent.name == "Central"
    marty = Person.objects.get(org=world.org, name="Marty Freudenburg")
    assert marty.team.leader.name == "Cara Losch"
    assert Person.objects.filter(org=world.org, name="Dustin Brinkmann").count() == 1


@pytest.mark.django_db
def test_a_single_file_without_ids_gives_teams_leaders_on_the_first_import(
    world: World, data: Path
) -> None:
    s = import_file(world.org, "people", data / "roster_no_ids.csv")
    assert (s.imported, s.rejected) == (4, 0), s.errors
    crew = Team.objects.get(org=world.org, name="North Crew")
    north = Team.objects.get(org=world.org, name="North")
    assert crew.leader.name == "Lee Park" and crew.parent == north
    assert north.leader.name == "Ava Stone"
    again = import_file(world.org, "people", data / "roster_no_ids.csv")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 4)


@pytest.mark.django_db
def test_unknown_managers_with_ids_are_rejected_or_created_on_request(
    world: World, data: Path
) -> None:
    s = import_file(world.org, "people", data / "people.csv")
    assert any("unknown manager 'nobody-here'" in e.reason for e in s.errors)
    made = import_file(world.org, "people", data / "people.csv", create_unknown_people=True)
    assert made.rejected == 1  # only the bad e-mail now
    boss = Person.objects.get(org=world.org, name="nobody-here")
    assert boss.role == Role.LEADER
    assert Person.objects.get(external_id="n-bad").team.leader == boss


@pytest.mark.django_db
def test_the_first_people_import_into_an_empty_install_creates_the_org(data: Path) -> None:
    assert not Org.objects.exists()
    with pytest.raises(CommandError, match=r"import people first.*ninety import people"):
        call_command("import", "activities", str(data / "semicolon_bom.csv"))
    call_command("import", "people", str(data / "sales_teams.csv"), "--org", "maven")
    org = Org.objects.get()
    assert org.slug == "maven" and Person.objects.filter(org=org).count() == 20
