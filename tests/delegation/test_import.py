"""Importing a calendar as time: rules, all-or-nothing, idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ninety.core.attention import BEHAVIOR, RESULTS, TACTICAL, IsoWeek
from ninety.delegation import services
from ninety.delegation.ics import CalendarError
from ninety.delegation.models import TimeEntry
from ninety.delegation.queries import attention_week
from tests.conftest import World

NOV = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}
W48 = IsoWeek(2026, 48)


def test_the_google_export_makes_the_week_of_23_november(world: World, google_ics) -> None:
    summary = services.import_calendar(world.leader, google_ics, **NOV)
    assert summary.skipped == 1  # the all-day offsite
    assert summary.unmatched == 1  # the untitled block: counted as tactical
    meter = attention_week(world.leader, W48)
    # W48: schedule 120 + report review 3×30 + untitled 30 (tactical) · ride-along 120 ·
    # forecast 60 — Monday 30 Nov belongs to W49.
    assert meter.split.minutes == {BEHAVIOR: 120, RESULTS: 60, TACTICAL: 240}
    assert [c.title for c in meter.candidates] == ["Weekly schedule building", "Report review"]


def test_reimporting_the_same_file_never_duplicates(world: World, google_ics) -> None:
    first = services.import_calendar(world.leader, google_ics, **NOV)
    again = services.import_calendar(world.leader, google_ics, **NOV)
    assert first.created > 0
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert TimeEntry.objects.count() == first.created


def test_a_new_rule_recategorises_on_the_next_import(world: World, outlook_ics) -> None:
    services.import_calendar(world.leader, outlook_ics, **NOV)
    month_end = TimeEntry.objects.get(title="Month-end look")
    assert month_end.category == TACTICAL  # nothing matched: the fallback
    services.add_rule(world.org.pk, RESULTS, calendar_category="numbers")  # the org's rule
    services.add_rule(world.org.pk, "skip", leader=world.leader, attendee="hr@")
    services.add_rule(world.org.pk, BEHAVIOR, leader=world.leader, title_pattern="thanksgiving",
                      all_day_minutes=60)  # fmt: skip
    summary = services.import_calendar(world.leader, outlook_ics, **NOV)
    assert TimeEntry.objects.get(pk=month_end.pk).category == RESULTS
    assert not TimeEntry.objects.filter(title="(no title)").exists()  # HR: not counted now
    assert TimeEntry.objects.get(title="Thanksgiving").minutes == 60
    assert summary.updated == 1 and summary.created == 1


def test_a_malformed_file_imports_nothing(world: World, google_ics, malformed_ics) -> None:
    services.import_calendar(world.leader, google_ics, **NOV)
    before = list(TimeEntry.objects.values_list("pk", "category", "minutes"))
    with pytest.raises(CalendarError, match="DTSTART"):
        services.import_calendar(world.leader, malformed_ics)
    assert list(TimeEntry.objects.values_list("pk", "category", "minutes")) == before


def test_two_leaders_importing_the_same_file_keep_their_own_time(world, google_ics) -> None:
    services.import_calendar(world.leader, google_ics, **NOV)
    services.import_calendar(world.other_leader, google_ics, **NOV)
    assert (
        TimeEntry.objects.filter(leader=world.leader).count()
        == TimeEntry.objects.filter(leader=world.other_leader).count()
    )


def test_manual_time_needs_a_known_category_and_sane_minutes(world: World) -> None:
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    with pytest.raises(services.DelegationError, match="category"):
        services.add_time_entry(world.leader, start, 30, "coaching")
    with pytest.raises(services.DelegationError, match="minutes"):
        services.add_time_entry(world.leader, start, 0, BEHAVIOR)
    services.add_time_entry(world.leader, start, 30, BEHAVIOR, "Observe calls")
    assert attention_week(world.leader, W48).split.minutes[BEHAVIOR] == 30
