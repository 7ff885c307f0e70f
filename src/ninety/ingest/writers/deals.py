"""Deals: one upsert per block on (org, source, external id)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from ninety.activity.models import Deal
from ninety.ingest.writers.upsert import upsert

#: Ids per lookup query (SQLite's bound-parameter limit is 32,766).
_IDS_PER_QUERY = 2000


def write_deals(org_id: int, source: str, rows: pa.Table) -> tuple[int, int]:
    """Insert new deals and update changed ones (``rows`` from :func:`rows.deal_rows`)."""
    return upsert(
        "activity_deal",
        rows,
        key=("org_id", "source", "external_id"),
        fixed={"org_id": org_id, "source": source},
        conflict_where="NOT (external_id = '')",
    )


def foreign_deal_ids(org_id: int, source: str, ids: Sequence[str], scope: Any) -> set[str]:
    """The ``ids`` that key a stored deal of the org whose owner is not in ``scope`` (a Person
    queryset): a file naming such an id would otherwise change that deal, owner included."""
    wanted = sorted({i for i in ids if i})
    found: set[str] = set()
    for k in range(0, len(wanted), _IDS_PER_QUERY):
        found.update(
            Deal.objects.filter(
                org_id=org_id, source=source, external_id__in=wanted[k : k + _IDS_PER_QUERY]
            )
            .exclude(owner__in=scope)
            .values_list("external_id", flat=True)
        )
    return found
