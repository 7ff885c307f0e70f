"""The one-on-ones of the demo story (README, "The demo story"): Sam's last and next meeting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ninety.coaching.models import Cadence, Commitment, OneOnOne
from ninety.coaching.services import (
    add_commitment,
    close_meeting,
    commitment_to_experiment,
    create_meeting,
    open_meeting,
    record_recital,
    record_talk_time,
    save_self_report,
    schedule_series,
)
from ninety.people.models import Org, Person, Role
from ninety.people.timezones import zone_of
from ninety.playbook.models import Behavior, Way
from ninety.playbook.services import current_playbook

SAM_BEFORE = (
    "Projecting down about 15% for the month.",
    "I'm having a hard time getting people to conversate with me. I lead with the price saving "
    "and they hang up in the first 20 seconds.",
)
SAM_NOW = (
    "Still projecting down 15% for the month, but the last week was better.",
    "Since our last one-on-one I open with a recent customer in their neighbourhood on most "
    "calls. More people stay on the line; I still slip back to the price hook when I'm rushed.",
)


def _at(day: date, hour: int, leader: Person) -> datetime:
    """``hour`` o'clock on the leader's wall clock (their zone, else the org's)."""
    return datetime.combine(day, time(hour, 0), tzinfo=zone_of(leader))


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def seed_demo(org: Org, as_of: date) -> OneOnOne:
    """Sam's meeting two weeks ago (4 of 10 ways recited, Sam talked 38% of the time, a
    commitment that became the running experiment) and the next one, tomorrow, with Sam's
    self-report already written. Other reps of the team get a bi-weekly series too."""
    dana = Person.objects.get(org=org, name="Dana Reyes")
    sam = Person.objects.get(org=org, name="Sam Patel")
    greeting = Behavior.objects.get(
        stage__playbook=current_playbook(org), stage__key="conversation"
    )
    ways = list(greeting.ways.filter(status=Way.Status.APPROVED).order_by("order"))
    local = next(w for w in ways if w.key == "reference-a-local-customer")

    last_day = as_of - timedelta(days=14)
    while last_day.weekday() >= 5:  # the last meeting fell on a business day
        last_day -= timedelta(days=1)
    last = create_meeting(dana, sam, scheduled_at=_at(last_day, 10, dana))
    # Typed in at that meeting: a self-report "written" two weeks ago must not reach Dana's
    # inbox and e-mail as news when the demo is built.
    save_self_report(last, by=dana, results=SAM_BEFORE[0], behaviors=SAM_BEFORE[1])
    open_meeting(last, by=dana, as_of=last_day)
    record_talk_time(last, by=dana, rep_seconds=11 * 60 + 24, leader_seconds=18 * 60 + 36)
    recited = [w for w in ways if w.key != local.key][:4]
    record_recital(last, by=dana, behavior=greeting, recited=recited)
    commitment = add_commitment(
        last,
        by=dana,
        kind=Commitment.Kind.BEHAVIOR_CHANGE,
        text="Open every call by referencing a recent local customer instead of the price hook.",
        behavior=greeting,
        way=local,
    )
    commitment_to_experiment(commitment, by=dana, start=last_day)
    close_meeting(
        last,
        by=dana,
        summary="Greeting is the gap: the price hook loses people early. Sam practises the "
        "local-customer opener; we watch connect → conversation.",
    )

    tomorrow = _next_business_day(as_of)
    schedule_series(
        dana, sam, cadence=Cadence.BIWEEKLY, weekday=tomorrow.weekday(), at=time(10, 0),
        start=tomorrow,
    )  # fmt: skip
    upcoming = OneOnOne.objects.get(leader=dana, rep=sam, status=OneOnOne.Status.SCHEDULED)
    save_self_report(upcoming, by=sam, results=SAM_NOW[0], behaviors=SAM_NOW[1])

    others = Person.objects.filter(team=sam.team, role=Role.REP).exclude(pk=sam.pk)
    for i, rep in enumerate(others.order_by("name")):
        day = as_of + timedelta(days=2 + i % 5)
        while day.weekday() >= 5:  # meetings on business days
            day += timedelta(days=1)
        schedule_series(
            dana, rep, cadence=Cadence.BIWEEKLY, weekday=day.weekday(), at=time(9 + i % 6, 0),
            start=day,
        )  # fmt: skip
    return upcoming
