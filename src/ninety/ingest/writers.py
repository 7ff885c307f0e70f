"""Bulk writes of activity rows and their rollups: SQLite and PostgreSQL paths.

Both stage one chunk of already-validated rows in a temporary table (SQLite: ``executemany``;
PostgreSQL: ``COPY``), insert from it with ``ON CONFLICT DO NOTHING`` semantics, and add only
the rows actually inserted to ``ActivityRollup`` (upsert-add), so that importing a file twice
neither duplicates activities nor doubles the rollups. The caller holds the transaction.
"""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, transaction

ACTIVITY = "activity_activity"
ROLLUP = "activity_activityrollup"
STAGE = "ingest_activity_stage"
SQLITE_CACHE_KIB = 256 * 1024
#: The columns of a validated chunk handed to :func:`write_activities`.
STAGE_COLUMNS = (
    "external_id", "person_id", "occurred_at", "type", "deal_id", "way_id",
    "duration_seconds", "outcome", "day", "advanced",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "org_id", "source", "external_id", "person_id", "occurred_at", "type", "deal_id", "way_id",
    "duration_seconds", "outcome",
)  # fmt: skip


_ROLLUP_VALUES = (
    f"INSERT INTO {ROLLUP} (person_id, day, type, way_id, count, advanced, pending, "
    "duration_seconds) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
)
_ADD = (
    f"DO UPDATE SET count = {ROLLUP}.count + excluded.count, "
    f"advanced = {ROLLUP}.advanced + excluded.advanced, "
    f"pending = {ROLLUP}.pending + excluded.pending, "
    f"duration_seconds = {ROLLUP}.duration_seconds + excluded.duration_seconds"
)
_ROLLUP_SQLITE = tuple(
    (_ROLLUP_VALUES + conflict + _ADD).replace("%s", "?")
    for conflict in (
        "ON CONFLICT (person_id, day, type) WHERE way_id IS NULL ",
        "ON CONFLICT (person_id, day, type, way_id) WHERE way_id IS NOT NULL ",
    )
)


def _rollup_upserts(agg_source: str) -> list[str]:
    """Upsert-add from ``agg_source`` (person_id, day, type, way_id, n, adv, pend, dur)."""
    cols = "(person_id, day, type, way_id, count, advanced, pending, duration_seconds)"
    select = "SELECT person_id, day, type, way_id, n, adv, pend, dur FROM"
    return [
        f"INSERT INTO {ROLLUP} {cols} {select} {agg_source} WHERE way_id IS NULL "
        f"ON CONFLICT (person_id, day, type) WHERE way_id IS NULL {_ADD}",
        f"INSERT INTO {ROLLUP} {cols} {select} {agg_source} WHERE way_id IS NOT NULL "
        f"ON CONFLICT (person_id, day, type, way_id) WHERE way_id IS NOT NULL {_ADD}",
    ]


def write_activities(org_id: int, source: str, rows: pa.Table) -> int:
    """Insert ``rows`` (columns :data:`STAGE_COLUMNS`) and update the rollups; return inserted."""
    if rows.num_rows == 0:
        return 0
    rows = first_per_external_id(rows)
    if connection.vendor == "postgresql":
        return _write_postgresql(org_id, source, rows)
    return _write_sqlite(org_id, source, rows)


def first_per_external_id(rows: pa.Table) -> pa.Table:
    """Drop repeats of an external id within the chunk (the first row wins)."""
    if pc.count_distinct(rows.column("external_id")).as_py() == rows.num_rows:
        return rows
    idx = pa.array(range(rows.num_rows), pa.int64())
    firsts = (
        pa.table({"k": rows.column("external_id"), "i": idx})
        .group_by("k", use_threads=False)
        .aggregate([("i", "min")])
        .column("i_min")
    )
    return rows.take(pa.array(np.sort(firsts.to_numpy())))


def sqlite_params(rows: pa.Table, org_id: int, source: str) -> list[tuple]:
    """Rows in :data:`ACTIVITY_COLUMNS` order for ``executemany`` (Django's SQLite text dates)."""
    n = rows.num_rows
    cols: list[Any] = [itertools.repeat(org_id, n), itertools.repeat(source, n)]
    for name in ACTIVITY_COLUMNS[2:]:
        col = rows.column(name)
        if name == "occurred_at":
            col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
        cols.append(col.to_pylist())
    return list(zip(*cols, strict=False))  # the repeat() columns have no length


