"""The real default exports of Salesforce, HubSpot and Pipedrive, each through its preset, with
every row accounted for; and the cases that used to go silently wrong. Where the fixtures'
headers come from: ``tests/ingest/data/README.md``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ninety.activity.models import Activity, Deal
from ninety.ingest.mapping import mapping_from_dict
from ninety.ingest.services import ImportSummary, import_file
from tests.conftest import World


def _accounted(s: ImportSummary) -> None:
    assert s.read == s.imported + s.updated + s.duplicates + s.rejected + s.skipped, s.to_json()


def _deal(source: str, **kw: object) -> Deal:
    return Deal.objects.get(source=source, **kw)


@pytest.mark.django_db
def test_the_default_salesforce_opportunities_report(acme: World, data: Path) -> None:
    path = data / "salesforce_opportunities_default.csv"
    s = import_file(acme.org, "deals", path, preset="salesforce", strict=True)
    _accounted(s)
    # The report footer is not five bad rows: --strict passes.
    assert (s.read, s.imported, s.rejected, s.strict_failed) == (4, 4, 0, False), s.errors
    assert any("footer of 5 lines" in n for n in s.notes)
    won = _deal("salesforce", account="Acme Solar")
    assert (won.status, str(won.value), won.closed_at.date().isoformat()) == (
        "won", "14200.00", "2026-10-20",
    )  # fmt: skip
    assert _deal("salesforce", account="Globex", stage="lost").status == "lost"
    # A custom won stage counts as won, not open.
    assert Deal.objects.get(source="salesforce", stage="Closed Won - Renewal").status == "won"


@pytest.mark.django_db
def test_an_open_deals_close_date_is_its_expected_close(acme: World, data: Path) -> None:
    import_file(
        acme.org, "deals", data / "salesforce_opportunities_default.csv", preset="salesforce"
    )
    open_deal = _deal("salesforce", account="Initech")
    assert open_deal.status == "open" and open_deal.closed_at is None
    assert open_deal.expected_close_at.date().isoformat() == "2027-01-30"


@pytest.mark.django_db
def test_a_deal_without_an_id_stays_one_deal_when_its_stage_changes(
    acme: World, data: Path
) -> None:
    path = data / "salesforce_opportunities_default.csv"
    import_file(acme.org, "deals", path, preset="salesforce")
    text = path.read_text().replace('"Proposal/Price Quote"', '"Closed Won"')
    text = text.replace('"01/30/2027","10/15/2026"', '"11/20/2026","10/15/2026"')
    moved = path.with_name("moved.csv")
    moved.write_text(text)
    again = import_file(acme.org, "deals", moved, preset="salesforce")
    assert (again.imported, again.updated, again.duplicates) == (0, 1, 3), again.errors
    assert Deal.objects.filter(org=acme.org, account="Initech").count() == 1
    deal = _deal("salesforce", account="Initech")
    assert (deal.status, deal.closed_at.date().isoformat()) == ("won", "2026-11-20")


@pytest.mark.django_db
def test_a_default_salesforce_tasks_and_events_report(acme: World, data: Path) -> None:
    path = data / "salesforce_tasks_and_events.csv"
    s = import_file(acme.org, "activities", path, preset="salesforce", strict=True)
    _accounted(s)
    assert (s.read, s.imported, s.rejected, s.skipped) == (5, 3, 0, 2), s.to_json()
    assert s.skip_reasons == {"Status not 'Completed' or 'Complete' or 'Done' or ''": 1,
                              "dated in the future": 1}  # fmt: skip
    kinds = sorted(Activity.objects.filter(source="salesforce").values_list("person__name", "type"))
    # The event (no Task Subtype) is a meeting, not rejected for a missing type.
    assert kinds == [("Alex", "meeting"), ("Sam", "dial"), ("Sam", "email")]


@pytest.mark.django_db
def test_hubspot_calls_with_the_call_duration_header_and_several_deal_ids(
    acme: World, data: Path
) -> None:
    import_file(acme.org, "deals", data / "hubspot_deals.csv", preset="hubspot")
    s = import_file(
        acme.org, "activities", data / "hubspot_calls_default.csv", preset="hubspot-calls"
    )
    _accounted(s)
    assert (s.imported, s.rejected) == (3, 0), s.errors
    call = Activity.objects.get(source="hubspot", external_id="39831201")
    assert call.duration_seconds == 245
    assert call.deal == _deal("hubspot", external_id="8802")  # "9999;8802": the known one
    assert Activity.objects.get(external_id="39831203").deal.external_id == "8803"


@pytest.mark.django_db
def test_hubspot_internal_stage_ids_and_custom_won_stages(acme: World, data: Path) -> None:
    s = import_file(acme.org, "deals", data / "hubspot_deals_internal.csv", preset="hubspot")
    _accounted(s)
    assert (s.imported, s.rejected) == (4, 0), s.errors
    status = dict(Deal.objects.filter(source="hubspot").values_list("external_id", "status"))
    assert status == {"9901": "won", "9902": "open", "9903": "lost", "9904": "won"}
    assert _deal("hubspot", external_id="9902").stage == "proposal"


@pytest.mark.django_db
def test_hubspot_meetings_still_to_come_are_not_behavior(acme: World, data: Path) -> None:
    path = data / "hubspot_meetings.csv"
    future = path.with_name("future_meetings.csv")
    future.write_text(
        path.read_text() + "51110004,Next,2099-01-01 10:00,,sam@example.com,Scheduled,\n"
    )
    s = import_file(acme.org, "activities", future, preset="hubspot-meetings")
    _accounted(s)
    assert (s.imported, s.skipped) == (3, 1)
    assert not Activity.objects.filter(external_id="51110004").exists()


@pytest.mark.django_db
def test_pipedrive_default_activities_count_only_what_was_done(acme: World, data: Path) -> None:
    path = data / "pipedrive_activities_default.csv"
    s = import_file(acme.org, "activities", path, preset="pipedrive")
    _accounted(s)
    assert (s.read, s.imported, s.skipped, s.rejected) == (4, 2, 2, 0), s.to_json()
    done = sorted(
        Activity.objects.filter(source="pipedrive").values_list("type", "duration_seconds")
    )
    assert done == [("dial", 300), ("meeting", 3600)]


@pytest.mark.django_db
def test_pipedrive_deals_with_the_newer_headers(acme: World, data: Path) -> None:
    s = import_file(acme.org, "deals", data / "pipedrive_deals_new.csv", preset="pipedrive")
    _accounted(s)
    assert (s.imported, s.rejected) == (3, 0), s.errors
    won = _deal("pipedrive", external_id="401")
    assert (won.status, won.opened_at.date().isoformat()) == ("won", "2026-10-05")
    assert won.closed_at.date().isoformat() == "2026-10-20"
    open_deal = _deal("pipedrive", external_id="402")
    assert open_deal.closed_at is None
    assert open_deal.expected_close_at.date().isoformat() == "2027-01-31"


@pytest.mark.django_db
def test_pipedrive_activities_without_a_deal_id_column(acme: World, data: Path) -> None:
    path = data / "pipedrive_activities.csv"
    lines = path.read_text().replace(",Activity - Deal ID", "").replace(",Done,,", ",Done,")
    trimmed = path.with_name("no_deal_column.csv")
    trimmed.write_text(lines)
    s = import_file(acme.org, "activities", trimmed, preset="pipedrive")
    assert (s.imported, s.rejected) == (3, 0), s.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cell", "options", "stored"),
    [
        ("USD 2,500.00", {}, "2500.00"),
        ("2.500,00 EUR", {"decimal": ","}, "2500.00"),
        ("1.234,50", {"decimal": ","}, "1234.50"),
        ("$ 1,234.50", {}, "1234.50"),
    ],
)
def test_amounts_in_other_locales(
    acme: World, tmp_path: Path, cell: str, options: dict, stored: str
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(f'external_id,owner,opened_at,value\nv1,Sam,2026-10-01,"{cell}"\n')
    s = import_file(acme.org, "deals", path, mapping=mapping_from_dict(options))
    assert s.rejected == 0, s.errors
    assert str(Deal.objects.get(external_id="v1").value) == stored


@pytest.mark.django_db
def test_an_accounting_negative_is_read_and_refused_as_negative(
    acme: World, tmp_path: Path
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text('external_id,owner,opened_at,value\nv1,Sam,2026-10-01,"($1,000.00)"\n')
    s = import_file(acme.org, "deals", path)
    assert s.errors[0].reason == "negative value '($1,000.00)'"


@pytest.mark.django_db
def test_a_day_first_dotted_date_with_its_format(acme: World, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("external_id,person,occurred_at,type\nd1,Sam,31.12.2025 14:05,dial\n")
    assert "ambiguous date" in import_file(acme.org, "activities", path).errors[0].reason
    m = mapping_from_dict({"date_format": "%d.%m.%Y %H:%M", "timezone": "Europe/Berlin"})
    s = import_file(acme.org, "activities", path, mapping=m)
    assert s.rejected == 0, s.errors
    assert Activity.objects.get(external_id="d1").occurred_at.isoformat() == (
        "2025-12-31T13:05:00+00:00"
    )
