"""What delegations tell people: the delegate reported back (to the leader who delegated), and
a delegation still open past its task's due date (to both)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from ninety.core.dates import day_text
from ninety.delegation.access import visible_delegations
from ninety.delegation.models import Delegation
from ninety.notify.models import Kind
from ninety.notify.services import Message, notify


def _sees(delegation: Delegation):  # type: ignore[no-untyped-def]
    return lambda person: visible_delegations(person).filter(pk=delegation.pk).exists()


def _about(delegation: Delegation) -> list:  # type: ignore[type-arg]
    return [delegation.coachee] if delegation.coachee_id else []


def _url(delegation: Delegation) -> str:
    return reverse("delegation") + f"#delegation-{delegation.pk}"


def reported_back(delegation: Delegation) -> None:
    """The delegate recorded the outcome: the leader who delegated reviews it."""
    d = delegation
    notify(
        Kind.DELEGATE_REPORTED, [d.delegated_by], org_id=d.task.org_id,
        key=f"delegate_reported:{d.pk}", about=_about(d), may_see=_sees(d),
        message=Message(
            f"{d.delegate.name} reported back on “{d.task.title}”",
            "Read the ratings and notes, then review the delegation.",
            _url(d),
        ),
    )  # fmt: skip


def remind_overdue(as_of: date) -> int:
    """Open delegations whose task was due before ``as_of``: the delegate and the leader hear
    of each once. Returns how many notifications were written."""
    late = Delegation.objects.filter(status=Delegation.Status.OPEN, task__due__lt=as_of)
    sent = 0
    for d in late.select_related("task", "delegate", "delegated_by", "coachee"):
        sent += len(
            notify(
                Kind.DELEGATION_OVERDUE, [d.delegate, d.delegated_by], org_id=d.task.org_id,
                key=f"delegation_overdue:{d.pk}:{d.task.due}", about=_about(d), may_see=_sees(d),
                message=Message(
                    f"“{d.task.title}” was due {day_text(d.task.due)}",
                    f"Delegated by {d.delegated_by.name} to {d.delegate.name}; not reported yet.",
                    _url(d),
                ),
            )
        )  # fmt: skip
    return sent
