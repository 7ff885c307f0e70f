"""The SQLite payload built by Arrow kernels is the JSON Python would write, value for value."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa

from ninety.ingest.writers.jsontext import json_rows, sqlite_datetimes


def test_every_kind_of_cell_round_trips() -> None:
    text = pa.array(['say "hi"', "back\\slash", "tab\there", "é ✓", None])
    ints = pa.array([1, None, -3, 2**62, 0])
    stamps = pa.array([datetime(2026, 12, 1, 21, 5, tzinfo=UTC)] * 5, pa.timestamp("s", "UTC"))
    flags = pa.array([True, False, None, True, False])
    floats = pa.array([1.5, None, 2.0, 0.1, 1e20])
    days = pa.array([0, 1, 2, 3, 20_000], pa.int32()).cast(pa.date32())
    rows = json.loads(json_rows([text, ints, stamps, flags, floats, days]))
    assert [r[0] for r in rows] == text.to_pylist()
    assert [r[1] for r in rows] == ints.to_pylist()
    assert {r[2] for r in rows} == {"2026-12-01 21:05:00"}  # Django's SQLite text, UTC
    assert [r[3] for r in rows] == flags.to_pylist()
    assert [r[4] for r in rows] == floats.to_pylist()
    assert rows[4][5] == "2024-10-04" and rows[0][5] == "1970-01-01"


def test_chunked_columns_and_an_empty_chunk() -> None:
    ids = pa.chunked_array([["a", "b"], ["c"]])
    n = pa.chunked_array([[1, 2], [3]])
    assert json.loads(json_rows([ids, n])) == [["a", 1], ["b", 2], ["c", 3]]
    assert json_rows([pa.array([], pa.string())]) == "[]"


def test_sqlite_datetimes_keep_the_utc_wall_clock() -> None:
    berlin = pa.array([datetime(2026, 6, 1, 12, tzinfo=UTC)], pa.timestamp("s", "Europe/Berlin"))
    assert sqlite_datetimes(berlin).to_pylist() == ["2026-06-01 12:00:00"]
