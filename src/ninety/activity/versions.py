"""Data versions: what a cached analysis is keyed on, so a change of its data misses the cache.

Every writer of data the diagnosis reads calls :func:`bump` in its own transaction: activities
bump the months of the days they were logged on (the daily and weekly rollups of those days
change, nothing else), everything else (people, teams, deals, quotas, stage history, a restore)
bumps the org's ``all`` scope, which every key includes. :func:`key_for` reads, in one query,
the tokens of ``all`` and of each month a reader's days fall in. A reader takes the key *before*
it reads the data: a write committed in between then only makes the cached value newer than its
key, never older.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from ninety.activity.models import DataVersion

ALL = "all"


def month_scope(day: date) -> str:
    return f"{day:%Y-%m}"


def months_between(first: date, last: date) -> list[str]:
    """The month scopes from ``first``'s month to ``last``'s, inclusive."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def bump(org_id: int, scopes: Iterable[str] = (ALL,)) -> None:
    """Give each scope of the org a new token (one upsert; the caller's transaction)."""
    rows = [
        DataVersion(org_id=org_id, scope=s, token=secrets.token_hex(8)) for s in sorted(set(scopes))
    ]
    if rows:
        DataVersion.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["org", "scope"], update_fields=["token"]
        )


def bump_days(org_id: int, days: Iterable[date]) -> None:
    """Activities logged on ``days`` were written (their months' scopes)."""
    bump(org_id, {month_scope(d) for d in days})


def key_for(org_id: int, first: date, last: date) -> str:
    """The org's tokens for data of the days ``first`` to ``last``: ``all`` and each month."""
    scopes = [ALL, *months_between(first, last)]
    tokens = dict(
        DataVersion.objects.filter(org_id=org_id, scope__in=scopes).values_list("scope", "token")
    )
    return ".".join(tokens.get(s, "0") for s in scopes)


def key_from(org_id: int, first: date) -> str:
    """The org's tokens for data from ``first`` on, whatever the last day (``all`` included)."""
    rows = (
        DataVersion.objects.filter(org_id=org_id)
        .filter(Q(scope=ALL) | Q(scope__gte=month_scope(first), scope__lt=ALL))
        .order_by("scope")
        .values_list("scope", "token")
    )
    return ".".join(f"{s}:{t}" for s, t in rows)
