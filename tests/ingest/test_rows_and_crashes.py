"""Errors point at the spreadsheet row of the cell; no input crashes an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from ninety.activity.models import Activity
from ninety.ingest.services import ImportError_, import_file
from tests.conftest import World

HEADER = "external_id,person,occurred_at,type,duration_seconds\n"


def _rows(summary) -> dict[int | None, str]:  # type: ignore[no-untyped-def]
    return {e.row: e.reason for e in summary.errors}


@pytest.mark.django_db
def test_row_numbers_stay_right_after_a_blank_and_a_malformed_line(
    acme: World, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        HEADER
        + "r1,Sam,2026-10-01T09:00:00Z,dial,5\n"  # row 2
        + "\n"  # row 3: blank
        + "r2,Sam,2026-10-01T09:01:00Z,dial\n"  # row 4: a field short
        + 'r3,Sam,2026-10-01T09:02:00Z,"dial\nwith a line break",5\n'  # row 5: two lines
        + "r4,Sam,not-a-date,dial,5\n"  # row 6
    )
    s = import_file(acme.org, "activities", path)
    rows = _rows(s)
    assert "has 4 fields" in rows[4]
    assert "not a date 'not-a-date'" in rows[6]
    assert (s.read, s.imported, s.rejected) == (4, 2, 2), s.errors


@pytest.mark.django_db
def test_row_numbers_in_a_workbook_count_blank_rows(acme: World, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["external_id", "person", "occurred_at", "type"])
    ws.append(["x1", "Sam", "2026-10-01T09:00:00Z", "dial"])
    ws.append([])
    ws.append(["x2", "Sam", "yesterday", "dial"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    s = import_file(acme.org, "activities", path)
    assert list(_rows(s)) == [4]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "stored", "why"),
    [("+5", 5, None), ("12345678901234567890", None, "not a duration"), ("1e400", None, "not")],
)
def test_odd_durations_are_row_errors_not_crashes(
    acme: World, tmp_path: Path, value: str, stored: int | None, why: str | None
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(HEADER + f"d1,Sam,2026-10-01T09:00:00Z,dial,{value}\n")
    s = import_file(acme.org, "activities", path)
    if why is None:
        assert Activity.objects.get(external_id="d1").duration_seconds == stored
    else:
        assert s.rejected == 1 and why in s.errors[0].reason and s.errors[0].row == 2


@pytest.mark.django_db
@pytest.mark.parametrize("text", [HEADER.strip(), HEADER])
def test_a_header_only_file_says_so(acme: World, tmp_path: Path, text: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(text)
    with pytest.raises(ImportError_, match=r"has a header row .* but no data rows"):
        import_file(acme.org, "activities", path)


@pytest.mark.django_db
def test_an_empty_file_says_so(acme: World, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("\n\n")
    with pytest.raises(ImportError_, match="the file is empty"):
        import_file(acme.org, "activities", path)


@pytest.mark.django_db
def test_a_huge_deal_value_is_a_row_error(acme: World, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "external_id,owner,opened_at,value\nz1,Sam,2026-10-01,99999999999999999\n"
        "z2,Sam,2026-10-01,100\n"
    )
    s = import_file(acme.org, "deals", path)
    assert (s.imported, s.rejected) == (1, 1) and "too large" in s.errors[0].reason
