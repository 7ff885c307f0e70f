"""One-on-ones through the API: schedule, run and read meetings and their parts.

The meeting's schema has no private notes: they have their own endpoint, which answers only
their author (404 for anyone else, the rep, other leaders and directors included).
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as dtime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ninety.coaching import services
from ninety.coaching.models import CLOSED, Commitment, OneOnOne
from ninety.coaching.permissions import can_read_prep, can_run, can_self_report, visible_meetings
from ninety.coaching.prep import build_prep, sheet_for
from ninety.coaching.queries import private_note
from ninety.conf import today
from ninety.people.inputs import Day
from ninety.people.models import Person
from ninety.people.pagination import Mapped, paged
from ninety.people.permissions import visible_people
from ninety.playbook.models import Behavior, DiagnosticQuestion

router = Router(tags=["one-on-ones"])


class ScheduleIn(Schema):
    """The rep by id or by the external id of your CRM (one of the two)."""

    rep_id: int | None = None
    rep_external_id: str | None = None
    cadence: str = "weekly"
    weekday: int = 0
    at: dtime = dtime(10, 0)
    start: Day | None = None
    duration_minutes: int = 30


class SeriesOut(Schema):
    id: int
    leader_id: int
    rep_id: int
    cadence: str
    weekday: int
    at: dtime
    next_due: date
    next_meeting_id: int | None


class AnswerOut(Schema):
    question_id: int | None
    text: str
    holds: bool | None
    note: str


class RecitalOut(Schema):
    behavior_id: int | None
    behavior: str
    recited: int
    total: int
    recited_way_ids: list[int]
    proposed_way_ids: list[int]


class CommitmentOut(Schema):
    id: int
    kind: str
    text: str
    behavior_id: int | None
    way_id: int | None
    kept: bool | None
    experiment_id: int | None


class MeetingOut(Schema):
    id: int
    leader_id: int
    rep_id: int
    held_by_id: int | None
    scheduled_at: datetime
    duration_minutes: int
    status: str
    self_results: str
    self_behaviors: str
    talk_rep_seconds: int
    talk_leader_seconds: int
    talk_share: float | None
    focus_stage: str
    focus_certainty: float | None
    values_notes: str
    shared_notes: str
    summary: str
    answers: list[AnswerOut]
    recitals: list[RecitalOut]
    commitments: list[CommitmentOut]


class SelfReportIn(Schema):
    results: str = ""
    behaviors: str = ""


class TalkIn(Schema):
    rep_seconds: int
    leader_seconds: int


class AnswerIn(Schema):
    question_id: int
    holds: bool | None = None
    note: str = ""


class RecitalIn(Schema):
    """The behavior and its ways are named by keys (stable across playbook versions)."""

    stage: str
    behavior: str
    recited: list[str] = []
    new_ways: list[str] = []


class CommitmentIn(Schema):
    kind: str = "behavior_change"
    text: str
    stage: str | None = None
    behavior: str | None = None
    way: str | None = None


class NotesIn(Schema):
    values: str | None = None
    shared: str | None = None
    summary: str | None = None


class PrivateNoteIn(Schema):
    text: str


class PrivateNoteOut(Schema):
    text: str


class OpenIn(Schema):
    as_of: Day | None = None


class ExperimentOut(Schema):
    commitment_id: int
    experiment_id: int


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _with_parts(qs: QuerySet[OneOnOne]) -> QuerySet[OneOnOne]:
    """Meetings with their parts in five queries, whatever their number."""
    return qs.prefetch_related(
        "answers", "commitments", "recitals", "recitals__recited", "recitals__proposed"
    )


def _meeting(viewer: Person, meeting_id: int) -> OneOnOne:
    return get_object_or_404(visible_meetings(viewer), pk=meeting_id)


def _fresh(m: OneOnOne) -> OneOnOne:
    """The meeting re-read with its parts, after a change."""
    return _with_parts(OneOnOne.objects.filter(pk=m.pk)).get()


def _runner(viewer: Person, meeting_id: int) -> OneOnOne:
    meeting = _meeting(viewer, meeting_id)
    if not can_run(viewer, meeting):
        raise HttpError(403, "Only the leader or the delegate holding it runs this one-on-one.")
    return meeting


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except services.CoachingError as exc:
        raise HttpError(422, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


def meeting_out(m: OneOnOne) -> dict[str, Any]:
    """The shared parts of a meeting (never the private notes); uses :func:`_with_parts`."""
    recitals = m.recitals.all()
    return {
        **{
            f: getattr(m, f)
            for f in (
                "id",
                "leader_id",
                "rep_id",
                "held_by_id",
                "scheduled_at",
                "duration_minutes",
                "status",
                "self_results",
                "self_behaviors",
                "talk_rep_seconds",
                "talk_leader_seconds",
                "talk_share",
                "focus_stage",
                "focus_certainty",
                "values_notes",
                "shared_notes",
                "summary",
            )
        },
        "answers": [
            {"question_id": a.question_id, "text": a.text, "holds": a.holds, "note": a.note}
            for a in m.answers.all()
        ],
        "recitals": [
            {
                "behavior_id": r.behavior_id,
                "behavior": r.behavior_name,
                "recited": r.recited_count,
                "total": r.ways_total,
                "recited_way_ids": [w.pk for w in r.recited.all()],
                "proposed_way_ids": [w.pk for w in r.proposed.all()],
            }
            for r in recitals
        ],
        "commitments": list(m.commitments.all()),
    }


@router.get("/one-on-ones", response=list[MeetingOut], summary="One-on-ones you may see")
@paged
def list_meetings(request: HttpRequest, rep_id: int | None = None) -> Mapped:
    qs = _with_parts(visible_meetings(_viewer(request))).order_by("-scheduled_at", "-pk")
    if rep_id is not None:
        qs = qs.filter(rep_id=rep_id)
    return Mapped(qs, meeting_out)


@router.post("/one-on-ones/series", response={201: SeriesOut}, summary="Schedule a series")
def schedule(request: HttpRequest, payload: ScheduleIn) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    if payload.rep_id is None and not payload.rep_external_id:
        raise HttpError(422, "rep_id or rep_external_id: name the rep.")
    reps = visible_people(viewer)
    rep = (
        get_object_or_404(reps, pk=payload.rep_id)
        if payload.rep_id is not None
        else get_object_or_404(reps, external_id=payload.rep_external_id)
    )
    series = _call(
        services.schedule_series, viewer, rep, cadence=payload.cadence, weekday=payload.weekday,
        at=payload.at, start=payload.start, duration_minutes=payload.duration_minutes,
    )  # fmt: skip
    upcoming = series.meetings.exclude(status__in=CLOSED).first()
    return Status(201, {
        "id": series.pk, "leader_id": series.leader_id, "rep_id": series.rep_id,
        "cadence": series.cadence, "weekday": series.weekday, "at": series.time,
        "next_due": series.next_due, "next_meeting_id": upcoming.pk if upcoming else None,
    })  # fmt: skip


@router.get("/one-on-ones/{meeting_id}", response=MeetingOut, summary="A meeting and its parts")
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return meeting_out(_fresh(_meeting(_viewer(request), meeting_id)))


@router.get("/one-on-ones/{meeting_id}/prep", summary="The prep sheet (live before it opens)")
def get_prep(request: HttpRequest, meeting_id: int, as_of: Day | None = None) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _meeting(viewer, meeting_id)
    if not can_read_prep(viewer, m):
        raise HttpError(403, "The prep sheet is the leader's.")
    return sheet_for(viewer, m.prep if m.prep is not None else build_prep(m, as_of or today()))


@router.post("/one-on-ones/{meeting_id}/open", response=MeetingOut, summary="Open the meeting")
def open_meeting(request: HttpRequest, meeting_id: int, payload: OpenIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    _call(services.open_meeting, m, by=viewer, as_of=payload.as_of)
    return meeting_out(_fresh(m))


@router.put("/one-on-ones/{meeting_id}/self-report", response=MeetingOut,
            summary="The rep's self-report")  # fmt: skip
def self_report(request: HttpRequest, meeting_id: int, payload: SelfReportIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _meeting(viewer, meeting_id)
    if not (can_self_report(viewer, m) or can_run(viewer, m)):
        raise HttpError(403, "Only the rep writes the self-report.")
    _call(services.save_self_report, m, by=viewer, results=payload.results,
                             behaviors=payload.behaviors)  # fmt: skip
    return meeting_out(_fresh(m))


@router.put("/one-on-ones/{meeting_id}/talk", response=MeetingOut, summary="Talk-time totals")
def talk(request: HttpRequest, meeting_id: int, payload: TalkIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    _call(services.record_talk_time, m, by=viewer,
                             rep_seconds=payload.rep_seconds,
                             leader_seconds=payload.leader_seconds)  # fmt: skip
    return meeting_out(_fresh(m))


@router.put("/one-on-ones/{meeting_id}/answers", response=MeetingOut,
            summary="Drill-down answers")  # fmt: skip
def answers(request: HttpRequest, meeting_id: int, payload: list[AnswerIn]) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    for a in payload:
        q = get_object_or_404(
            DiagnosticQuestion.objects.select_related("behavior__stage__playbook"),
            pk=a.question_id, behavior__stage__playbook__org_id=m.org_id,
        )  # fmt: skip
        _call(services.answer_question, m, by=viewer, question=q, holds=a.holds, note=a.note)
    return meeting_out(_fresh(m))


def _behavior(m: OneOnOne, stage: str | None, behavior: str | None) -> Behavior | None:
    if not (stage and behavior):
        return None
    return get_object_or_404(
        Behavior.objects.select_related("stage__playbook"),
        stage__playbook__org_id=m.org_id, stage__playbook__status="published",
        stage__key=stage, key=behavior,
    )  # fmt: skip


@router.put("/one-on-ones/{meeting_id}/recital", response=MeetingOut, summary="Ways recited")
def recital(request: HttpRequest, meeting_id: int, payload: RecitalIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    behavior = _behavior(m, payload.stage, payload.behavior)
    recited = list(behavior.ways.filter(key__in=payload.recited))  # type: ignore[union-attr]
    if len(recited) != len(set(payload.recited)):
        raise HttpError(422, "recited: a way key that this behavior does not have.")
    _call(services.record_recital, m, by=viewer, behavior=behavior, recited=recited,
          new_ways=payload.new_ways)  # fmt: skip
    return meeting_out(_fresh(m))


@router.post("/one-on-ones/{meeting_id}/commitments", response={201: CommitmentOut},
             summary="Add a commitment")  # fmt: skip
def commitment(request: HttpRequest, meeting_id: int, payload: CommitmentIn) -> Status[Commitment]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    behavior = _behavior(m, payload.stage, payload.behavior)
    way = None
    if payload.way:
        if behavior is None:
            raise HttpError(422, "way: name its stage and behavior too.")
        way = get_object_or_404(behavior.ways.all(), key=payload.way)
    return Status(201, _call(services.add_commitment, m, by=viewer, kind=payload.kind,
                             text=payload.text, behavior=behavior, way=way))  # fmt: skip


@router.post("/one-on-ones/{meeting_id}/commitments/{commitment_id}/experiment",
             response=ExperimentOut, summary="Make a commitment an experiment")  # fmt: skip
def experiment(request: HttpRequest, meeting_id: int, commitment_id: int) -> dict[str, int]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    c = get_object_or_404(Commitment.objects.select_related("behavior__stage", "way", "meeting"),
                          meeting=m, pk=commitment_id)  # fmt: skip
    return {"commitment_id": c.pk,
            "experiment_id": _call(services.commitment_to_experiment, c, by=viewer)}  # fmt: skip


@router.put("/one-on-ones/{meeting_id}/notes", response=MeetingOut,
            summary="Values, shared notes, summary")  # fmt: skip
def notes(request: HttpRequest, meeting_id: int, payload: NotesIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    _call(services.save_notes, m, by=viewer, values=payload.values,
                             shared=payload.shared, summary=payload.summary)  # fmt: skip
    return meeting_out(_fresh(m))


@router.get("/one-on-ones/{meeting_id}/private-note", response=PrivateNoteOut,
            summary="Your private note (only its author reads it)")  # fmt: skip
def get_private_note(request: HttpRequest, meeting_id: int) -> dict[str, str]:
    viewer = _viewer(request)
    m = _meeting(viewer, meeting_id)
    if not can_run(viewer, m):
        raise HttpError(404, "Not found.")  # a rep or a director learns nothing, not even 403
    return {"text": private_note(m, viewer)}


@router.put("/one-on-ones/{meeting_id}/private-note", response=PrivateNoteOut,
            summary="Write your private note")  # fmt: skip
def put_private_note(request: HttpRequest, meeting_id: int, payload: PrivateNoteIn) -> dict:
    viewer = _viewer(request)
    m = _meeting(viewer, meeting_id)
    if not can_run(viewer, m):
        raise HttpError(404, "Not found.")
    _call(services.save_notes, m, by=viewer, private=payload.text)
    return {"text": private_note(m, viewer)}


@router.post("/one-on-ones/{meeting_id}/close", response=MeetingOut, summary="Close the meeting")
def close(request: HttpRequest, meeting_id: int, payload: NotesIn) -> dict[str, Any]:
    viewer = _viewer(request)
    m = _runner(viewer, meeting_id)
    _call(services.close_meeting, m, by=viewer, summary=payload.summary)
    return meeting_out(_fresh(m))
