"""Objects the delegation tests and the permission matrix need (created inside a test's world)."""

from __future__ import annotations

from ninety.delegation import services
from ninety.delegation.models import CalendarRule, Delegation, TacticalTask, TimeEntry
from ninety.playbook.models import Behavior
from tests.conftest import World
from tests.playbook.matrix_helpers import GREETING, acme_playbook

MATRIX_TITLE = "Matrix task"


def greeting(w: World) -> Behavior:
    return acme_playbook(w).stages.get(key="conversation").behaviors.get(key=GREETING)


def danas_task(w: World, title: str = "Coach Sam on the greeting") -> TacticalTask:
    return services.create_task(w.leader, title, category="coaching", estimated_minutes=60)


def delegation_to_alex(w: World) -> Delegation:
    """Dana delegated coaching Sam to Alex (high-potential), expectations: greeting + tone."""
    b = greeting(w)
    return services.delegate_task(
        danas_task(w), w.leader, w.teammate, coachee=w.rep, focus_stage=b.stage,
        behaviors=[b], process_steps=["tone"],
    )  # fmt: skip


def reported_delegation(w: World) -> Delegation:
    d = delegation_to_alex(w)
    b = greeting(w)
    return services.record_outcome(
        d, w.teammate, ratings={f"b{b.pk}": ("partly", ""), "s0": ("met", "")}, notes="ok"
    )


def danas_rule(w: World) -> CalendarRule:
    return services.add_rule(w.org.pk, "results", leader=w.leader, title_pattern="numbers")


# "unchanged" checks of the permission matrix: True when nothing was written.
def no_matrix_task(w: World) -> bool:
    return not TacticalTask.objects.filter(title=MATRIX_TITLE).exists()


def task_not_delegated(w: World) -> bool:
    return not Delegation.objects.exists()


def task_still_open(w: World) -> bool:
    return not TacticalTask.objects.exclude(status="open").exists()


def delegation_still_open(w: World) -> bool:
    return not Delegation.objects.exclude(status="open").exists()


def delegation_not_reviewed(w: World) -> bool:
    return not Delegation.objects.filter(status="reviewed").exists()


def no_time(w: World) -> bool:
    return not TimeEntry.objects.exists()


def no_rule(w: World) -> bool:
    return not CalendarRule.objects.exists()


def rule_kept(w: World) -> bool:
    return CalendarRule.objects.exists()
