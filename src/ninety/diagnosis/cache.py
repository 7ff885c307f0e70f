"""The diagnosis's report cache: a team's report computed once and read by every page and caller.

A report is kept in Django's ``reports`` cache (settings: Redis or the database in production,
each process's memory otherwise) under a key made of what it was computed from: the org, the
team (or rep), the period, the as-of day and today, the playbook it was read against, and the
org's data versions (:mod:`ninety.activity.versions`) of the days it read. Any import, quota,
roster or playbook change gives a new key, so a stale report is never found; old keys expire.

What is cached is the report of a team, before any viewer's filter: the callers (the views, the
API, the overview) still ask the permission gate which team or rep a viewer may open and cut the
report to what they may see after reading it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.cache import caches

from ninety.core.playbook_spec import PlaybookSpec

T = TypeVar("T")

ALIAS = "reports"
#: A key outlives its data only until it expires (a new version is a new key).
TIMEOUT = 6 * 3600
_MISS = object()


def spec_mark(spec: PlaybookSpec) -> str:
    """A short fingerprint of the playbook a report was read against (its stages, ways …)."""
    return hashlib.blake2b(repr(spec).encode(), digest_size=8).hexdigest()


def report_key(org_id: int, parts: Sequence[object], version: str) -> str:
    """The cache key of a report of ``org_id`` described by ``parts``, read from the data of
    ``version`` (:func:`ninety.activity.versions.key_for`, taken before the report's data)."""
    text = repr((org_id, tuple(parts), version))
    return f"ninety:report:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def get_many(keys: Sequence[str]) -> dict[str, object]:
    """The cached values of those ``keys`` that are cached."""
    return caches[ALIAS].get_many(list(keys))


def put(key: str, value: object) -> None:
    caches[ALIAS].set(key, value, TIMEOUT)


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value under ``key``, computed and kept when missing."""
    value = caches[ALIAS].get(key, _MISS)
    if value is _MISS:
        value = compute()
        caches[ALIAS].set(key, value, TIMEOUT)
    return value  # type: ignore[return-value]
