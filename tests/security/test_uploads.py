"""Finding 4 (medium): small uploads that exploded — YAML aliases, a zip-bomb .xlsx, ``.ics``
rules repeating every second or minute, and raw API bodies over 2.5 MiB (finding 7)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import recurring_ical_events

from ninety.api.services import create_token
from ninety.core import safe_yaml
from ninety.core.playbook_spec import PlaybookSpecError, load_playbook_yaml
from ninety.delegation import ics
from ninety.delegation.models import TimeEntry
from ninety.delegation.services import import_calendar
from ninety.ingest.mapping import MappingError, parse_mapping_text
from ninety.ingest.models import ImportBatch
from ninety.ingest.reader import MAX_XLSX_UNCOMPRESSED, FileError, inspect
from ninety.playbook.models import Playbook
from tests.conftest import World


def _laughs(levels: int = 9) -> str:
    """The "billion laughs": each level ten aliases of the one before (10**9 strings)."""
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_finding4_yaml_aliases_are_refused_with_their_line():
    bomb = _laughs()
    assert len(bomb) < 1000
    # Refused at the first alias (line 2), before any expansion: no timing needed to see it.
    with pytest.raises(safe_yaml.UnsafeYaml, match=r"aliases \(\*a0\) are not allowed") as err:
        safe_yaml.load(bomb)
    assert err.value.problem_mark.line + 1 == 2
    with pytest.raises(PlaybookSpecError, match="line 2"):
        load_playbook_yaml(bomb)
    with pytest.raises(MappingError, match="aliases"):
        parse_mapping_text(bomb)


def test_finding4_yaml_size_and_node_caps():
    with pytest.raises(safe_yaml.UnsafeYaml, match="over 1 MiB"):
        safe_yaml.load("a: " + "x" * (safe_yaml.MAX_YAML_BYTES + 1))
    with pytest.raises(safe_yaml.UnsafeYaml, match="more than 50,000 values"):
        safe_yaml.load("[" + ", ".join(["1"] * 60_000) + "]")
    assert safe_yaml.load("a: [1, 2]\nb: {c: d}") == {"a": [1, 2], "b": {"c": "d"}}


def test_finding4_playbook_bomb_through_the_api_stores_nothing(world: World, client):
    _, token = create_token(world.leader, "yaml")
    response = client.post(
        "/api/playbook/import",
        {"yaml": _laughs()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert "aliases" in response.json()["detail"]
    assert not Playbook.objects.exists()


def test_finding4_mapping_bomb_on_the_import_page_imports_nothing(
    world: World, client_for, tmp_path, monkeypatch
):
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(tmp_path / "imports"))
    csv = tmp_path / "a.csv"
    csv.write_text("external_id,person,occurred_at,type\nx1,Sam,2026-10-01 09:00,dial\n")
    with csv.open("rb") as f:
        response = client_for(world.admin).post(
            "/import/", {"kind": "activities", "file": f, "mapping": _laughs()}
        )
    assert response.status_code == 400
    assert b"aliases" in response.content
    assert not ImportBatch.objects.exists()


def _bomb_xlsx(path: Path, inflated: int) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["external_id", "person", "occurred_at", "type"])
    wb.save(path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/worksheets/padding.xml", "w") as member,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(inflated >> 20):
            member.write(block)


def test_finding4_an_xlsx_that_unpacks_too_far_is_refused(tmp_path: Path):
    path = tmp_path / "bomb.xlsx"
    _bomb_xlsx(path, MAX_XLSX_UNCOMPRESSED + (8 << 20))
    assert path.stat().st_size < 2 << 20  # a small upload …
    # The size comes from the archive's directory, so nothing is unpacked to refuse it.
    with pytest.raises(FileError, match="unpacks to 136 MiB, over the 128 MiB limit"):
        inspect(path)


def test_finding4_an_ordinary_xlsx_still_reads(tmp_path: Path):
    path = tmp_path / "ok.xlsx"
    _bomb_xlsx(path, 1 << 20)
    assert inspect(path).headers[:2] == ["external_id", "person"]


def _ics(rule: str, until: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        "DTSTART:20261123T170000Z\r\nDTEND:20261123T170100Z\r\nUID:bomb@x\r\n"
        f"SUMMARY:Tick\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY"])
def test_finding4_ics_rules_every_second_or_minute_are_refused(
    world: World, freq: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expanded = _count_occurrences(monkeypatch)
    with pytest.raises(ics.CalendarError, match=f"FREQ={freq} repeats too often"):
        import_calendar(world.leader, _ics(f"FREQ={freq}"))
    assert expanded == []  # refused from the rule itself, before any occurrence is made
    assert not TimeEntry.objects.exists()


def _count_occurrences(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for every occurrence the expansion turns into an event."""
    made: list[int] = []
    as_component = recurring_ical_events.Occurrence.as_component

    def counted(self: object, *args: object, **kwargs: object) -> object:
        made.append(1)
        return as_component(self, *args, **kwargs)

    monkeypatch.setattr(recurring_ical_events.Occurrence, "as_component", counted)
    return made


def test_finding4_ics_expansion_stops_at_the_occurrence_cap(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Daily, but every minute of every hour by BY-lists: 1,440 a day.
    rule = "FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24)))
    rule += ";BYMINUTE=" + ",".join(map(str, range(60)))
    expanded = _count_occurrences(monkeypatch)
    with pytest.raises(ics.CalendarError, match="more than 20,000 occurrences"):
        import_calendar(world.leader, _ics(rule))
    # It stops one past the cap, not after the weeks of minutes the rule asks for.
    assert len(expanded) == ics.MAX_OCCURRENCES + 1
    assert not TimeEntry.objects.exists()


def test_finding4_ics_over_the_size_limit_is_refused(world: World):
    with pytest.raises(ics.CalendarError, match="over 20 MiB"):
        import_calendar(world.leader, b"BEGIN:VCALENDAR\r\n" + b"X" * (ics.MAX_ICS_BYTES + 1))


def test_finding7_raw_bulk_bodies_over_2_5_mib_are_read(world: World, client, tmp_path,
                                                        monkeypatch):  # fmt: skip
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(tmp_path / "imports"))
    _, token = create_token(world.admin, "bulk")
    header = "external_id,person,occurred_at,type\n"
    rows = "".join(f"r{i},Sam,2026-10-01 09:00,dial\n" for i in range(110_000))
    body = (header + rows).encode()
    assert len(body) > 2_621_440
    response = client.post(
        "/api/activities/bulk", body, content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 200, response.content[:300]
    assert response.json()["read"] == 110_000


def test_finding7_bodies_over_the_limits_are_413(world: World, client):
    _, token = create_token(world.admin, "bulk")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    big_json = b'{"yaml": "' + b"x" * 3_000_000 + b'"}'
    response = client.post(
        "/api/playbook/import", big_json, content_type="application/json", **auth
    )
    assert response.status_code == 413
    response = client.post(
        "/api/activities/bulk", b"x", content_type="text/csv",
        CONTENT_LENGTH=str((50 << 20) + 1), **auth,
    )  # fmt: skip
    assert response.status_code == 413
