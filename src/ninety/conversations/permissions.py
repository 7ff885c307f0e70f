"""Who may see and import calls (built on people.permissions): a call is its rep's record."""

from __future__ import annotations

from django.db.models import QuerySet

from ninety.conversations.models import Conversation
from ninety.people.models import Person, Role
from ninety.people.permissions import VIEW, can, managed_people, visible_people


def visible_calls(viewer: Person | None) -> QuerySet[Conversation]:
    """The calls of the people ``viewer`` may see (their own, their teams', the org's)."""
    if viewer is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(person__in=visible_people(viewer))


def can_view_call(viewer: Person | None, call: Conversation) -> bool:
    return can(viewer, VIEW, call)


def can_import(viewer: Person | None) -> bool:
    """Leaders and admins import calls (as they import activities); reps do not."""
    return viewer is not None and viewer.role != Role.REP


def can_import_for(viewer: Person | None, rep: Person) -> bool:
    """Calls of ``rep``: the people the viewer leads, or anyone in the org for an admin."""
    return can_import(viewer) and managed_people(viewer).filter(pk=rep.pk).exists()


def importable_people(viewer: Person | None) -> QuerySet[Person]:
    return managed_people(viewer) if can_import(viewer) else Person.objects.none()
