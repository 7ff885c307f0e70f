"""Who may see and run a one-on-one. Every coaching view and endpoint goes through these.

- The rep sees their own meetings (and writes the self-report until the meeting is done).
- The leader, or the delegate holding the meeting, runs it. The delegate reads it through an
  access grant (``ninety.people.grants``) that ends when the meeting is closed or taken back.
- Being the meeting's leader counts only while the leader still leads the rep (the rep's team
  is one they lead, directly or below, as in ``ninety.people.permissions``): a rep who moves
  to another team takes their one-on-ones, past and upcoming, out of the old leader's reach.
- Leaders of the rep's team (their leader now, directors above) and admins read the shared
  parts.
- Private notes are read only by their author: see :func:`ninety.coaching.queries.private_note`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ninety.coaching.models import MEETING_GRANT, OneOnOne
from ninety.people.grants import granted_ids
from ninety.people.models import Person, Role
from ninety.people.permissions import led_team_ids, managed_people, sees_only_self


def visible_meetings(viewer: Person | None) -> QuerySet[OneOnOne]:
    """The one-on-ones ``viewer`` may read (shared parts only)."""
    if viewer is None:
        return OneOnOne.objects.none()
    qs = OneOnOne.objects.filter(org_id=viewer.org_id)
    if viewer.role == Role.ADMIN:
        return qs
    # No ``Q(leader=viewer)``: a leader reads a meeting they led through leading its rep now.
    mine = Q(rep=viewer) | Q(pk__in=granted_ids(viewer, MEETING_GRANT))
    if viewer.role == Role.LEADER:
        return qs.filter(mine | Q(rep__team_id__in=led_team_ids(viewer)))
    return qs.filter(mine)


def leads_meeting(viewer: Person | None, meeting: OneOnOne) -> bool:
    """``viewer`` is the meeting's leader and leads its rep still (directly or below)."""
    return (
        viewer is not None
        and viewer.pk == meeting.leader_id
        and managed_people(viewer).filter(pk=meeting.rep_id).exists()
    )


def can_run(viewer: Person | None, meeting: OneOnOne) -> bool:
    """Only the leader (while leading the rep) or the delegate holding it runs a meeting (not
    directors, not admins)."""
    if viewer is None:
        return False
    if viewer.pk == meeting.leader_id:
        return leads_meeting(viewer, meeting)
    return viewer.pk == meeting.held_by_id and (
        granted_ids(viewer, MEETING_GRANT).filter(source_id=meeting.pk).exists()
    )


def meetings_run_by(viewer: Person | None) -> QuerySet[OneOnOne]:
    """The meetings :func:`can_run` lets ``viewer`` run, as one query (the dashboard's due list)."""
    if viewer is None:
        return OneOnOne.objects.none()
    led = Q(leader=viewer, rep__in=managed_people(viewer))
    held = Q(held_by=viewer, pk__in=granted_ids(viewer, MEETING_GRANT))
    return OneOnOne.objects.filter(led | held, org_id=viewer.org_id)


def can_read_prep(viewer: Person | None, meeting: OneOnOne) -> bool:
    """The prep sheet is the leader's (and the delegate's who runs the meeting), and readable by
    those above; a rep reads it only when holding the meeting as a delegate."""
    return viewer is not None and (not sees_only_self(viewer) or can_run(viewer, meeting))


def can_self_report(viewer: Person | None, meeting: OneOnOne) -> bool:
    return viewer is not None and viewer.pk == meeting.rep_id and not meeting.is_closed


def can_schedule(viewer: Person | None, rep: Person) -> bool:
    """A leader schedules one-on-ones with the reps they lead (directly or below)."""
    return (
        viewer is not None
        and viewer.role == Role.LEADER
        and rep.role == Role.REP
        and managed_people(viewer).filter(pk=rep.pk).exists()
    )


def schedulable_reps(viewer: Person) -> QuerySet[Person]:
    if viewer.role != Role.LEADER:
        return Person.objects.none()
    return managed_people(viewer).filter(role=Role.REP, is_active=True).order_by("name")
