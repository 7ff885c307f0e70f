"""What one-on-ones tell people: the self-report written (to whoever runs the meeting), and the
day before, the meeting itself (rep and runner) and the self-report still to write (rep)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from ninety.coaching.models import CLOSED, OneOnOne
from ninety.coaching.permissions import can_run, visible_meetings
from ninety.core.dates import when_text
from ninety.notify.models import Kind
from ninety.notify.services import Message, notify
from ninety.people.models import Person
from ninety.people.timezones import zone_of


def _sees(meeting: OneOnOne):  # type: ignore[no-untyped-def]
    return lambda person: visible_meetings(person).filter(pk=meeting.pk).exists()


def _when(meeting: OneOnOne, person: Person) -> str:
    local = timezone.localtime(meeting.scheduled_at, zone_of(person))
    return when_text(local)


def self_report_written(meeting: OneOnOne) -> None:
    """The rep wrote the self-report: whoever runs the meeting reads it before they meet."""
    runner = meeting.held_by if meeting.held_by_id else meeting.leader
    notify(
        Kind.SELF_REPORT_WRITTEN, [runner], org_id=meeting.org_id,
        key=f"self_report_written:{meeting.pk}", about=[meeting.rep], may_see=_sees(meeting),
        message=Message(
            f"{meeting.rep.name} wrote the self-report for your one-on-one",
            f"The meeting is on {_when(meeting, runner)}.",
            reverse("one-on-one", kwargs={"meeting_id": meeting.pk}),
        ),
    )  # fmt: skip


def _tomorrow(meeting: OneOnOne) -> int:
    url = reverse("one-on-one", kwargs={"meeting_id": meeting.pk})
    runner = meeting.held_by if meeting.held_by_id else meeting.leader
    stamp = f"{meeting.pk}:{meeting.scheduled_at:%Y%m%d%H%M}"  # a moved meeting reminds again
    sent = 0
    for person, other in ((meeting.rep, runner), (runner, meeting.rep)):
        sent += len(
            notify(
                Kind.ONE_ON_ONE_TOMORROW, [person], org_id=meeting.org_id,
                key=f"one_on_one_tomorrow:{stamp}", about=[meeting.rep], may_see=_sees(meeting),
                message=Message(f"One-on-one with {other.name} tomorrow",
                                _when(meeting, person), url),
            )
        )  # fmt: skip
    if not (meeting.self_results or meeting.self_behaviors):
        sent += len(
            notify(
                Kind.SELF_REPORT_DUE, [meeting.rep], org_id=meeting.org_id,
                key=f"self_report_due:{stamp}", about=[meeting.rep], may_see=_sees(meeting),
                message=Message(
                    "Write your self-report before tomorrow's one-on-one",
                    "Your results and projection, and the behaviors and processes behind them.",
                    url,
                ),
            )
        )  # fmt: skip
    return sent


def remind_tomorrow(as_of: date, org_id: int | None = None) -> int:
    """Every meeting not done that falls on the day after ``as_of`` (the server's calendar
    day), of one org when ``org_id`` is given (the demo's build: a customer's org beside it is
    not its to remind): its reminders, once each, however often this runs. Returns how many
    were written."""
    start = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
    meetings = (
        OneOnOne.objects.filter(scheduled_at__gte=start, scheduled_at__lt=start + timedelta(1))
        .exclude(status__in=CLOSED)
        .select_related("rep", "leader", "held_by")
    )
    if org_id is not None:
        meetings = meetings.filter(org_id=org_id)
    # A meeting nobody may run (its leader no longer leads the rep) reminds no one.
    return sum(_tomorrow(m) for m in meetings if can_run(m.held_by or m.leader, m))
