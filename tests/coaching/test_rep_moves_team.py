"""A rep who moves to another team (or whose team changes leader) leaves the old leader's
one-on-ones: the series ends, its meeting not yet held is cancelled (kept, as history), no
reminder goes out for it, the rep's calendar drops it, and the new leader schedules their own.
A meeting a delegate holds stays theirs (the grant runs it); one under way ends cancelled, as
nobody may close it any more."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from ninety.coaching import services
from ninety.coaching.models import OneOnOne, OneOnOneSeries
from ninety.coaching.notifications import remind_tomorrow
from ninety.ingest.services import import_file
from ninety.notify.models import Notification
from ninety.notify.services import reset_feed
from tests.coaching.conftest import AS_OF, MEETING_DAY, sams_meeting
from tests.conftest import World

pytestmark = pytest.mark.django_db

ROSTER = "external_id,name,email,role,team\n"


def _import_move(w: World, tmp_path: Path, team: str) -> None:
    csv = tmp_path / f"move-{team}.csv"
    csv.write_text(ROSTER + f"{w.rep.external_id},{w.rep.name},{w.rep.email},rep,{team}\n")
    assert import_file(w.org, "people", csv, created_by=w.admin).updated == 1


def _eve(meeting: OneOnOne):  # type: ignore[no-untyped-def]
    return timezone.localdate(meeting.scheduled_at) - timedelta(days=1)


def _reminded(meeting: OneOnOne) -> set[str]:
    return set(
        Notification.objects.filter(key__contains=f":{meeting.pk}:").values_list(
            "recipient__name", flat=True
        )
    )


def _assert_stopped(meeting: OneOnOne) -> None:
    meeting.refresh_from_db()
    assert meeting.status == OneOnOne.Status.CANCELLED and meeting.closed_at is not None
    assert OneOnOneSeries.objects.get(pk=meeting.series_id).active is False
    assert remind_tomorrow(_eve(meeting)) == 0 and _reminded(meeting) == set()


def test_an_imported_move_ends_the_old_series_and_cancels_its_meeting(
    world: World, tmp_path: Path
) -> None:
    meeting = sams_meeting(world)
    services.save_self_report(meeting, by=world.rep, results="Up 5%", behaviors="Greeting")
    _import_move(world, tmp_path, "Closers")
    _assert_stopped(meeting)
    assert meeting.self_results == "Up 5%"  # history kept: the row and what the rep wrote
    with pytest.raises(PermissionDenied):  # no longer open to the rep's self-report
        services.save_self_report(meeting, by=world.rep, results="again", behaviors="")
    # The rep's calendar app is told to drop it (same UID, STATUS:CANCELLED).
    body = Client().get(f"/calendar/{reset_feed(world.rep)}.ics").content
    events = {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(body).walk("VEVENT")}
    assert str(events[f"one-on-one-{meeting.pk}"]["STATUS"]) == "CANCELLED"


def test_the_new_leader_schedules_their_own_and_the_rep_is_reminded_of_it(
    world: World, tmp_path: Path
) -> None:
    old = sams_meeting(world)
    _import_move(world, tmp_path, "Closers")
    series = services.schedule_series(world.other_leader, world.rep, weekday=MEETING_DAY.weekday(),
                                      start=MEETING_DAY)  # fmt: skip
    new = series.meetings.get()
    assert new.status == OneOnOne.Status.SCHEDULED and series.active
    remind_tomorrow(_eve(new))
    assert _reminded(new) == {"Sam", "Chris"} and _reminded(old) == set()


def test_a_move_saved_on_the_person_stops_the_series_too(world: World) -> None:
    # The Django admin (operators) saves the person: a signal, not an import.
    meeting = sams_meeting(world)
    world.rep.team = world.closers
    world.rep.save()
    _assert_stopped(meeting)


def test_a_team_changing_leader_stops_the_old_leaders_series(world: World) -> None:
    meeting = sams_meeting(world)
    world.crew.leader = world.other_leader
    world.crew.save()
    _assert_stopped(meeting)
    # Dana's own team: the one-on-ones with her other reps are untouched elsewhere.
    assert OneOnOne.objects.filter(status=OneOnOne.Status.CANCELLED).count() == 1


def test_a_meeting_the_old_leader_keeps_leading_is_left_alone(world: World) -> None:
    meeting = sams_meeting(world)
    world.other_rep.team = world.crew  # Grace joins Dana's Crew: Sam still in it
    world.other_rep.save()
    meeting.refresh_from_db()
    assert meeting.status == OneOnOne.Status.SCHEDULED and meeting.series.active
    assert remind_tomorrow(_eve(meeting)) > 0 and _reminded(meeting) == {"Sam", "Dana"}


def test_a_delegated_meeting_stays_with_its_delegate_and_one_under_way_ends(
    world: World, tmp_path: Path
) -> None:
    held = services.delegate_meeting(sams_meeting(world), by=world.leader, delegate=world.teammate)
    later = held.scheduled_at + timedelta(days=2)
    one_off = services.create_meeting(world.leader, world.rep, scheduled_at=later)
    services.open_meeting(one_off, by=world.leader, as_of=AS_OF)
    _import_move(world, tmp_path, "Closers")
    held.refresh_from_db()
    one_off.refresh_from_db()
    assert held.status == OneOnOne.Status.SCHEDULED and held.held_by_id == world.teammate.pk
    # Under way at the move: nobody may close it now, so it ends cancelled, its prep kept.
    assert one_off.status == OneOnOne.Status.CANCELLED and one_off.prep is not None
    assert OneOnOneSeries.objects.get(pk=held.series_id).active is False
    remind_tomorrow(_eve(held))
    assert "Sam" in _reminded(held)  # still held: the delegate runs it


def test_no_reminder_for_a_meeting_nobody_may_run(world: World) -> None:
    # A meeting written straight to the database after a move (a restore, a script): the
    # periodic reminder asks whether its runner may run it before telling anyone.
    world.rep.team = world.closers
    world.rep.save()
    stray = OneOnOne.objects.create(
        org=world.org, leader=world.leader, rep=world.rep,
        scheduled_at=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    assert remind_tomorrow(_eve(stray)) == 0 and _reminded(stray) == set()
