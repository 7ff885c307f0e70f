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
from ninety.core.periods import Period
from ninety.diagnosis.services import rep_report
from ninety.diagnosis.templatetags.ninety_format import money
from ninety.people.models import Org, Person, Role
from ninety.people.timezones import zone_of
from ninety.playbook.models import Behavior, Way
from ninety.playbook.services import current_playbook

#: What Sam says about his behaviors (his results are said from his figures: results_in_words).
SAM_BEFORE = (
    "I'm having a hard time getting people to conversate with me. I lead with the price saving "
    "and they hang up in the first 20 seconds."
)
SAM_NOW = (
    "Since our last one-on-one I open with a recent customer in their neighbourhood on more of "
    "my calls, and more people stay on the line; I still slip back to the price hook when I'm "
    "rushed."
)
#: Up to this business day of the month a rep does not call the month from a projection.
EARLY_DAYS = 5


def results_in_words(rep: Person, day: date) -> str:
    """Sam's "results and projection" as he would say them on ``day``, from the figures the
    pages show beside it (his pace that day), never a fixed "down 15 %" next to a +43 %
    projection: early in the month "too early to call", else up or down about N % (to 5 %)."""
    report = rep_report(rep, Period.of(day), day)
    mine = report.for_person(rep.pk)
    assert mine is not None
    pace, progress = mine.pace, report.progress
    won = f"{money(pace.won_to_date)} won so far"  # as the pages write money
    if pace.vs_quota_pct is None or pace.quota is None:
        return f"No quota for the month yet; {won}."
    quota = money(pace.quota)
    low, high = pace.low_vs_quota_pct or 0.0, pace.high_vs_quota_pct or 0.0
    if progress is not None and progress.done <= EARLY_DAYS:
        side = (
            "it could land either side of quota"
            if low < 0 < high
            else "it looks above quota"
            if low >= 0
            else "it looks below quota"
        )
        return f"Too early to call the month: {won} of my {quota} quota, and {side}."
    about = 5 * round(abs(pace.vs_quota_pct) / 5)
    if about == 0:
        return f"Projecting about even with my {quota} quota for the month ({won})."
    direction = "up" if pace.vs_quota_pct > 0 else "down"
    return f"Projecting {direction} about {about}% for the month ({won} of {quota})."


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
    save_self_report(last, by=dana, results=results_in_words(sam, last_day), behaviors=SAM_BEFORE)
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
    save_self_report(upcoming, by=sam, results=results_in_words(sam, as_of), behaviors=SAM_NOW)

    others = Person.objects.filter(team=sam.team, role=Role.REP).exclude(pk=sam.pk)
    for rep, (day, hour) in zip(others.order_by("name"), _free_slots(as_of), strict=False):
        schedule_series(
            dana, rep, cadence=Cadence.BIWEEKLY, weekday=day.weekday(), at=time(hour, 0),
            start=day,
        )  # fmt: skip
    return upcoming


def _free_slots(as_of: date) -> list[tuple[date, int]]:
    """Dana's other one-on-ones: the five business days after tomorrow, one rep a day before a
    second one, never at Sam's 10:00 (each weekday and hour once: she is never double-booked)."""
    days, day = [], _next_business_day(_next_business_day(as_of))
    while len(days) < 5:
        days.append(day)
        day = _next_business_day(day)
    return [(d, hour) for hour in (9, 11, 14, 16) for d in days]
