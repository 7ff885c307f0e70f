"""Real-looking CRM exports, each through its preset."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ninety.activity.models import Activity, ActivityRollup, Deal
from ninety.ingest.services import import_file
from tests.conftest import World


def _types(w: World, source: str) -> list[tuple[str, str, str]]:
    return sorted(
        Activity.objects.filter(org=w.org, source=source).values_list(
            "person__name", "type", "outcome"
        )
    )


@pytest.mark.django_db
def test_it_imports_a_salesforce_task_report(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "salesforce_tasks.csv", preset="salesforce")
    assert (s.read, s.imported, s.rejected) == (5, 5, 0), s.errors
    assert _types(acme, "salesforce") == [
        ("Alex", "dial", "none"),
        ("Alex", "meeting", ""),
        ("Sam", "dial", "connect"),
        ("Sam", "dial", "none"),
        ("Sam", "email", ""),
    ]
    call = Activity.objects.get(external_id="00T5e00001AbCd2")
    assert call.occurred_at.isoformat() == "2026-10-01T09:20:00+00:00"
    assert call.duration_seconds == 310


@pytest.mark.django_db
def test_it_imports_a_salesforce_opportunity_report(acme: World, data: Path) -> None:
    s = import_file(acme.org, "deals", data / "salesforce_opportunities.csv", preset="salesforce")
    assert (s.imported, s.rejected) == (3, 0), s.errors
    won = Deal.objects.get(external_id="0065e00000XyZ01")
    assert (won.status, won.stage, won.value, won.owner_id) == (
        "won", "won", Decimal("14200.00"), acme.rep.pk,
    )  # fmt: skip
    assert Deal.objects.get(external_id="0065e00000XyZ02").status == "open"
    assert Deal.objects.get(external_id="0065e00000XyZ03").status == "lost"


@pytest.mark.django_db
def test_it_imports_hubspot_calls_meetings_and_deals(acme: World, data: Path) -> None:
    calls = import_file(acme.org, "activities", data / "hubspot_calls.csv", preset="hubspot-calls")
    meetings = import_file(
        acme.org, "activities", data / "hubspot_meetings.csv", preset="hubspot-meetings"
    )
    deals = import_file(acme.org, "deals", data / "hubspot_deals.csv", preset="hubspot")
    assert (calls.imported, meetings.imported, deals.imported) == (4, 3, 3)
    assert _types(acme, "hubspot")[:4] == [
        ("Alex", "dial", "none"), ("Alex", "dial", "none"),
        ("Alex", "meeting", ""), ("Sam", "dial", "connect"),
    ]  # fmt: skip
    assert Activity.objects.get(external_id="29831201").duration_seconds == 245
    assert Deal.objects.get(external_id="8802").status == "open"


@pytest.mark.django_db
def test_it_imports_pipedrive_activities_and_deals(acme: World, data: Path) -> None:
    acts = import_file(
        acme.org, "activities", data / "pipedrive_activities.csv", preset="pipedrive"
    )
    deals = import_file(acme.org, "deals", data / "pipedrive_deals.csv", preset="pipedrive")
    assert (acts.imported, acts.rejected, deals.imported) == (3, 0, 3), acts.errors
    meet = Activity.objects.get(source="pipedrive", external_id="4102")
    assert (meet.type, meet.duration_seconds) == ("meeting", 3600)
    assert Deal.objects.get(source="pipedrive", external_id="301").status == "won"


@pytest.mark.django_db
def test_it_reads_a_semicolon_file_with_a_bom(acme: World, data: Path) -> None:
    s = import_file(acme.org, "activities", data / "semicolon_bom.csv")
    assert (s.imported, s.rejected) == (3, 0), s.errors
    roll = ActivityRollup.objects.get(person=acme.rep, type="dial")
    assert (roll.count, roll.advanced) == (1, 1)


@pytest.mark.django_db
def test_it_reads_an_xlsx_workbook(acme: World, tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["external_id", "person", "occurred_at", "type", "duration_seconds", "outcome"])
    ws.append(["x1", "Sam", dt.datetime(2026, 10, 1, 9, 0), "dial", 20, "connect"])
    ws.append(["x2", "Alex", dt.datetime(2026, 10, 1, 9, 5), "dial", 7.0, "none"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    s = import_file(acme.org, "activities", path)
    assert (s.read, s.imported, s.rejected) == (2, 2, 0), s.errors
    assert Activity.objects.get(external_id="x2").duration_seconds == 7
