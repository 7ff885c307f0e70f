"""Writes to one-on-ones go through these functions (views, API and tests call them).

Each checks that ``by`` may make the change, so a caller that forgets its own check still
cannot write a meeting it does not run; views check first anyway to answer 403/404 cleanly.
"""

from __future__ import annotations

import calendar
import time as clock
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ninety.coaching.models import (
    CLOSED,
    MEETING_GRANT,
    Cadence,
    Commitment,
    DrillDownAnswer,
    OneOnOne,
    OneOnOneSeries,
    PrivateNote,
    Recital,
)
from ninety.coaching.notifications import self_report_written
from ninety.coaching.permissions import can_run, can_schedule, can_self_report, leads_meeting
from ninety.coaching.prep import build_prep
from ninety.conf import today
from ninety.core.dates import day_text
from ninety.experiments.services import ExperimentError, start_experiment
from ninety.people import grants
from ninety.people.models import Person
from ninety.people.permissions import still_managed
from ninety.people.timezones import zone_of
from ninety.playbook.models import Behavior, DiagnosticQuestion, Way
from ninety.playbook.services import PlaybookError, propose_way

#: A talk-time figure above this is a timer left running, not a meeting.
MAX_TALK_SECONDS = 8 * 3600


class CoachingError(ValueError):
    """A change that cannot be made; the message says why, for the person."""


def _require_runner(meeting: OneOnOne, by: Person) -> None:
    if not can_run(by, meeting):
        raise PermissionDenied("Only the leader or the delegate holding it runs this one-on-one.")


def _require_open(meeting: OneOnOne) -> None:
    if meeting.status == OneOnOne.Status.CANCELLED:
        raise CoachingError("This one-on-one was cancelled: the rep has another leader now.")
    if meeting.status == OneOnOne.Status.DONE:
        raise CoachingError("This one-on-one is closed.")


# -- scheduling ------------------------------------------------------------------------------------


