"""Deals: one upsert per block on (org, source, external id)."""

from __future__ import annotations

import pyarrow as pa

from ninety.ingest.writers.upsert import upsert


def write_deals(org_id: int, source: str, rows: pa.Table) -> tuple[int, int]:
    """Insert new deals and update changed ones (``rows`` from :func:`rows.deal_rows`)."""
    return upsert(
        "activity_deal",
        rows,
        key=("org_id", "source", "external_id"),
        fixed={"org_id": org_id, "source": source},
        conflict_where="NOT (external_id = '')",
    )
