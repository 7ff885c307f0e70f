"""Reads of one-on-ones that matter: what is due, a rep's history, and a meeting's parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet
from django.db.models.functions import NullIf
from django.urls import reverse
from django.utils import timezone

from ninety.coaching.models import CLOSED, Commitment, OneOnOne, PrivateNote, Recital
from ninety.coaching.permissions import meetings_run_by
from ninety.people.models import Person


@dataclass(frozen=True)
class DueMeeting:
    """A one-on-one due soon or overdue, for the leader dashboard."""

    meeting_id: int
    rep: Person
    scheduled_at: datetime
    days: int  # days from as_of to the meeting; negative = overdue
    status: str
    url: str
    self_report_ready: bool

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def phrase(self) -> str:
        """'today', 'tomorrow', 'in 3 days', 'overdue by 2 days'."""
        if self.days == 0:
            return "today"
        if self.days == 1:
            return "tomorrow"
        if self.days > 1:
            return f"in {self.days} days"
        n = -self.days
        return f"overdue by {n} day{'s' if n > 1 else ''}"


def due_for(leader: Person, as_of: date, *, within_days: int = 2) -> list[DueMeeting]:
    """One-on-ones ``leader`` runs (as leader of the rep now, or as delegate) that are not done
    and fall on or before ``as_of + within_days``: overdue ones first, then by date."""
    until = timezone.make_aware(datetime.combine(as_of + timedelta(days=within_days + 1), time.min))
    meetings = (
        meetings_run_by(leader)
        .filter(scheduled_at__lt=until)
        .exclude(status__in=CLOSED)
        .select_related("rep")
        .order_by("scheduled_at", "pk")
    )
    return [
        DueMeeting(
            meeting_id=m.pk,
            rep=m.rep,
            scheduled_at=m.scheduled_at,
            days=(timezone.localdate(m.scheduled_at) - as_of).days,
            status=m.status,
            url=reverse("one-on-one", kwargs={"meeting_id": m.pk}),
            self_report_ready=bool(m.self_results or m.self_behaviors),
        )
        for m in meetings
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One past one-on-one of a rep: what the rep page shows (never the private notes)."""

    meeting_id: int
    day: date
    url: str
    leader: str
    held_by: str
    recited: int
    ways_total: int
    talk_share: float | None
    commitments: int
    kept: int
    reviewed: int
    focus_stage: str
    focus_label: str
    focus_certainty: float | None
    #: The day of the meeting in the server's zone, as the periods count days.
    server_day: date | None = None

    @property
    def recital_score(self) -> float | None:
        return self.recited / self.ways_total if self.ways_total else None


def history_for(rep: Person) -> list[HistoryRow]:
    """The rep's closed one-on-ones, oldest first: recital scores, talk share, commitments kept
    (of those made at that meeting and reviewed later), and the focus stage of the day.

    Three queries whatever the number of meetings. The caller checks the viewer may see ``rep``.
    """
    meetings = (
        OneOnOne.objects.filter(rep=rep, status=OneOnOne.Status.DONE)
        .select_related("leader", "held_by")
        .prefetch_related(
            Prefetch(
                "recitals",
                queryset=Recital.objects.only("meeting_id", "recited_count", "ways_total"),
            ),
            Prefetch("commitments", queryset=Commitment.objects.only("meeting_id", "kept")),
        )
        .order_by("scheduled_at", "pk")
    )
    rows = []
    zone = ZoneInfo(settings.TIME_ZONE)
    for m in meetings:
        recitals = list(m.recitals.all())
        commitments = list(m.commitments.all())
        rows.append(
            HistoryRow(
                meeting_id=m.pk,
                day=timezone.localdate(m.scheduled_at),
                url=reverse("one-on-one-summary", kwargs={"meeting_id": m.pk}),
                leader=m.leader.name,
                held_by=m.held_by.name if m.held_by else m.leader.name,
                recited=sum(r.recited_count for r in recitals),
                ways_total=sum(r.ways_total for r in recitals),
                talk_share=m.talk_share,
                commitments=len(commitments),
                kept=sum(1 for c in commitments if c.kept),
                reviewed=sum(1 for c in commitments if c.kept is not None),
                focus_stage=m.focus_stage,
                focus_label=m.focus_label,
                focus_certainty=m.focus_certainty,
                server_day=timezone.localtime(m.scheduled_at, zone).date(),
            )
        )
    return rows


def private_note(meeting: OneOnOne, viewer: Person) -> str:
    """``viewer``'s own private note on the meeting ('' for anyone else: nobody reads others')."""
    note = PrivateNote.objects.filter(meeting=meeting, author=viewer).first()
    return note.text if note else ""


def open_commitments(meeting: OneOnOne) -> list[Commitment]:
    """Commitments from the rep's earlier meetings to review now: the last meeting's, and any
    older ones still not reviewed."""
    earlier = OneOnOne.objects.filter(
        rep_id=meeting.rep_id, status=OneOnOne.Status.DONE, scheduled_at__lt=meeting.scheduled_at
    ).order_by("-scheduled_at")
    last = earlier.first()
    if last is None:
        return []
    return list(
        Commitment.objects.filter(
            Q(meeting=last) | Q(meeting__in=earlier, kept__isnull=True) | Q(reviewed_in=meeting)
        )
        .select_related("meeting", "way", "behavior")
        .distinct()
        .order_by("meeting__scheduled_at", "pk")
    )


def meetings_for(viewer_meetings: QuerySet[OneOnOne]) -> QuerySet[OneOnOne]:
    """A list page's meetings with the people they need and the rep's talk share as
    ``talk_ratio`` (null before any talk is saved), for sorting in the database."""
    total = NullIf(F("talk_rep_seconds") + F("talk_leader_seconds"), 0)
    ratio = ExpressionWrapper(F("talk_rep_seconds") * 1.0 / total, output_field=FloatField())
    return viewer_meetings.select_related("rep", "leader", "held_by").annotate(talk_ratio=ratio)
