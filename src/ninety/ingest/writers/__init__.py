"""One writer per kind: activities (bulk insert + rollups), deals and quotas (set-based
upserts), people (the roster and its teams)."""

from ninety.ingest.writers.activities import (
    ACTIVITY_COLUMNS,
    STAGE_COLUMNS,
    PreparedChunk,
    copy_csv,
    prepare_activities,
    write_activities,
    write_prepared,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "STAGE_COLUMNS",
    "PreparedChunk",
    "copy_csv",
    "prepare_activities",
    "write_activities",
    "write_prepared",
]
