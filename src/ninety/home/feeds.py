"""A person's calendar feed (``/calendar/<token>.ics``): their one-on-ones, the delegated
sessions they gave or hold, and the weekly check-ins of their running experiments.

The token is the only authentication (calendar apps send no cookie), so it is checked in
constant time (:func:`ninety.notify.services.feed_owner`) and every query below goes through
the same gates as the pages: the feed never holds what its owner could not open. Built with
the icalendar library; each event keeps its UID, so a moved meeting moves in the calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from ninety.coaching.ics import clean
from ninety.coaching.models import OneOnOne
from ninety.coaching.permissions import visible_meetings
from ninety.conf import now_as_served, today
from ninety.core.dates import day_text
from ninety.delegation.access import visible_delegations
from ninety.delegation.models import Delegation
from ninety.experiments.models import Experiment
from ninety.experiments.queries import visible_experiments
from ninety.notify.services import feed_owner
from ninety.people.models import Person

#: How far back the feed reaches (calendars keep what they already have).
PAST_DAYS = 60
#: How far ahead experiment check-ins are written.
CHECKIN_DAYS_AHEAD = 56


def _event(uid: str, summary: str, description: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", clean(summary))
    event.add("description", clean(description))
    event.add("url", url)
    return event


def _meetings(cal: Calendar, person: Person, base: str, host: str, now: datetime) -> None:
    mine = Q(rep=person) | Q(leader=person) | Q(held_by=person)
    meetings = (
        visible_meetings(person)
        .filter(mine, scheduled_at__gte=now_as_served() - timedelta(days=PAST_DAYS))
        .select_related("rep", "leader", "held_by")
        .order_by("scheduled_at", "pk")
    )
    for m in meetings:
        url = base + reverse("one-on-one", kwargs={"meeting_id": m.pk})
        runner = m.held_by if m.held_by_id else m.leader
        event = _event(
            f"one-on-one-{m.pk}@{host}",
            f"One-on-one: {m.rep.name} with {runner.name}",
            f"{m.rep.name} talks most: results and projection, then the behaviors and processes "
            f"behind them. Self-report and prep: {url}",
            url, now,
        )  # fmt: skip
        event.add("dtstart", m.scheduled_at)
        event.add("dtend", m.scheduled_at + timedelta(minutes=m.duration_minutes))
        # Same UID, CANCELLED: a subscribed calendar drops the meeting instead of keeping it.
        cancelled = m.status == OneOnOne.Status.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        cal.add_component(event)


def _all_day(event: Event, day: date) -> Event:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    return event


def _delegations(cal: Calendar, person: Person, base: str, host: str, now: datetime) -> None:
    sessions = (
        visible_delegations(person)
        .filter(Q(delegate=person) | Q(delegated_by=person), task__due__isnull=False)
        .filter(status__in=[Delegation.Status.OPEN, Delegation.Status.REPORTED])
        .select_related("task", "delegate", "delegated_by", "coachee")
    )
    for d in sessions:
        about = f" with {d.coachee.name}" if d.coachee_id else ""
        event = _event(
            f"delegation-{d.pk}@{host}",
            f"Delegated: {d.task.title}{about}",
            f"{d.delegated_by.name} delegated this to {d.delegate.name}; due "
            f"{day_text(d.task.due)}. Expectations and outcome: {base}{reverse('delegation')}",
            base + reverse("delegation") + f"#delegation-{d.pk}", now,
        )  # fmt: skip
        cal.add_component(_all_day(event, d.task.due))


def checkin_days(start: date, today: date, planned_end: date | None) -> list[date]:
    """Weekly check-ins from an experiment's start, from two weeks back to eight ahead, and
    none after its planned end."""
    last = today + timedelta(days=CHECKIN_DAYS_AHEAD)
    if planned_end is not None:
        last = min(last, planned_end)
    first = max(start + timedelta(days=7), today - timedelta(days=14))
    weeks = max(0, -(-(first - start).days // 7))
    days = []
    day = start + timedelta(days=7 * weeks)
    while day <= last:
        days.append(day)
        day += timedelta(days=7)
    return days


def _experiments(cal: Calendar, person: Person, base: str, host: str, now: datetime) -> None:
    running = (
        visible_experiments(person)
        .filter(Q(created_by=person) | Q(subjects=person), status=Experiment.Status.RUNNING)
        .distinct()
    )
    day_served = today()  # the pages' today (NINETY_TODAY), not the clock's
    for e in running:
        url = base + e.get_absolute_url()
        for day in checkin_days(e.start, day_served, e.planned_end):
            event = _event(
                f"experiment-{e.pk}-{day:%Y%m%d}@{host}",
                f"Experiment check-in: {e.hypothesis[:80]}",
                f"Read the verdict so far and what moved: {url}", url, now,
            )  # fmt: skip
            cal.add_component(_all_day(event, day))


def feed(person: Person, *, base: str, host: str, now: datetime | None = None) -> bytes:
    """The person's calendar as iCalendar bytes. ``now`` stamps the events (DTSTAMP, the real
    clock); which days it holds follow the served day (:func:`ninety.conf.today`)."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Ninety//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", clean(f"Ninety: {person.name}"))
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for part in (_meetings, _delegations, _experiments):
        part(cal, person, base, host, now)
    return cal.to_ical()


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar app polls: a wrong, reset or revoked token is a plain 404."""
    person = feed_owner(token)
    if person is None:
        raise Http404("No such calendar feed.")
    base = request.build_absolute_uri("/").rstrip("/")
    body = feed(person, base=base, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="ninety.ics"'
    return response
