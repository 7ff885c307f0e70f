"""Scheduling, running and closing a one-on-one through the services."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from ninety.coaching import services
from ninety.coaching.models import Cadence, Commitment, OneOnOne, PrivateNote
from ninety.coaching.queries import due_for, history_for, open_commitments, private_note
from ninety.playbook.models import Behavior, DiagnosticQuestion, Way
from tests.coaching.conftest import AS_OF, MEETING_DAY
from tests.conftest import World


def _greeting(meeting: OneOnOne) -> Behavior:
    return Behavior.objects.get(
        stage__playbook__org_id=meeting.org_id, stage__key="conversation", stage__order=1
    )


def test_it_finds_the_next_date_on_a_weekday() -> None:
    assert services.next_on_weekday(date(2026, 11, 27), 4) == date(2026, 11, 27)  # a Friday
    assert services.next_on_weekday(date(2026, 11, 28), 0) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        (Cadence.WEEKLY, date(2026, 12, 4)),
        (Cadence.BIWEEKLY, date(2026, 12, 11)),
        (Cadence.MONTHLY, date(2026, 12, 28)),  # 27 Dec is a Sunday: the Monday after
    ],
)
def test_it_advances_by_the_cadence(cadence: str, expected: date) -> None:
    weekday = 0 if cadence == Cadence.MONTHLY else 4
    assert services.advance(date(2026, 11, 27), cadence, weekday) == expected


def test_scheduling_creates_the_first_meeting(world: World, meeting: OneOnOne) -> None:
    assert meeting.status == OneOnOne.Status.SCHEDULED
    assert meeting.scheduled_at.date() == MEETING_DAY
    assert meeting.leader == world.leader and meeting.rep == world.rep
    # Re-scheduling the pair moves the upcoming meeting instead of adding a second series.
    services.schedule_series(world.leader, world.rep, weekday=0, at=time(9, 0), start=MEETING_DAY)
    assert OneOnOne.objects.filter(rep=world.rep).count() == 1
    assert OneOnOne.objects.get(rep=world.rep).scheduled_at.date() == date(2026, 11, 30)


def test_it_rejects_scheduling_a_rep_the_leader_does_not_lead(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.schedule_series(world.other_leader, world.rep)
    with pytest.raises(PermissionDenied):
        services.schedule_series(world.rep, world.teammate)
    assert not OneOnOne.objects.exists()


def test_only_the_runner_opens_and_writes(world: World, meeting: OneOnOne) -> None:
    for who in (world.rep, world.director, world.admin, world.other_leader):
        with pytest.raises(PermissionDenied):
            services.record_talk_time(meeting, by=who, rep_seconds=1, leader_seconds=1)
        with pytest.raises(PermissionDenied):
            services.save_notes(meeting, by=who, private="mine")
    assert not PrivateNote.objects.exists()


def test_a_delegate_holds_the_meeting_on_the_leaders_behalf(world: World, meeting) -> None:
    services.delegate_meeting(meeting, by=world.leader, delegate=world.teammate)  # high-potential
    services.open_meeting(meeting, by=world.teammate, as_of=AS_OF)
    services.save_notes(meeting, by=world.teammate, private="delegate's memo")
    services.save_notes(meeting, by=world.leader, private="leader's memo")
    assert private_note(meeting, world.teammate) == "delegate's memo"
    assert private_note(meeting, world.leader) == "leader's memo"
    assert private_note(meeting, world.rep) == private_note(meeting, world.director) == ""
    with pytest.raises(services.CoachingError):
        services.delegate_meeting(meeting, by=world.leader, delegate=world.rep)


def test_the_rep_writes_the_self_report_until_the_meeting_is_closed(world: World, meeting):
    services.save_self_report(meeting, by=world.rep, results="−15%", behaviors="Greeting")
    assert meeting.self_results == "−15%"
    with pytest.raises(PermissionDenied):
        services.save_self_report(meeting, by=world.teammate, results="x", behaviors="y")
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    services.close_meeting(meeting, by=world.leader, summary="Done")
    with pytest.raises(PermissionDenied):
        services.save_self_report(meeting, by=world.rep, results="later", behaviors="")


def test_talk_time_rejects_a_runaway_timer(world: World, meeting: OneOnOne) -> None:
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    services.record_talk_time(meeting, by=world.leader, rep_seconds=90, leader_seconds=30)
    assert meeting.talk_share == pytest.approx(0.75)
    with pytest.raises(services.CoachingError):
        services.record_talk_time(meeting, by=world.leader, rep_seconds=-1, leader_seconds=0)
    with pytest.raises(services.CoachingError):
        services.record_talk_time(meeting, by=world.leader, rep_seconds=9 * 3600, leader_seconds=0)
    meeting.refresh_from_db()
    assert (meeting.talk_rep_seconds, meeting.talk_leader_seconds) == (90, 30)


def test_a_whole_meeting_feeds_the_next_one_and_the_history(world: World, meeting) -> None:
    leader = world.leader
    services.open_meeting(meeting, by=leader, as_of=AS_OF)
    behavior = _greeting(meeting)
    ways = list(behavior.ways.filter(status=Way.Status.APPROVED).order_by("order"))
    recital = services.record_recital(
        meeting, by=leader, behavior=behavior, recited=ways[:4], new_ways=["Mention the neighbour"]
    )
    assert (recital.recited_count, recital.ways_total) == (4, len(ways))
    proposed = recital.proposed.get()
    assert (proposed.status, proposed.author, proposed.source) == ("proposed", world.rep, "rep")
    question = DiagnosticQuestion.objects.filter(behavior=behavior).first()
    services.answer_question(meeting, by=leader, question=question, holds=True, note="rushed")
    c = services.add_commitment(
        meeting, by=leader, kind=Commitment.Kind.BEHAVIOR_CHANGE, text="Use way 3", way=ways[2]
    )
    assert c.behavior == behavior
    services.record_talk_time(meeting, by=leader, rep_seconds=380, leader_seconds=620)
    services.close_meeting(meeting, by=leader, summary="Greeting: slow down.")
    nxt = OneOnOne.objects.exclude(pk=meeting.pk).get(rep=world.rep)
    assert nxt.status == OneOnOne.Status.SCHEDULED
    assert nxt.scheduled_at > meeting.scheduled_at
    assert open_commitments(nxt) == [c]
    services.open_meeting(nxt, by=leader, as_of=AS_OF + timedelta(days=7))
    assert nxt.prep["last_meeting"]["commitments"][0]["text"] == "Use way 3"
    services.review_commitment(c, by=leader, meeting=nxt, kept=True)
    (row,) = history_for(world.rep)
    assert (row.recited, row.ways_total, row.commitments, row.kept) == (4, len(ways), 1, 1)
    assert row.talk_share == pytest.approx(0.38)
    assert row.url == f"/one-on-ones/{meeting.pk}/summary/"


def test_due_for_lists_upcoming_and_overdue_meetings(world: World, meeting) -> None:
    (due,) = due_for(world.leader, MEETING_DAY - timedelta(days=1))
    assert (due.rep, due.phrase, due.url) == (world.rep, "tomorrow", f"/one-on-ones/{meeting.pk}/")
    assert due_for(world.leader, MEETING_DAY + timedelta(days=3))[0].phrase == "overdue by 3 days"
    assert due_for(world.leader, MEETING_DAY - timedelta(days=10)) == []
    assert due_for(world.other_leader, MEETING_DAY) == []


def test_a_commitment_becomes_an_experiment(world: World, meeting) -> None:
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    way = _greeting(meeting).ways.filter(status=Way.Status.APPROVED).first()
    c = services.add_commitment(meeting, by=world.leader, kind="behavior_change",
                                text="Open with the local customer", way=way)  # fmt: skip
    experiment_id = services.commitment_to_experiment(c, by=world.leader, start=AS_OF)
    from ninety.experiments.models import Experiment

    experiment = Experiment.objects.get(pk=experiment_id)
    assert list(experiment.subjects.all()) == [world.rep]
    assert experiment.metric == "conversation" and experiment.way == way
    assert services.commitment_to_experiment(c, by=world.leader) == experiment_id  # idempotent
