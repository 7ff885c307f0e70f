"""The calendar feed: parses with icalendar, follows a moved meeting, holds only its owner's
events, and its secret address can be reset and turned off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from ninety.coaching.services import create_meeting, schedule_series
from ninety.delegation.models import TacticalTask
from ninety.experiments.services import start_experiment
from ninety.home.feeds import checkin_days
from ninety.notify.services import feed_owner, reset_feed, revoke_feed
from ninety.people.models import Person
from tests.coaching.conftest import MEETING_DAY, sams_meeting
from tests.conftest import World
from tests.delegation.helpers import delegation_to_alex
from tests.experiments.matrix_helpers import sams_experiment

pytestmark = pytest.mark.django_db


def _events(token: str) -> dict[str, object]:
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_the_feed_parses_and_moves_with_the_meeting(world: World) -> None:
    m = sams_meeting(world)
    token = reset_feed(world.rep)
    event = _events(token)[f"one-on-one-{m.pk}"]
    assert event.decoded("DTSTART") == m.scheduled_at
    assert "Sam with Dana" in str(event["SUMMARY"])
    m.scheduled_at += timedelta(days=1, hours=1)
    m.save(update_fields=["scheduled_at"])
    moved = _events(token)[f"one-on-one-{m.pk}"]
    assert moved.decoded("DTSTART") == m.scheduled_at  # same UID, new time: the calendar moves it
    assert moved.decoded("DTEND") - moved.decoded("DTSTART") == timedelta(minutes=30)


def test_the_feed_holds_delegated_sessions_and_experiment_checkins(world: World) -> None:
    d = delegation_to_alex(world)
    TacticalTask.objects.filter(pk=d.task_id).update(due=MEETING_DAY + timedelta(days=3))
    sams_experiment(world)
    alex = _events(reset_feed(world.teammate))
    assert alex[f"delegation-{d.pk}"].decoded("DTSTART") == MEETING_DAY + timedelta(days=3)
    dana = _events(reset_feed(world.leader))
    assert f"delegation-{d.pk}" in dana
    assert any(k.startswith("experiment-") for k in dana)
    sam = _events(reset_feed(world.rep))
    assert f"delegation-{d.pk}" not in sam  # Sam is the coachee, not a party to the delegation
    assert any(k.startswith("experiment-") for k in sam)


def test_the_feed_holds_only_its_owners_events(world: World) -> None:
    sams = sams_meeting(world)
    graces = schedule_series(world.other_leader, world.other_rep, weekday=MEETING_DAY.weekday(),
                             at=time(10, 0), start=MEETING_DAY).meetings.get()  # fmt: skip
    for persona, expect in (("rep", {sams.pk}), ("teammate", set()), ("other_leader", {graces.pk}),
                            ("director", set()), ("admin", set())):  # fmt: skip
        keys = _events(reset_feed(world.persona(persona)))
        got = {int(k.split("-")[-1]) for k in keys if k.startswith("one-on-one-")}
        assert got == expect, persona


def test_typed_line_breaks_never_become_properties(world: World) -> None:
    Person.objects.filter(pk=world.rep.pk).update(
        name="Sam\r\nATTENDEE:mailto:evil@example.com\r\nX-EVIL:1\x07"
    )
    m = sams_meeting(world)
    event = _events(reset_feed(world.leader))[f"one-on-one-{m.pk}"]
    assert "ATTENDEE" not in event and "X-EVIL" not in event
    assert "\x07" not in str(event["SUMMARY"]) and "X-EVIL:1" in str(event["SUMMARY"])


def test_reset_ends_the_old_address_and_revoke_ends_the_feed(world: World) -> None:
    first = reset_feed(world.rep)
    second = reset_feed(world.rep)
    assert Client().get(f"/calendar/{first}.ics").status_code == 404
    assert Client().get(f"/calendar/{second}.ics").status_code == 200
    assert revoke_feed(world.rep)
    assert Client().get(f"/calendar/{second}.ics").status_code == 404


@pytest.mark.parametrize("bad", ["", "x", "1-", "-abc", "999-abc", "1-" + "a" * 200])
def test_bad_tokens_open_nothing(world: World, bad: str) -> None:
    reset_feed(world.rep)
    assert feed_owner(bad) is None


def test_another_feeds_id_with_a_wrong_secret_opens_nothing(world: World) -> None:
    token = reset_feed(world.rep)
    feed_id, _, secret = token.partition("-")
    assert feed_owner(f"{feed_id}-{secret[:-1]}x") is None
    assert feed_owner(token) == world.rep


def test_an_inactive_person_feed_stops(world: World) -> None:
    token = reset_feed(world.rep)
    Person.objects.filter(pk=world.rep.pk).update(is_active=False)
    assert feed_owner(token) is None


def test_checkins_are_weekly_from_the_start_and_stop_at_the_planned_end() -> None:
    start = date(2026, 11, 13)
    days = checkin_days(start, date(2026, 11, 27), date(2026, 12, 18))
    assert days == [date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 4),
                    date(2026, 12, 11), date(2026, 12, 18)]  # fmt: skip
    assert checkin_days(start, date(2027, 3, 1), None)[0] == date(2027, 2, 19)


def test_the_feed_follows_the_served_day(world: World, settings: object) -> None:
    # Far from any real date this runs on: the feed must read NINETY_TODAY, not the clock.
    served = date(2030, 1, 10)
    settings.NINETY_TODAY = served  # type: ignore[attr-defined]
    start = date(2029, 12, 20)
    experiment = start_experiment(
        leader=world.leader, subjects=[world.rep], start=start, hypothesis="A local reference",
        metric="conversation",
    )  # fmt: skip
    at = datetime.combine(served, time(10, 0), tzinfo=UTC)
    recent = create_meeting(world.leader, world.rep, scheduled_at=at - timedelta(days=10))
    old = create_meeting(world.leader, world.rep, scheduled_at=at - timedelta(days=70))
    events = _events(reset_feed(world.leader))
    checkins = sorted(k for k in events if k.startswith(f"experiment-{experiment.pk}-"))
    # A week after the start, to eight weeks after the served day (7 Mar 2030 is both).
    assert checkins[0] == f"experiment-{experiment.pk}-20291227"
    assert checkins[-1] == f"experiment-{experiment.pk}-20300307" and len(checkins) == 11
    # The 60 days back are counted from the served day too.
    assert f"one-on-one-{recent.pk}" in events and f"one-on-one-{old.pk}" not in events