def _write_sqlite(org_id: int, source: str, rows: pa.Table) -> int:
    connection.ensure_connection()
    cur = connection.connection.cursor()
    try:
        # A bigger page cache keeps the activity indexes in memory while they grow (per
        # connection, bounded).
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        # Already stored (an earlier import, or an interrupted run of this one): not again.
        # One probe for the whole chunk: the ids travel as one JSON array.
        ids = rows.column("external_id").to_pylist()
        found = cur.execute(
            # CROSS JOIN pins the loop order: for each id, one probe of the unique index.
            f"SELECT a.external_id FROM json_each(?) j CROSS JOIN {ACTIVITY} a "
            "ON a.org_id = ? AND a.source = ? AND a.external_id = j.value "
            "AND NOT (a.external_id = '')",
            (json.dumps(ids), org_id, source),
        ).fetchall()
        if found:
            keep = pc.invert(
                pc.is_in(rows.column("external_id"), value_set=pa.array([f[0] for f in found]))
            )
            rows = rows.filter(keep)
        if rows.num_rows == 0:
            return 0
        marks = ",".join("?" * len(ACTIVITY_COLUMNS))
        cur.executemany(
            f"INSERT INTO {ACTIVITY} ({','.join(ACTIVITY_COLUMNS)}) VALUES ({marks}) "
            "ON CONFLICT DO NOTHING",
            sqlite_params(rows, org_id, source),
        )
        inserted = cur.rowcount
        if inserted != rows.num_rows:
            # Impossible while this transaction holds SQLite's write lock; refuse rather than
            # let the rollups drift.
            raise RuntimeError("activities changed during the import; run it again")
        agg = rollup_table(rows)
        cur.executemany(_ROLLUP_SQLITE[0], rollup_rows(agg, with_way=False))
        cur.executemany(_ROLLUP_SQLITE[1], rollup_rows(agg, with_way=True))
        return inserted
    finally:
        cur.close()


ROLLUP_COLUMNS = ("person_id", "day", "type", "way_id", "n", "adv", "pend", "dur")


def rollup_table(rows: pa.Table) -> pa.Table:
    """Per (person, day, type, way): count, advanced, pending, duration — aggregated in Arrow."""
    part = pa.table(
        {
            "person_id": rows.column("person_id"),
            "day": rows.column("day"),
            "type": rows.column("type"),
            "way_id": rows.column("way_id"),
            "one": pa.array(np.ones(rows.num_rows, np.int64)),
            "adv": pc.cast(rows.column("advanced"), pa.int64()),
            "pend": pc.cast(pc.equal(rows.column("outcome"), ""), pa.int64()),
            "dur": pc.fill_null(rows.column("duration_seconds"), 0),
        }
    )
    agg = part.group_by(["person_id", "day", "type", "way_id"], use_threads=False).aggregate(
        [("one", "sum"), ("adv", "sum"), ("pend", "sum"), ("dur", "sum")]
    )
    return agg.rename_columns(
        ["n" if c == "one_sum" else c.removesuffix("_sum") for c in agg.column_names]
    ).select(list(ROLLUP_COLUMNS))


def rollup_rows(agg: pa.Table, *, with_way: bool) -> list[tuple]:
    has_way = pc.is_valid(agg.column("way_id"))
    part = agg.filter(has_way if with_way else pc.invert(has_way))
    cols = [part.column(c) for c in ROLLUP_COLUMNS]
    cols[1] = pc.cast(cols[1], pa.string())
    return list(zip(*(c.to_pylist() for c in cols), strict=True))


def copy_csv(rows: pa.Table, columns: tuple[str, ...]) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(rows.select(list(columns)), buf, pacsv.WriteOptions(include_header=False))
    return buf.getvalue()


def _write_postgresql(org_id: int, source: str, rows: pa.Table) -> int:
    import psycopg

    full = rows.append_column("org_id", pa.array(np.full(rows.num_rows, org_id))).append_column(
        "source", pa.array([source] * rows.num_rows, pa.string())
    )
    data = copy_csv(full, ACTIVITY_COLUMNS)
    copy_sql = f"COPY {ACTIVITY} ({','.join(ACTIVITY_COLUMNS)}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as django_cur:
        cur = django_cur.cursor  # the psycopg cursor, for COPY
        # One importer per (org, source) at a time, so that the fast path below cannot race
        # another import of the same rows. Released at commit.
        cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (org_id, source))
        try:
            # Fast path, a new chunk: COPY straight into the table (the raw write speed).
            with transaction.atomic(), cur.copy(copy_sql) as cp:
                cp.write(data)
        except psycopg.errors.UniqueViolation:
            # Some rows are stored already (a re-import, an interrupted run): stage them and
            # insert what is new; RETURNING says exactly which rows that was.
            cols = ",".join(ACTIVITY_COLUMNS)
            cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cur.execute(
                f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT {cols} FROM {ACTIVITY} "
                "WITH NO DATA"
            )
            with cur.copy(copy_sql.replace(ACTIVITY, STAGE, 1)) as cp:
                cp.write(data)
            cur.execute(
                f"INSERT INTO {ACTIVITY} ({cols}) SELECT {cols} FROM {STAGE} "
                "ON CONFLICT DO NOTHING RETURNING external_id"
            )
            new = [r[0] for r in cur.fetchall()]
            rows = rows.filter(
                pc.is_in(rows.column("external_id"), value_set=pa.array(new, pa.string()))
            )
        if rows.num_rows == 0:
            return 0
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ingest_rollup_stage (person_id bigint, day date, "
            "type text, way_id bigint, n bigint, adv bigint, pend bigint, dur bigint) "
            "ON COMMIT DELETE ROWS"
        )
        cur.execute("TRUNCATE ingest_rollup_stage")
        with cur.copy(
            f"COPY ingest_rollup_stage ({','.join(ROLLUP_COLUMNS)}) FROM STDIN (FORMAT csv)"
        ) as cp:
            cp.write(copy_csv(rollup_table(rows), ROLLUP_COLUMNS))
        for sql in _rollup_upserts("ingest_rollup_stage"):
            cur.execute(sql)
        return rows.num_rows
