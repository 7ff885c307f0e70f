"""Real calendar exports: Google (VTIMEZONE, X-WR-TIMEZONE) and Outlook (Windows zone names)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ninety.core.attention import UNTITLED
from ninety.delegation.ics import CalendarError, read_ics

NOV = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}


def by_title(events, title):
    return [e for e in events if e.title == title]


def test_a_google_weekly_series_skips_its_exdate(google_ics: bytes) -> None:
    events = read_ics(google_ics, **NOV)
    mondays = [e.start.date() for e in by_title(events, "Weekly schedule building")]
    assert date(2026, 11, 16) not in mondays  # EXDATE
    assert mondays == [date(2026, 11, d) for d in (2, 9, 23, 30)]
    first = by_title(events, "Weekly schedule building")[0]
    # 09:00 in Los Angeles (PST, UTC−8) is 17:00 UTC.
    assert first.start == datetime(2026, 11, 2, 17, tzinfo=UTC) and first.minutes == 120
    assert first.recurring


def test_a_moved_occurrence_keeps_its_original_key(google_ics: bytes) -> None:
    events = read_ics(google_ics, **NOV)
    wednesday = [e for e in by_title(events, "Report review") if e.start.day == 25]
    assert len(wednesday) == 1
    moved = wednesday[0]
    assert moved.start == datetime(2026, 11, 25, 21, tzinfo=UTC)  # 13:00 PST, not 08:00
    assert moved.key == "1reportreview9q@google.com/20261125T160000Z"
    assert len(by_title(events, "Report review")) == 13  # MWF from 2 Nov to 30 Nov


def test_all_day_untitled_and_cancelled_events(google_ics: bytes) -> None:
    events = read_ics(google_ics, **NOV)
    [offsite] = by_title(events, "Team offsite")
    assert offsite.all_day and offsite.minutes == 24 * 60 and not offsite.recurring
    [busy] = by_title(events, UNTITLED)
    assert busy.minutes == 30
    assert not by_title(events, "Vendor demo")  # STATUS:CANCELLED
    [ride] = by_title(events, "Ride-along: Sam's greetings")
    assert ride.attendees == ("sam.patel@acme.example", "dana.reyes@acme.example")


def test_outlook_windows_time_zones_exdate_and_recurrence_id(outlook_ics: bytes) -> None:
    events = read_ics(outlook_ics, **NOV)
    one_on_ones = by_title(events, "1:1 Sam")
    # COUNT=8 from Thu 5 Nov: the 19th moved to Fri 20th 15:00–16:00, the 26th is an EXDATE.
    assert [e.start for e in one_on_ones] == [
        datetime(2026, 11, 5, 18, tzinfo=UTC),
        datetime(2026, 11, 12, 18, tzinfo=UTC),
        datetime(2026, 11, 20, 23, tzinfo=UTC),
    ]
    assert [e.minutes for e in one_on_ones] == [30, 30, 60]
    [numbers] = by_title(events, "Month-end look")
    assert numbers.categories == ("Numbers",)
    [hr] = by_title(events, UNTITLED)  # "SUMMARY;LANGUAGE=en-us:" with no text
    assert hr.attendees == ("hr@acme.example",)
    [holiday] = by_title(events, "Thanksgiving")
    assert holiday.all_day


def test_a_malformed_file_names_the_event_and_the_field(malformed_ics: bytes) -> None:
    with pytest.raises(CalendarError, match=r"event 2 \(Ride-along\): bad DTSTART"):
        read_ics(malformed_ics)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "does not start with BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n", "END:VCALENDAR is missing"),
        (b"\xff\xfe\x00B", "not UTF-8"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:No start\r\nEND:VEVENT\r\n"
            b"END:VCALENDAR\r\n",
            "DTSTART is missing",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Back\r\n"
            b"DTSTART:20261123T100000Z\r\nDTEND:20261123T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "before DTSTART",
        ),
    ],
)
def test_it_explains_what_is_wrong_with_a_bad_file(data: bytes, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        read_ics(data)


WEEKLY = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:weekly\r\nSUMMARY:Pipeline review\r\n"
    b"DTSTART:20291203T100000Z\r\nDTEND:20291203T110000Z\r\nRRULE:FREQ=WEEKLY\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_without_a_window_it_expands_to_a_week_after_the_served_day(settings: object) -> None:
    # Far from any real date this runs on: the window must end after NINETY_TODAY + 8 days.
    settings.NINETY_TODAY = date(2030, 1, 10)  # type: ignore[attr-defined]
    starts = [e.start.date() for e in read_ics(WEEKLY)]
    assert starts[0] == date(2029, 12, 3) and starts[-1] == date(2030, 1, 14)
    assert len(starts) == 7
