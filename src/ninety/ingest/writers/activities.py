"""Bulk writes of activity rows and their rollups: SQLite and PostgreSQL paths.

Both insert one chunk of already-validated rows with ``ON CONFLICT DO NOTHING`` semantics
(SQLite: one ``INSERT … SELECT`` over a JSON text; PostgreSQL: ``COPY``, or a staged insert when
some rows are stored already) and add only the rows actually inserted to ``ActivityRollup`` and
``ActivityWeekRollup`` (upsert-add, the same rows grouped by ISO week; on PostgreSQL the keys
after each person's last stored day are COPYed in), so that importing a file twice neither
duplicates activities nor doubles the rollups, and the weekly table always equals the daily one
by week. The caller holds the transaction.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, transaction

from ninety.activity import versions
from ninety.activity.rollups import WEEKLY, week_upsert
from ninety.ingest.writers.jsontext import json_rows

ACTIVITY = "activity_activity"
ROLLUP = "activity_activityrollup"
STAGE = "ingest_activity_stage"
SQLITE_CACHE_KIB = 32 * 1024  # 256 MiB was no faster on 1M rows, and counts in the peak
IMPORT_LOCK = 0x4E494E45  # PostgreSQL advisory lock class of activity imports ("NINE")
#: The columns of a validated chunk handed to :func:`write_activities`.
STAGE_COLUMNS = (
    "external_id", "person_id", "occurred_at", "type", "deal_id", "way_id",
    "duration_seconds", "outcome", "day", "advanced",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "org_id", "source", "external_id", "person_id", "occurred_at", "type", "deal_id", "way_id",
    "duration_seconds", "outcome",
)  # fmt: skip


_ADD = (
    f"DO UPDATE SET count = {ROLLUP}.count + excluded.count, "
    f"advanced = {ROLLUP}.advanced + excluded.advanced, "
    f"pending = {ROLLUP}.pending + excluded.pending, "
    f"duration_seconds = {ROLLUP}.duration_seconds + excluded.duration_seconds"
)
#: The rollup rows of a chunk as a relation over one JSON parameter (SQLite).
_ROLLUP_JSON = (
    "(SELECT value ->> 0 AS person_id, value ->> 1 AS day, value ->> 2 AS type, "
    "value ->> 3 AS way_id, value ->> 4 AS n, value ->> 5 AS adv, value ->> 6 AS pend, "
    "value ->> 7 AS dur FROM json_each(?))"
)
_WEEK_JSON = (
    "(SELECT value ->> 0 AS person_id, value ->> 1 AS week, value ->> 2 AS type, "
    "value ->> 3 AS n, value ->> 4 AS adv, value ->> 5 AS pend, value ->> 6 AS dur "
    "FROM json_each(?))"
)


def rollup_upsert(agg_source: str) -> str:
    """Upsert-add from ``agg_source`` (person_id, day, type, way_id, n, adv, pend, dur)."""
    cols = "(person_id, day, type, way_id, count, advanced, pending, duration_seconds)"
    select = "SELECT person_id, day, type, way_id, n, adv, pend, dur FROM"
    # WHERE true: SQLite needs it to tell the upsert's ON from a join's.
    return (
        f"INSERT INTO {ROLLUP} {cols} {select} {agg_source} WHERE true "
        f"ON CONFLICT (person_id, day, type, way_key) {_ADD}"
    )


@dataclass
class PreparedChunk:
    """One chunk of validated activity rows, encoded for the database ahead of the write.

    :func:`prepare_activities` touches no database, so an importer can prepare the next chunk in
    a background thread while :func:`write_prepared` writes this one.
    """

    vendor: str
    org_id: int
    source: str
    rows: pa.Table
    #: SQLite: (insert SQL, JSON rows, daily rollup JSON, weekly rollup JSON); PostgreSQL:
    #: (the rows' COPY CSV, the daily and the weekly rollup rows as Arrow tables).
    payload: Any


def write_activities(org_id: int, source: str, rows: pa.Table) -> int:
    """Insert ``rows`` (columns :data:`STAGE_COLUMNS`) and update the rollups; return inserted."""
    return write_prepared(prepare_activities(connection.vendor, org_id, source, rows))


def prepare_activities(vendor: str, org_id: int, source: str, rows: pa.Table) -> PreparedChunk:
    """Encode ``rows`` for ``vendor``'s bulk path: no database access (thread-safe)."""
    rows = first_per_external_id(rows)
    if vendor == "postgresql":
        payload: Any = (
            copy_csv(with_constants(rows, org_id, source), ACTIVITY_COLUMNS),
            *rollup_payload(rows, vendor),
        )
    else:
        payload = (*sqlite_insert(rows, org_id, source), *rollup_payload(rows, vendor))
    return PreparedChunk(vendor, org_id, source, rows, payload)


