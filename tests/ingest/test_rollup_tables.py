"""The rollup rows a chunk adds, summed in Arrow before the database sees them."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ninety.ingest.writers.activities import ROLLUP_COLUMNS, rollup_table, week_table


def _rows(days: list[dt.date], people: list[int], types: list[str]) -> pa.Table:
    n = len(days)
    return pa.table(
        {
            "person_id": pa.array(people, pa.int64()),
            "day": pa.array(days, pa.date32()),
            "type": pa.array(types, pa.string()),
            "way_id": pa.nulls(n, pa.int64()),
            "duration_seconds": pa.array([10] * n, pa.int64()),
            "outcome": pa.array(["connect", ""] * (n // 2) + [""] * (n % 2), pa.string()),
            "advanced": pa.array([True, False] * (n // 2) + [False] * (n % 2)),
        }
    )


def test_weeks_start_on_monday_and_sum_the_days() -> None:
    sun, mon, tue = dt.date(2026, 11, 29), dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    rows = _rows([tue, sun, mon, tue, sun, mon], [2, 2, 2, 2, 1, 2], ["dial"] * 6)
    daily = rollup_table(rows)
    # Sorted by the upsert key: person, day, type, way.
    keys = list(zip(*(daily.column(c).to_pylist() for c in ROLLUP_COLUMNS[:3]), strict=True))
    assert keys == sorted(keys)
    assert daily.column("n").to_pylist() == [1, 1, 2, 2]  # (1, sun), (2, sun), (2, mon), (2, tue)
    weekly = week_table(daily)
    cols = [weekly.column(c).to_pylist() for c in ("person_id", "week", "n")]
    got = set(zip(*cols, strict=True))
    # Sunday the 29th belongs to the week of Monday the 23rd; Monday and Tuesday to the 30th.
    assert got == {(1, dt.date(2026, 11, 23), 1), (2, dt.date(2026, 11, 23), 1),
                   (2, mon, 4)}  # fmt: skip
    assert sum(weekly.column("dur").to_pylist()) == 60
    assert sum(weekly.column("adv").to_pylist()) == sum(daily.column("adv").to_pylist()) == 3