def next_on_weekday(day: date, weekday: int) -> date:
    """The first date on or after ``day`` that falls on ``weekday`` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def advance(day: date, cadence: str, weekday: int) -> date:
    """The meeting after the one on ``day``: a week, two weeks, or a calendar month later."""
    if cadence == Cadence.WEEKLY:
        return day + timedelta(days=7)
    if cadence == Cadence.BIWEEKLY:
        return day + timedelta(days=14)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    same = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return next_on_weekday(same, weekday)


def _at(day: date, at: time, leader: Person) -> datetime:
    """A series' time of day is the leader's wall-clock time (their zone, else the org's)."""
    return datetime.combine(day, at, tzinfo=zone_of(leader))


@transaction.atomic
def schedule_series(
    leader: Person,
    rep: Person,
    *,
    cadence: str = Cadence.WEEKLY,
    weekday: int = 0,
    at: time = time(10, 0),
    start: date | None = None,
    duration_minutes: int = 30,
) -> OneOnOneSeries:
    """Meet ``rep`` on a cadence from ``start``; re-scheduling a pair moves its next meeting."""
    if not can_schedule(leader, rep):
        raise PermissionDenied("You schedule one-on-ones with the reps you lead.")
    if cadence not in Cadence.values:
        raise CoachingError(f"Cadence must be one of {', '.join(Cadence.values)}.")
    if not 0 <= weekday <= 6:
        raise CoachingError("Weekday must be 0 (Monday) to 6 (Sunday).")
    if not 5 <= duration_minutes <= 240:
        raise CoachingError("A one-on-one lasts 5 to 240 minutes.")
    first = next_on_weekday(start or today(), weekday)
    series, _ = OneOnOneSeries.objects.update_or_create(
        leader=leader,
        rep=rep,
        active=True,
        defaults={
            "org_id": rep.org_id,
            "cadence": cadence,
            "weekday": weekday,
            "time": at,
            "duration_minutes": duration_minutes,
            "next_due": first,
        },
    )
    upcoming = series.meetings.filter(status=OneOnOne.Status.SCHEDULED).first()
    if upcoming is None:
        OneOnOne.objects.create(
            org_id=rep.org_id, series=series, leader=leader, rep=rep,
            scheduled_at=_at(first, at, leader), duration_minutes=duration_minutes,
        )  # fmt: skip
    else:
        upcoming.scheduled_at = _at(first, at, leader)
        upcoming.duration_minutes = duration_minutes
        upcoming.save(update_fields=["scheduled_at", "duration_minutes"])
    return series


@transaction.atomic
def end_out_of_reach(org_id: int) -> int:
    """End what a leader can no longer run after the roster changed (the rep moved team, the
    team has a new leader): their series with the rep ends and its meetings not yet opened are
    cancelled, one under way too (nobody may close it any more: it would stay open for ever);
    the rows stay, with their notes, as history. A meeting a delegate holds stays theirs (the
    grant runs it). Returns how many meetings were cancelled.

    It runs on every roster save: a fixed number of queries whatever the org's size, and the
    rows to end are updated by id, in chunks (SQLite takes no WHERE of a thousand ORed pairs)."""
    series = OneOnOneSeries.objects.filter(org_id=org_id, active=True)
    open_ = (OneOnOne.Status.SCHEDULED, OneOnOne.Status.IN_PROGRESS)
    pending = OneOnOne.objects.filter(org_id=org_id, status__in=open_).filter(
        Q(held_by__isnull=True) | Q(held_by=F("leader"))
    )
    series_rows = list(series.values_list("pk", "leader_id", "rep_id"))
    meeting_rows = list(pending.values_list("pk", "leader_id", "rep_id"))
    pairs = {(lead, rep) for _, lead, rep in series_rows + meeting_rows}
    if not pairs:
        return 0
    lost = pairs - still_managed(org_id, pairs)
    if not lost:
        return 0
    ended = [pk for pk, lead, rep in series_rows if (lead, rep) in lost]
    cancelled = [pk for pk, lead, rep in meeting_rows if (lead, rep) in lost]
    now, n = timezone.now(), 0
    for i in range(0, max(len(ended), len(cancelled)), SWEEP_CHUNK):
        series.filter(pk__in=ended[i : i + SWEEP_CHUNK]).update(active=False)
        n += pending.filter(pk__in=cancelled[i : i + SWEEP_CHUNK]).update(
            status=OneOnOne.Status.CANCELLED, closed_at=now
        )
    return n


#: Rows the roster sweep updates per statement (well under any database's bound on parameters).
SWEEP_CHUNK = 500


@transaction.atomic
def delegate_meeting(meeting: OneOnOne, *, by: Person, delegate: Person | None) -> OneOnOne:
    """The leader hands the meeting to another leader or a high-potential rep (or takes it back)."""
    if not leads_meeting(by, meeting):
        raise PermissionDenied("Only the rep's leader delegates this one-on-one.")
    _require_open(meeting)
    if delegate is not None and delegate.pk == meeting.rep_id:
        raise CoachingError("The rep cannot hold their own one-on-one.")
    if delegate is not None and delegate.org_id != meeting.org_id:
        raise CoachingError("The delegate must be someone else in your org.")
    if delegate is not None and delegate.role == "rep" and not delegate.high_potential:
        raise CoachingError("Delegate to another leader or a high-potential rep.")
    meeting.held_by = delegate
    meeting.save(update_fields=["held_by"])
    if delegate is None or delegate.pk == meeting.leader_id:
        grants.end(MEETING_GRANT, meeting.pk)
    else:  # the delegate reads this meeting (not the rep's other pages) until it is closed
        grants.grant(MEETING_GRANT, meeting.pk, grantee=delegate, subject=meeting.rep,
                     sees_person=False)  # fmt: skip
    return meeting


# -- the meeting -----------------------------------------------------------------------------------


@transaction.atomic
def open_meeting(meeting: OneOnOne, *, by: Person, as_of: date | None = None) -> OneOnOne:
    """Start the meeting: generate the prep sheet from today's data and keep it with the meeting."""
    _require_runner(meeting, by)
    _require_open(meeting)
    if meeting.status == OneOnOne.Status.IN_PROGRESS and meeting.prep is not None:
        return meeting
    started = clock.perf_counter()
    prep = build_prep(meeting, as_of or today())
    meeting.prep_ms = round(1000 * (clock.perf_counter() - started))
    meeting.prep = prep
    focus = prep.get("focus") or {}
    meeting.focus_stage = focus.get("key") or ""
    meeting.focus_label = focus.get("label") or ""
    meeting.focus_certainty = focus.get("certainty")
    meeting.status = OneOnOne.Status.IN_PROGRESS
    meeting.opened_at = timezone.now()
    meeting.held_by_id = meeting.held_by_id or by.pk
    meeting.save()
    return meeting


def save_self_report(meeting: OneOnOne, *, by: Person, results: str, behaviors: str) -> OneOnOne:
    """The rep's words: results and projection, and the behaviors and processes behind them.

    The rep writes it before the meeting; the person running it may type what the rep says.
    """
    if not (can_self_report(by, meeting) or can_run(by, meeting)):
        raise PermissionDenied("Only the rep (or whoever runs the meeting) writes the self-report.")
    _require_open(meeting)
    meeting.self_results = results.strip()
    meeting.self_behaviors = behaviors.strip()
    meeting.self_report_at = timezone.now()
    meeting.save(update_fields=["self_results", "self_behaviors", "self_report_at"])
    if by.pk == meeting.rep_id and (meeting.self_results or meeting.self_behaviors):
        self_report_written(meeting)
    return meeting


def record_talk_time(
    meeting: OneOnOne, *, by: Person, rep_seconds: int, leader_seconds: int
) -> OneOnOne:
    """Store the running totals of who talked (totals, not increments: safe to resend)."""
    _require_runner(meeting, by)
    _require_open(meeting)
    for name, value in (("rep", rep_seconds), ("leader", leader_seconds)):
        if not 0 <= value <= MAX_TALK_SECONDS:
            raise CoachingError(f"The {name}'s talk time must be 0 to 8 hours.")
    meeting.talk_rep_seconds = int(rep_seconds)
    meeting.talk_leader_seconds = int(leader_seconds)
    meeting.save(update_fields=["talk_rep_seconds", "talk_leader_seconds"])
    return meeting


def answer_question(
    meeting: OneOnOne, *, by: Person, question: DiagnosticQuestion, holds: bool | None, note: str
) -> DrillDownAnswer:
    """Does the hypothesis hold (yes / no / not answered), with a note."""
    _require_runner(meeting, by)
    _require_open(meeting)
    if question.behavior.stage.playbook.org_id != meeting.org_id:
        raise CoachingError("That question is not in your playbook.")
    answer, _ = DrillDownAnswer.objects.update_or_create(
        meeting=meeting,
        question=question,
        defaults={
            "text": question.text,
            "behavior_name": question.behavior.name,
            "holds": holds,
            "note": note.strip(),
        },
    )
    return answer


@transaction.atomic
def record_recital(
    meeting: OneOnOne,
    *,
    by: Person,
    behavior: Behavior,
    recited: Iterable[Way],
    new_ways: Iterable[str] = (),
) -> Recital:
    """The ways of ``behavior`` the rep recited; ways the rep adds become proposed ways."""
    _require_runner(meeting, by)
    _require_open(meeting)
    if behavior.stage.playbook.org_id != meeting.org_id:
        raise CoachingError("That behavior is not in your playbook.")
    approved = {w.pk: w for w in behavior.ways.filter(status=Way.Status.APPROVED)}
    recited = list(recited)
    if any(w.pk not in approved for w in recited):
        raise CoachingError("Tick only approved ways of the behavior under discussion.")
    recital, _ = Recital.objects.update_or_create(
        meeting=meeting,
        behavior=behavior,
        defaults={
            "behavior_name": behavior.name,
            "ways_total": len(approved),
            "recited_count": len({w.pk for w in recited}),
        },
    )
    recital.recited.set(recited)
    for text in new_ways:
        if text.strip():
            try:
                recital.proposed.add(propose_way(meeting.rep, behavior, text))
            except PlaybookError as exc:
                raise CoachingError(str(exc)) from exc
    return recital


def add_commitment(
    meeting: OneOnOne,
    *,
    by: Person,
    kind: str,
    text: str,
    behavior: Behavior | None = None,
    way: Way | None = None,
) -> Commitment:
    _require_runner(meeting, by)
    _require_open(meeting)
    text = " ".join(text.split())
    if not text:
        raise CoachingError("Write the commitment in a sentence.")
    if kind not in Commitment.Kind.values:
        raise CoachingError(f"Kind must be one of {', '.join(Commitment.Kind.values)}.")
    if way is not None:
        behavior = behavior or way.behavior
        if way.behavior_id != behavior.pk:
            raise CoachingError("That way belongs to another behavior.")
    if behavior is not None and behavior.stage.playbook.org_id != meeting.org_id:
        raise CoachingError("That behavior is not in your playbook.")
    return Commitment.objects.create(
        meeting=meeting, kind=kind, text=text, behavior=behavior, way=way
    )


def review_commitment(
    commitment: Commitment, *, by: Person, meeting: OneOnOne, kept: bool | None
) -> Commitment:
    """At a later meeting: was the commitment kept?"""
    _require_runner(meeting, by)
    _require_open(meeting)
    earlier = commitment.meeting
    if earlier.rep_id != meeting.rep_id or earlier.scheduled_at >= meeting.scheduled_at:
        raise CoachingError("Review a commitment from one of this rep's earlier meetings.")
    commitment.kept = kept
    commitment.reviewed_in = meeting if kept is not None else None
    commitment.save(update_fields=["kept", "reviewed_in"])
    return commitment


@transaction.atomic
def commitment_to_experiment(
    commitment: Commitment, *, by: Person, start: date | None = None
) -> int:
    """Test the behavior change as an experiment on the rep; returns the experiment's id.

    The metric is the conversion of the stage the behavior belongs to (the meeting's focus
    stage when the commitment names no behavior).
    """
    meeting = commitment.meeting
    _require_runner(meeting, by)
    if commitment.experiment_id is not None:
        return commitment.experiment_id
    metric = commitment.behavior.stage.key if commitment.behavior else meeting.focus_stage
    if not metric:
        raise CoachingError("Name the behavior to change: an experiment needs a stage to watch.")
    day = timezone.localdate(meeting.scheduled_at)
    try:
        experiment = start_experiment(
            leader=meeting.leader,
            subjects=[meeting.rep],
            hypothesis=commitment.text,
            metric=metric,
            start=start or today(),
            way=commitment.way,
            behavior=commitment.behavior,
            source=f"{meeting.rep.name}'s one-on-one of {day_text(day)}",
            source_id=commitment.pk,
        )
    except ExperimentError as exc:
        raise CoachingError(str(exc)) from exc
    commitment.experiment_id = experiment.pk
    commitment.save(update_fields=["experiment_id"])
    return experiment.pk


def save_notes(
    meeting: OneOnOne,
    *,
    by: Person,
    values: str | None = None,
    shared: str | None = None,
    private: str | None = None,
    summary: str | None = None,
) -> OneOnOne:
    """Values and culture notes, notes shared with the rep, the summary (shared too), and
    ``by``'s own private note."""
    _require_runner(meeting, by)
    fields = []
    if values is not None:
        meeting.values_notes = values.strip()
        fields.append("values_notes")
    if shared is not None:
        meeting.shared_notes = shared.strip()
        fields.append("shared_notes")
    if summary is not None:
        meeting.summary = summary.strip()
        fields.append("summary")
    if fields:
        _require_open(meeting)
        meeting.save(update_fields=fields)
    if private is not None:
        # A private note may still be written after the meeting: it is the leader's own memo.
        PrivateNote.objects.update_or_create(
            meeting=meeting, author=by, defaults={"text": private.strip()}
        )
    return meeting


@transaction.atomic
def close_meeting(meeting: OneOnOne, *, by: Person, summary: str | None = None) -> OneOnOne:
    """End the meeting with a summary both see; the series gets its next meeting."""
    _require_runner(meeting, by)
    _require_open(meeting)
    if meeting.status == OneOnOne.Status.SCHEDULED:
        raise CoachingError("Open the meeting before closing it.")
    meeting.status = OneOnOne.Status.DONE
    meeting.closed_at = timezone.now()
    if summary is not None:
        meeting.summary = summary.strip()
    meeting.save(update_fields=["status", "closed_at", "summary"])
    grants.end(MEETING_GRANT, meeting.pk)  # a delegate's access ends with the meeting
    series = meeting.series
    if series is not None and series.active:
        last = max(timezone.localdate(meeting.scheduled_at), today())
        day = advance(timezone.localdate(meeting.scheduled_at), series.cadence, series.weekday)
        while day <= last:
            day = advance(day, series.cadence, series.weekday)
        series.next_due = day
        series.save(update_fields=["next_due"])
        if not series.meetings.exclude(status__in=CLOSED).exists():
            OneOnOne.objects.create(
                org_id=meeting.org_id, series=series, leader=series.leader, rep=series.rep,
                held_by=None, scheduled_at=_at(day, series.time, series.leader),
                duration_minutes=series.duration_minutes,
            )  # fmt: skip
    return meeting


def create_meeting(
    leader: Person, rep: Person, *, scheduled_at: datetime, duration_minutes: int = 30
) -> OneOnOne:
    """A one-off meeting outside any series."""
    if not can_schedule(leader, rep):
        raise PermissionDenied("You schedule one-on-ones with the reps you lead.")
    if timezone.is_naive(scheduled_at):
        raise CoachingError("Give the meeting time with its time zone.")
    return OneOnOne.objects.create(
        org_id=rep.org_id, leader=leader, rep=rep, scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
    )  # fmt: skip