def write_prepared(chunk: PreparedChunk) -> int:
    """Write a :class:`PreparedChunk` and add it to the rollups; return the rows inserted.

    Rows already stored (an earlier import, an interrupted run of this one) are skipped, and
    only the rows actually inserted reach the rollups. The caller holds the transaction.
    """
    if chunk.rows.num_rows == 0:
        return 0
    written = _write_postgresql(chunk) if chunk.vendor == "postgresql" else _write_sqlite(chunk)
    if written:
        versions.bump(chunk.org_id, touched_scopes(chunk.rows))
    return written


def touched_scopes(rows: pa.Table) -> set[str]:
    """The data versions a chunk's rows change: the months of their days, and the org's whole
    scope for deal stage history (which deals have it is read whatever the day)."""
    days = pc.unique(rows.column("day").cast(pa.date32())).to_pylist()
    scopes = {versions.month_scope(d) for d in days if d is not None}
    types = pc.unique(rows.column("type")).to_pylist()
    if any(t and t.startswith("deal:") for t in types):
        scopes.add(versions.ALL)
    return scopes


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


def with_constants(rows: pa.Table, org_id: int, source: str) -> pa.Table:
    n = rows.num_rows
    return rows.append_column("org_id", pa.array(np.full(n, org_id))).append_column(
        "source", pa.array([source] * n, pa.string())
    )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sqlite_insert(rows: pa.Table, org_id: int, source: str) -> tuple[str, str]:
    """One ``INSERT … SELECT … FROM json_each(?)`` and its JSON rows (Django's SQLite dates).

    The chunk travels as one JSON text that SQLite unpacks in C: the whole insert is a single
    ``sqlite3_step``, run without the GIL, so the next chunk is prepared meanwhile (binding a
    million rows one by one through ``executemany`` holds the GIL per row). What is the same on
    every row (the org, the source, a column empty in the whole chunk) is written into the
    statement once.
    """
    values: list[str] = [str(int(org_id)), _sql_text(source)]
    cols: list[Any] = []
    for name in ACTIVITY_COLUMNS[2:]:
        col = rows.column(name)
        if col.null_count == len(col):
            values.append("NULL")
            continue
        values.append(f"value ->> {len(cols)}")
        cols.append(col)
    sql = (
        f"INSERT INTO {ACTIVITY} ({','.join(ACTIVITY_COLUMNS)}) SELECT {','.join(values)} "
        "FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
    )
    return sql, json_rows(cols)


