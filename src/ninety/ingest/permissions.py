"""Who may import, for whom, and who may see an import's summary (built on people.permissions)."""

from __future__ import annotations

from django.db.models import QuerySet

from ninety.ingest.models import ImportBatch
from ninety.people.models import Person, Role
from ninety.people.permissions import visible_people

#: Kinds a leader may import; people (and their teams) are the admin's.
LEADER_KINDS = ("activities", "deals", "quotas")


def can_import(viewer: Person | None, kind: str | None = None) -> bool:
    if viewer is None or viewer.role == Role.REP:
        return False
    return viewer.role == Role.ADMIN or kind is None or kind in LEADER_KINDS


def import_scope(viewer: Person) -> QuerySet[Person] | None:
    """Whom the viewer's rows may name: the org (admin, None) or the people they lead."""
    return None if viewer.role == Role.ADMIN else visible_people(viewer)


def visible_batches(viewer: Person | None) -> QuerySet[ImportBatch]:
    """An org's imports: all for an admin, their own for a leader, none for a rep."""
    if viewer is None or viewer.role == Role.REP:
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.filter(org_id=viewer.org_id)
    return qs if viewer.role == Role.ADMIN else qs.filter(created_by=viewer)
