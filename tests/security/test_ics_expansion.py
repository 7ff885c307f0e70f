"""A 1 KB ``.ics`` must not hold a worker: recurring events are expanded from near the window
whatever their DTSTART says, and a rule whose walk gets long is refused with its name."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule

from ninety.api.services import create_token
from ninety.delegation import ics
from ninety.delegation.models import TimeEntry
from tests.conftest import World

WINDOW = {"since": date(2026, 11, 2), "until": date(2026, 11, 29)}  # four weeks of the meter


def _ics(dtstart: str, rule: str, *, end: str = "DURATION:PT30M", extra: str = "") -> str:
    """One recurring event; ``dtstart`` is the value, or ``;PARAMS:value``."""
    sep = "" if dtstart.startswith(";") else ":"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        f"DTSTART{sep}{dtstart}\r\n{end}\r\nUID:old@x\r\nSUMMARY:Tick\r\n"
        f"RRULE:{rule}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _post(client: Any, world: World, text: str, **window: str) -> Any:
    _, token = create_token(world.leader, "ics")
    return client.post(
        "/api/attention/import-ics", json.dumps({"ics": text, **window}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the dates dateutil makes (inside the window or not); fails past 50,000, which a
    walk from the year 1 would pass in its first six years."""
    made: list[int] = []
    original = dateutil_rrule.rrule._iter

    def counted(self: dateutil_rrule.rrule) -> Any:
        for value in original(self):
            made.append(1)
            assert len(made) <= 50_000, "the rule was walked from its DTSTART"
            yield value

    monkeypatch.setattr(dateutil_rrule.rrule, "_iter", counted)
    return made


def test_an_hourly_event_from_the_year_1_imports_the_window_only(
    world: World, client, walked: list[int]
) -> None:
    text = _ics("00010101T000000Z", "FREQ=HOURLY")
    assert len(text) < 1024
    response = _post(client, world, text, since="2026-11-02", until="2026-11-29")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] + body["skipped"] == 28 * 24  # every hour of the four weeks
    assert len(walked) < 2 * 28 * 24  # the walk started next to the window, not in year 1


def test_without_a_window_the_expansion_is_the_span_cap(walked: list[int]) -> None:
    events = ics.read_ics(_ics("00010101T000000Z", "FREQ=HOURLY"))
    assert 24 * ics.MAX_SPAN_DAYS <= len(events) <= 24 * (ics.MAX_SPAN_DAYS + 2)
    assert len(walked) < len(events) + 24 * 10


def test_a_rule_counted_from_the_year_1_is_refused_quickly(
    world: World, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = _count_steps(monkeypatch)
    response = _post(client, world, _ics("00010101T000000Z", "FREQ=HOURLY;COUNT=900000000"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("nothing imported: event 'Tick': its RRULE (FREQ=HOURLY;COUNT=")
    assert "takes too long to expand" in detail
    assert len(steps) <= ics.MAX_EXPANSION_WORK // 2000 + 1  # months walked, then stopped
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never: walked to the year 9999 before
        "FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # every 7 days from a Tuesday: never a Monday
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",  # no month has six Mondays
    ],
)
def test_a_rule_that_never_repeats_is_refused_not_walked_to_9999(
    world: World, client, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    steps = _count_steps(monkeypatch)
    response = _post(client, world, _ics("20261103T090000Z", rule))
    assert response.status_code == 422
    assert "takes too long to expand" in response.json()["detail"]
    assert len(steps) <= ics.MAX_EXPANSION_WORK // 8 + 1
    assert not TimeEntry.objects.exists()


def _count_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    steps: list[int] = []
    spend = ics._Meter.spend

    def counted(self: ics._Meter, rule: Any) -> None:
        steps.append(1)
        spend(self, rule)

    monkeypatch.setattr(ics._Meter, "spend", counted)
    return steps


START = {
    "utc": ("20150131T093000Z", "DTEND:20150131T103000Z"),
    "paris": (";TZID=Europe/Paris:20120229T233000", "DTEND;TZID=Europe/Paris:20120301T003000"),
    "all-day": (";VALUE=DATE:20160229", "DTEND;VALUE=DATE:20160301"),
    "new-york": (";TZID=America/New_York:20100310T013000", "DURATION:PT45M"),
}
RULES = [
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
    "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=15,31",
    "FREQ=YEARLY;INTERVAL=3;BYMONTH=3,11;BYDAY=2SU",
    "FREQ=YEARLY",
    "FREQ=HOURLY;INTERVAL=5;BYHOUR=9,10,11,12,13,14",
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("start", list(START))
def test_starting_near_the_window_changes_no_occurrence(
    monkeypatch: pytest.MonkeyPatch, start: str, rule: str
) -> None:
    dtstart, end = START[start]
    text = _ics(dtstart, rule, end=end, extra="EXDATE:20261106T093000Z\r\n")
    tz = ZoneInfo("Europe/London")
    moved = ics.read_ics(text, default_tz=tz, **WINDOW)
    with monkeypatch.context() as m:
        m.setattr(ics, "_rebase", lambda cal, since: [])  # walked from the real DTSTART
        m.setattr(ics, "MAX_EXPANSION_WORK", 10**9)
        walked = ics.read_ics(text, default_tz=tz, **WINDOW)
    assert moved == walked


def test_the_callers_calendar_keeps_its_dtstart() -> None:
    cal = ics.parse_calendar(_ics("20100104T090000Z", "FREQ=WEEKLY", end="DTEND:20100104T100000Z"))
    assert len(ics.expand_events(cal, **WINDOW)) == 4
    event = cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART").year == event.decoded("DTEND").year == 2010


def test_an_expansion_failure_without_a_message_still_says_what(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise TimeoutError

    monkeypatch.setattr(ics, "_bounded_occurrences", broken)
    with pytest.raises(ics.CalendarError, match="cannot expand recurring events: TimeoutError"):
        ics.read_ics(_ics("20261103T090000Z", "FREQ=DAILY"))


def test_moved_occurrences_of_an_old_series_stay_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    def moved(rid: str, start: str) -> str:
        return (
            f"BEGIN:VEVENT\r\nUID:old@x\r\nRECURRENCE-ID:{rid}\r\nDTSTART:{start}\r\n"
            f"DURATION:PT30M\r\nSUMMARY:Tick moved\r\nSEQUENCE:1\r\nEND:VEVENT\r\n"
        )

    text = _ics("20150105T090000Z", "FREQ=WEEKLY;BYDAY=MO").replace(
        "END:VCALENDAR",
        moved("20261109T090000Z", "20261110T150000Z")  # in the window, moved a day
        + moved("20160104T090000Z", "20261111T150000Z")  # from 2016 into the window
        + "END:VCALENDAR",
    )
    rebased = ics.read_ics(text, **WINDOW)
    with monkeypatch.context() as m:
        m.setattr(ics, "_rebase", lambda cal, since: [])
        walked = ics.read_ics(text, **WINDOW)
    assert rebased == walked
    assert [e.title for e in rebased].count("Tick moved") == 2