def _write_sqlite(chunk: PreparedChunk) -> int:
    connection.ensure_connection()
    cur = connection.connection.cursor()
    try:
        # A bigger page cache keeps the activity indexes in memory while they grow (per
        # connection, bounded).
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        rows, n = chunk.rows, chunk.rows.num_rows
        ids = rows.column("external_id")
        # Fast path for a new chunk (the first and the last id are not stored): insert it all
        # and check that every row went in; if not, undo and take the careful path.
        ends = [ids[0].as_py(), ids[n - 1].as_py()]
        stored = cur.execute(
            f"SELECT count(*) FROM {ACTIVITY} WHERE org_id = ? AND source = ? "
            "AND external_id IN (?, ?) AND NOT (external_id = '')",
            (chunk.org_id, chunk.source, *ends),
        ).fetchone()[0]
        if not stored:
            sql, data, daily, weekly = chunk.payload
            savepoint = transaction.savepoint()
            cur.execute(sql, (data,))
            if cur.rowcount == n:
                transaction.savepoint_commit(savepoint)
                _sqlite_rollups(cur, daily, weekly)
                return n
            transaction.savepoint_rollback(savepoint)
        # Careful path: one probe for the whole chunk (the ids travel as one JSON array).
        found = cur.execute(
            # CROSS JOIN pins the loop order: for each id, one probe of the unique index.
            f"SELECT a.external_id FROM json_each(?) j CROSS JOIN {ACTIVITY} a "
            "ON a.org_id = ? AND a.source = ? AND a.external_id = j.value "
            "AND NOT (a.external_id = '')",
            (json.dumps(ids.to_pylist()), chunk.org_id, chunk.source),
        ).fetchall()
        if found:
            keep = pc.invert(pc.is_in(ids, value_set=pa.array([f[0] for f in found])))
            rows = rows.filter(keep)
        if rows.num_rows == 0:
            return 0
        sql, data = sqlite_insert(rows, chunk.org_id, chunk.source)
        cur.execute(sql, (data,))
        inserted = cur.rowcount
        if inserted != rows.num_rows:
            # Impossible while this transaction holds SQLite's write lock; refuse rather than
            # let the rollups drift.
            raise RuntimeError("activities changed during the import; run it again")
        _sqlite_rollups(cur, *rollup_payload(rows, "sqlite"))
        return inserted
    finally:
        cur.close()


def _sqlite_rollups(cur: Any, daily: str, weekly: str) -> None:
    cur.execute(rollup_upsert(_ROLLUP_JSON), (daily,))
    cur.execute(week_upsert(_WEEK_JSON), (weekly,))


ROLLUP_KEY = ("person_id", "day", "type", "way_id")
ROLLUP_COLUMNS = (*ROLLUP_KEY, "n", "adv", "pend", "dur")
WEEK_COLUMNS = ("person_id", "week", "type", "n", "adv", "pend", "dur")
_SUMS = [("n", "sum"), ("adv", "sum"), ("pend", "sum"), ("dur", "sum")]


def rollup_payload(rows: pa.Table, vendor: str) -> tuple[Any, Any]:
    """The chunk's daily and weekly rollup rows: JSON texts for SQLite, Arrow tables for
    PostgreSQL (split there by each person's last stored day, see :func:`_postgresql_rollups`)."""
    daily = rollup_table(rows)
    weekly = week_table(daily)
    if vendor == "postgresql":
        return daily, weekly
    return rollup_json(daily), json_rows([weekly.column(c) for c in WEEK_COLUMNS])


def _sums(table: pa.Table, keys: list[str]) -> pa.Table:
    """``table``'s amounts summed per ``keys``, sorted by them (the upsert then walks the unique
    index in order instead of jumping about: a fifth less CPU in SQLite)."""
    agg = table.group_by(keys, use_threads=False).aggregate(_SUMS)
    agg = agg.rename_columns([c.removesuffix("_sum") for c in agg.column_names])
    return agg.sort_by([(k, "ascending") for k in keys])


def week_table(daily: pa.Table) -> pa.Table:
    """Daily rollup rows (:data:`ROLLUP_COLUMNS`) summed per ISO week (``week``: its Monday)
    and type, in Arrow: the database then only upsert-adds, without a GROUP BY or a date
    function."""
    day = daily.column("day")
    back = pc.day_of_week(day)  # Monday = 0
    monday = pc.cast(pc.subtract(pc.cast(day, pa.int32()), pc.cast(back, pa.int32())), pa.date32())
    weeks = daily.drop_columns(["day"]).append_column("week", monday)
    # Summed over ways too: the weekly rollup keeps none.
    return _sums(weeks, ["person_id", "week", "type"]).select(list(WEEK_COLUMNS))


