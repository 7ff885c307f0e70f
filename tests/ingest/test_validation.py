"""Bad rows are rejected one by one with a reason; good rows go in; --strict is all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ninety.activity.models import Activity, Quota
from ninety.ingest.services import ImportError_, import_file
from ninety.people.models import Person, Team
from tests.conftest import World


def _by_id(summary) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {e.field: e.reason for e in summary.errors}


@pytest.mark.django_db
def test_it_rejects_bad_rows_and_imports_the_good_ones(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "malformed_activities.csv")
    assert (s.read, s.imported, s.rejected) == (10, 2, 8)
    assert set(Activity.objects.values_list("external_id", flat=True)) == {"m1", "m8"}
    rows = {e.row: (e.field, e.reason) for e in s.errors}
    assert rows[3][0] == "occurred_at" and "not a date" in rows[3][1]
    assert rows[4] == ("person", rows[4][1]) and "unknown person 'Nobody Atall'" in rows[4][1]
    assert rows[5][0] == "duration_seconds" and "negative" in rows[5][1]
    assert rows[6][0] == "person" and "formula" in rows[6][1]
    assert rows[7][0] == "occurred_at" and "ambiguous date" in rows[7][1]
    assert rows[8][0] == "type" and "formula" in rows[8][1]
    assert rows[10][0] == "way" and "unknown way" in rows[10][1]
    assert rows[11] == ("occurred_at", "missing occurred_at")


@pytest.mark.django_db
def test_it_rejects_a_row_with_an_unknown_person(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "malformed_activities.csv")
    assert any("unknown person 'Nobody Atall'" in e.reason for e in s.errors)


@pytest.mark.django_db
def test_it_can_create_unknown_people(acme: World, data: Path) -> None:
    import_file(
        acme.org, "activities", data / "malformed_activities.csv", create_unknown_people=True
    )
    assert Person.objects.filter(org=acme.org, name="Nobody Atall").exists()
    assert Activity.objects.filter(external_id="m3").exists()


@pytest.mark.django_db
def test_the_rejects_csv_never_holds_a_live_formula(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "malformed_activities.csv")
    assert s.rejects_path == str(data / "malformed_activities.rejects.csv")
    with open(s.rejects_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["row", "field", "reason"]
    cells = [c for row in rows for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
    assert len(rows) == 1 + 8


@pytest.mark.django_db
def test_it_refuses_a_file_with_missing_columns(acme: World, data: Path) -> None:
    with pytest.raises(ImportError_, match=r"missing column.*occurred_at"):
        import_file(acme.org, "activities", data / "missing_columns.csv")
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_file_in_the_wrong_encoding(acme: World, data: Path) -> None:
    with pytest.raises(ImportError_, match=r"not UTF-8.*encoding: cp1252"):
        import_file(acme.org, "activities", data / "latin1.csv")
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_it_reads_the_wrong_encoding_when_the_mapping_names_it(acme: World, data: Path) -> None:
    from ninety.ingest.mapping import mapping_from_dict

    m = mapping_from_dict({"encoding": "cp1252", "guess": True})
    s = import_file(acme.org, "activities", data / "latin1.csv", mapping=m)
    assert (s.imported, s.rejected) == (2, 0), s.errors


@pytest.mark.django_db
def test_strict_writes_nothing_when_one_row_is_bad(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "malformed_activities.csv", strict=True)
    assert s.strict_failed and s.imported == 0 and s.rejected == 8
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "semicolon_bom.csv", dry_run=True)
    assert s.imported == 3 and not Activity.objects.exists()


@pytest.mark.django_db
def test_it_never_guesses_day_first_or_month_first(acme: World, tmp_path: Path) -> None:
    from ninety.ingest.mapping import mapping_from_dict

    path = tmp_path / "d.csv"
    path.write_text("external_id,person,occurred_at,type\nd1,Sam,03/04/2026 09:00,dial\n")
    assert import_file(acme.org, "activities", path).rejected == 1
    m = mapping_from_dict({"date_format": "%d/%m/%Y %H:%M"})
    import_file(acme.org, "activities", path, mapping=m)
    assert Activity.objects.get(external_id="d1").occurred_at.month == 4


@pytest.mark.django_db
def test_it_validates_quotas(acme: World, data: Path) -> None:
    s = import_file(acme.org, "quotas", data / "quotas.csv")
    assert (s.imported, s.rejected) == (3, 2), s.errors
    assert Quota.objects.get(person=acme.teammate).period == "2026-01"
    reasons = " ".join(e.reason for e in s.errors)
    assert "negative quota" in reasons and "not a month 'Oct 2026'" in reasons


@pytest.mark.django_db
def test_it_imports_people_and_nests_their_teams(world: World, data: Path) -> None:
    s = import_file(world.org, "people", data / "people.csv")
    assert (s.imported, s.rejected) == (4, 2), s.errors
    crew = Team.objects.get(org=world.org, name="North Crew")
    north = Team.objects.get(org=world.org, name="North")
    assert crew.leader.name == "Lee Park" and crew.parent == north
    assert north.leader.name == "Ava Stone"
    assert Person.objects.get(external_id="n-kim").high_potential
    again = import_file(world.org, "people", data / "people.csv")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 4)
