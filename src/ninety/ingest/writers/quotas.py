"""Quotas: one upsert per block on (person, period)."""

from __future__ import annotations

import pyarrow as pa

from ninety.ingest.writers.upsert import upsert


def write_quotas(rows: pa.Table) -> tuple[int, int]:
    """Insert new quotas and update changed ones; a repeated (person, period): the last wins."""
    return upsert("activity_quota", rows, key=("person_id", "period"), fixed={})