def rollup_table(rows: pa.Table) -> pa.Table:
    """Per (person, day, type, way): count, advanced, pending, duration — aggregated in Arrow,
    sorted by that key."""
    part = pa.table(
        {
            "person_id": rows.column("person_id"),
            "day": rows.column("day"),
            "type": rows.column("type"),
            "way_id": rows.column("way_id"),
            "n": pa.array(np.ones(rows.num_rows, np.int64)),
            "adv": pc.cast(rows.column("advanced"), pa.int64()),
            "pend": pc.cast(pc.equal(rows.column("outcome"), ""), pa.int64()),
            "dur": pc.fill_null(rows.column("duration_seconds"), 0),
        }
    )
    return _sums(part, list(ROLLUP_KEY)).select(list(ROLLUP_COLUMNS))


def rollup_json(agg: pa.Table) -> str:
    """The aggregated rollup rows as one JSON array of arrays (SQLite's text dates)."""
    return json_rows([agg.column(c) for c in ROLLUP_COLUMNS])


def copy_csv(rows: pa.Table, columns: tuple[str, ...]) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(rows.select(list(columns)), buf, pacsv.WriteOptions(include_header=False))
    return buf.getvalue()


def _write_postgresql(chunk: PreparedChunk) -> int:
    import psycopg

    rows, (data, daily, weekly) = chunk.rows, chunk.payload
    copy_sql = f"COPY {ACTIVITY} ({','.join(ACTIVITY_COLUMNS)}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as django_cur:
        cur = django_cur.cursor  # the psycopg cursor, for COPY
        # One chunk of one import per org at a time (rollups are per person, whatever the
        # source): the plain insert of new rollup days below relies on it. Released at commit.
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (IMPORT_LOCK, chunk.org_id))
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
            daily, weekly = rollup_payload(rows, "postgresql")
        _postgresql_rollups(cur, daily, weekly)
        return rows.num_rows


def _postgresql_rollups(cur: Any, daily: pa.Table, weekly: pa.Table) -> None:
    """Add the chunk's daily and weekly rollup rows to their tables.

    A row after its person's last stored day (week) cannot conflict, so those rows, nearly all
    of a chunk of a time-sorted export, are COPYed straight into the table; the rest (the days
    a previous chunk reached already) are upsert-added from arrays, in one statement per table.
    No temporary tables: about a fifth less server CPU than staging every rollup row and
    inserting from the stage (1M bench rows: 3.0 instead of 3.7 CPU s). Needs the per-org
    import lock: a concurrent writer could otherwise add one of those "new" keys first.
    """
    people = pc.unique(daily.column("person_id"))
    cur.execute(
        f"SELECT (SELECT max(day) FROM {ROLLUP} WHERE person_id = p), "
        f"(SELECT max(week) FROM {WEEKLY} WHERE person_id = p) "
        "FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(p, i) ORDER BY i",
        [people.to_pylist()],
    )
    last = cur.fetchall()
    amounts = "count, advanced, pending, duration_seconds"
    for table, rows, when, k in ((ROLLUP, daily, "day", 0), (WEEKLY, weekly, "week", 1)):
        ends = pa.array([r[k] for r in last], pa.date32())
        until = ends.take(pc.index_in(rows.column("person_id"), value_set=people))
        new = pc.fill_null(pc.greater(rows.column(when), until), True)
        fresh, old = rows.filter(new), rows.filter(pc.invert(new))
        key = ["person_id", when, "type", *(["way_id"] if when == "day" else [])]  # no week ways
        if fresh.num_rows:
            copy_sql = f"COPY {table} ({', '.join(key)}, {amounts}) FROM STDIN (FORMAT csv)"
            with cur.copy(copy_sql) as cp:
                cp.write(copy_csv(fresh, tuple(fresh.column_names)))
        if old.num_rows:
            types = ["bigint", "date", "text", *(["bigint"] * (len(key) - 3 + 4))]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            source = f"unnest({arrays}) AS u({', '.join(key)}, n, adv, pend, dur)"
            sql = rollup_upsert(source) if when == "day" else week_upsert(source)
            cur.execute(sql, [c.to_pylist() for c in old.columns])
