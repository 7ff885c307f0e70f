"""Objects the permission matrix needs for the one-on-one rows (made inside each test's world)."""

from __future__ import annotations

from ninety.coaching.models import Commitment, OneOnOne, OneOnOneSeries, PrivateNote
from ninety.coaching.services import add_commitment, open_meeting
from ninety.playbook.models import Behavior
from tests.coaching.conftest import AS_OF, sams_meeting
from tests.conftest import World

GREETING = "compelling-reason-to-speak"


def meeting(w: World) -> int:
    """Sam's scheduled one-on-one with Dana."""
    return sams_meeting(w).pk


def open_one(w: World) -> int:
    """Sam's one-on-one, opened by Dana."""
    m = sams_meeting(w)
    if m.status == OneOnOne.Status.SCHEDULED:
        open_meeting(m, by=w.leader, as_of=AS_OF)
    return m.pk


def commitment(w: World) -> int:
    """A behavior change Sam committed to (on the greeting behavior), ready to test."""
    m = OneOnOne.objects.get(pk=open_one(w))
    behavior = Behavior.objects.get(
        stage__playbook__org=w.org, stage__key="conversation", key=GREETING
    )
    return add_commitment(m, by=w.leader, kind="behavior_change", text="Local customer first",
                          behavior=behavior).pk  # fmt: skip


def _first(w: World) -> OneOnOne:
    """Sam's first meeting (closing one schedules the next)."""
    return OneOnOne.objects.filter(rep=w.rep).order_by("pk").first()  # type: ignore[return-value]


def sam_has_no_series(w: World) -> bool:
    return not OneOnOneSeries.objects.filter(rep=w.rep).exists()


def still_scheduled(w: World) -> bool:
    return _first(w).status == OneOnOne.Status.SCHEDULED


def no_self_report(w: World) -> bool:
    return _first(w).self_results == ""


def no_talk_time(w: World) -> bool:
    return _first(w).talk_rep_seconds == 0


def no_private_note(w: World) -> bool:
    return not PrivateNote.objects.exists()


def no_commitment(w: World) -> bool:
    return not Commitment.objects.exists()


def no_experiment(w: World) -> bool:
    return not Commitment.objects.filter(experiment_id__isnull=False).exists()


def no_shared_note(w: World) -> bool:
    return _first(w).shared_notes == ""


def not_closed(w: World) -> bool:
    return _first(w).status != OneOnOne.Status.DONE


def not_delegated(w: World) -> bool:
    return not OneOnOne.objects.filter(held_by__isnull=False).exists()
