"""The demo story's delegation and attention (README, "The demo story").

Dana Reyes delegated a coaching session for Sam Patel to high-potential Alex Kim with the
expectations "greeting: compelling reason; tone"; Alex has reported back and the outcome waits
for Dana's review. Dana's week (the ISO week of ``as_of``) is imported from a generated Google
Calendar export, plus one typed-in block: 55% behavior & process, 25% results, 20% tactical,
with "Weekly schedule building" (2 h) and "Report review" (1.5 h) suggested for delegation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from ninety.core.attention import BEHAVIOR, IsoWeek
from ninety.delegation import services
from ninety.delegation.models import Delegation, Rating, TacticalTask, TaskCategory
from ninety.people.models import Org, Person
from ninety.playbook.models import Behavior, Stage

TZ = "America/Los_Angeles"
GREETING_STAGE = "conversation"
GREETING_BEHAVIOR = "compelling-reason-to-speak"

# (title, weekdays, start, minutes, weekly since three weeks before the story week?)
# Monday = 0. Minutes per category in the story week: behavior 1200 here + 120 typed in = 1320,
# results 600, tactical 480 — of 2400: 55% / 25% / 20%.
EVENTS: tuple[tuple[str, tuple[int, ...], str, int, bool], ...] = (
    ("Morning huddle", (0, 1, 2, 3, 4), "08:00", 36, True),
    ("Weekly schedule building", (0,), "09:00", 120, True),
    ("Pipeline review", (0, 2, 4), "11:00", 60, True),
    ("Team one-on-ones", (0, 2, 4), "13:00", 120, True),
    ("Call review & coaching", (0, 1, 2, 3, 4), "15:30", 60, True),
    ("Report review", (0, 2, 4), "16:30", 30, True),
    ("Ride-along: greeting calls", (1, 3), "09:00", 180, True),
    ("Quota & results review", (1,), "13:00", 180, True),
    ("Forecast call with Morgan", (3,), "13:00", 120, True),
    ("Hiring interview", (1,), "17:00", 90, False),
    ("Team offsite logistics", (2,), "12:00", 60, False),
    ("Expense approvals", (3,), "16:30", 60, False),
    ("Month-end numbers", (4,), "09:00", 120, False),
    ("Employee concern: Jordan's schedule", (4,), "12:00", 60, False),
)
# Tuesday's call review moves to 16:00 in the story week (a RECURRENCE-ID exception).
MOVED = ("Call review & coaching", 1, "16:00")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:America/Los_Angeles
BEGIN:DAYLIGHT
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
TZNAME:PDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
TZNAME:PST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE"""


def _local(day: date, hhmm: str) -> str:
    return f"{day:%Y%m%d}T{hhmm.replace(':', '')}00"


def demo_ics(week: IsoWeek) -> str:
    """A Google-Calendar-style export of Dana's calendar: three weeks of history and ``week``."""
    first_monday = week.start - timedelta(weeks=3)
    until = datetime.combine(week.end, time.min, tzinfo=UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:dana.reyes@acme.example",
        f"X-WR-TIMEZONE:{TZ}",
        VTIMEZONE,
    ]
    stamp = f"{until:%Y%m%dT%H%M%SZ}"
    for n, (title, days, start, minutes, weekly) in enumerate(EVENTS):
        monday = first_monday if weekly else week.start
        day = monday + timedelta(days=days[0])
        begin = datetime.strptime(_local(day, start), "%Y%m%dT%H%M%S")
        end = begin + timedelta(minutes=minutes)
        uid = f"demo-{n}@ninety.example"
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID={TZ}:{begin:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={TZ}:{end:%Y%m%dT%H%M%S}",
        ]
        if weekly:
            byday = ",".join(DAYS[d] for d in days)
            lines.append(f"RRULE:FREQ=WEEKLY;WKST=MO;BYDAY={byday};UNTIL={stamp}")
        lines += [f"DTSTAMP:{stamp}", f"UID:{uid}", f"SUMMARY:{title}", "END:VEVENT"]
        if title == MOVED[0]:
            moved_day = week.start + timedelta(days=MOVED[1])
            new_start = datetime.strptime(_local(moved_day, MOVED[2]), "%Y%m%dT%H%M%S")
            lines += [
                "BEGIN:VEVENT",
                f"DTSTART;TZID={TZ}:{new_start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={TZ}:{new_start + timedelta(minutes=minutes):%Y%m%dT%H%M%S}",
                f"RECURRENCE-ID;TZID={TZ}:{_local(moved_day, start)}",
                f"DTSTAMP:{stamp}",
                f"UID:{uid}",
                f"SUMMARY:{title}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class DemoDelegation:
    delegation: Delegation
    week: IsoWeek
    import_summary: services.ImportSummary


@transaction.atomic
def seed_demo(org: Org, as_of: date) -> DemoDelegation:
    """Tasks, the delegation to Alex (outcome reported), and Dana's week of time."""
    dana = Person.objects.get(org=org, name="Dana Reyes")
    sam = Person.objects.get(org=org, name="Sam Patel")
    alex = Person.objects.get(org=org, name="Alex Kim")
    if not alex.high_potential:
        Person.objects.filter(pk=alex.pk).update(high_potential=True)
        alex.high_potential = True
    stage = (
        Stage.objects.filter(playbook__org=org, playbook__status="published", key=GREETING_STAGE)
        .order_by("-playbook__version")
        .first()
    )
    behaviors = list(Behavior.objects.filter(stage=stage, key=GREETING_BEHAVIOR)) if stage else []

    coaching = services.create_task(
        dana,
        "Coach Sam on the greeting",
        category=TaskCategory.COACHING,
        due=as_of - timedelta(days=1),
        estimated_minutes=60,
    )
    delegation = services.delegate_task(
        coaching,
        dana,
        alex,
        coachee=sam,
        focus_stage=stage,
        behaviors=behaviors,
        process_steps=["tone"],
    )
    ratings = {f"b{b.pk}": (Rating.PARTLY, "Better after the second call") for b in behaviors}
    ratings["s0"] = (
        Rating.PARTLY,
        "Warmer once we practised; still rushed in the first 20 seconds",
    )
    services.record_outcome(
        delegation,
        alex,
        ratings=ratings,
        notes=(
            "Listened to his recorded calls with him. Sam opens with the price hook; we "
            "practised the local customer reference. Slow down and smile on the first sentence."
        ),
    )
    services.create_task(
        dana,
        "Onboarding plan for the new hire",
        category=TaskCategory.TRAINING,
        due=as_of + timedelta(days=7),
        estimated_minutes=90,
    )
    done = services.create_task(
        dana, "Answer Jordan's schedule concern", category=TaskCategory.EMPLOYEE_CONCERNS
    )
    TacticalTask.objects.filter(pk=done.pk).update(status=TacticalTask.Status.DONE)

    week = IsoWeek.of(as_of)
    summary = services.import_calendar(
        dana, demo_ics(week), since=week.start - timedelta(weeks=3), until=week.end
    )
    # Typed in by Dana: the greeting workshop was not in her calendar.
    workshop = datetime.combine(week.start + timedelta(days=2), time(9), tzinfo=ZoneInfo(TZ))
    services.add_time_entry(dana, workshop, 120, BEHAVIOR, "Playbook: greeting ways workshop")
    return DemoDelegation(delegation, week, summary)
