"""Create, end and read access grants (see :class:`ninety.people.models.AccessGrant`).

A feature app calls :func:`grant` when something starts giving one person access to another's
records and :func:`end` when it stops; the permission gate reads :func:`live`. Sources are
plain strings chosen by the feature app ("delegation", "one_on_one"); this module knows none.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ninety.people.models import AccessGrant, Person


def grant(
    source: str, source_id: int, *, grantee: Person, subject: Person, sees_person: bool
) -> AccessGrant:
    """Give ``grantee`` access to ``subject`` for ``source`` #``source_id`` (ending any other
    live grant of that source first: one source, one grantee at a time)."""
    if grantee.org_id != subject.org_id:
        raise ValueError("a grant never crosses orgs")
    end(source, source_id)
    return AccessGrant.objects.create(
        org_id=subject.org_id,
        grantee=grantee,
        subject=subject,
        source=source,
        source_id=source_id,
        sees_person=sees_person,
    )


def end(source: str, source_id: int) -> int:
    """End every live grant of ``source`` #``source_id``; returns how many ended."""
    return AccessGrant.objects.filter(
        source=source, source_id=source_id, ended_at__isnull=True
    ).update(ended_at=timezone.now())


def live(viewer: Person) -> QuerySet[AccessGrant]:
    """``viewer``'s live grants within their own org."""
    return AccessGrant.objects.filter(grantee=viewer, org_id=viewer.org_id, ended_at__isnull=True)


def granted_ids(viewer: Person, source: str) -> QuerySet[AccessGrant]:
    """The ``source_id`` values of ``viewer``'s live grants of ``source`` (a subquery)."""
    return live(viewer).filter(source=source).values("source_id")
