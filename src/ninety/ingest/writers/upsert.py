"""Insert-or-update a block of rows in one set-based statement (deals, quotas).

The block travels as one parameter (SQLite: a JSON text unpacked by ``json_each``; PostgreSQL:
``COPY`` into a temporary table) and one ``INSERT … ON CONFLICT DO UPDATE … WHERE changed``
writes it, so a re-import costs about what the first import did (it used to update row by
row, each update scanning the org's deals). The caller holds the transaction.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection

from ninety.ingest.writers.activities import copy_csv
from ninety.ingest.writers.jsontext import sqlite_datetimes


def last_per_key(rows: pa.Table, key: list[str]) -> pa.Table:
    """One row per key: a key repeated in the block keeps its last row, as in a spreadsheet."""
    idx = pa.array(np.arange(rows.num_rows, dtype=np.int64))
    last = (
        rows.select(key)
        .append_column("__i", idx)
        .group_by(key, use_threads=False)
        .aggregate([("__i", "max")])
        .column("__i_max")
    )
    if len(last) == rows.num_rows:
        return rows
    return rows.take(pa.array(np.sort(last.to_numpy())))


def upsert(
    table: str,
    rows: pa.Table,
    *,
    key: tuple[str, ...],
    fixed: dict[str, Any],
    conflict_where: str = "",
) -> tuple[int, int]:
    """Write ``rows`` (plus the ``fixed`` columns) into ``table``; (inserted, updated).

    ``conflict_where`` is the predicate of a partial unique index on ``key`` (e.g.
    ``NOT (external_id = '')``). Rows equal to the stored ones are left alone (not counted).
    """
    if rows.num_rows == 0:
        return 0, 0
    rows = last_per_key(rows, [k for k in key if k not in fixed])
    names = [*fixed, *rows.column_names]
    values = [c for c in names if c not in key]
    target = f"({', '.join(key)})" + (f" WHERE {conflict_where}" if conflict_where else "")
    if connection.vendor == "postgresql":
        return _postgresql(table, rows, names, values, fixed, target)
    return _sqlite(table, rows, names, values, key, fixed, target, conflict_where)


def _sqlite_cell_lists(rows: pa.Table) -> list[list[Any]]:
    cols = []
    for name in rows.column_names:
        col = rows.column(name)
        if pa.types.is_timestamp(col.type):
            col = sqlite_datetimes(col)
        cols.append(col.to_pylist())
    return cols


def _sqlite(
    table: str,
    rows: pa.Table,
    names: list[str],
    values: list[str],
    key: tuple[str, ...],
    fixed: dict[str, Any],
    target: str,
    where: str,
) -> tuple[int, int]:
    data = json.dumps(list(zip(*_sqlite_cell_lists(rows), strict=True)), ensure_ascii=False)
    pos = {c: i for i, c in enumerate(rows.column_names)}
    select = [
        ("?" if c in fixed else f"value ->> {pos[c]}") for c in names
    ]  # the fixed values are bound once
    params_fixed = [fixed[c] for c in names if c in fixed]
    match = " AND ".join(
        f"t.{k} = ?" if k in fixed else f"t.{k} = j.value ->> {pos[k]}" for k in key
    )
    if where:  # the partial index's predicate, so that the probe can use that index
        match += " AND " + where.replace("external_id", "t.external_id")
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM json_each(%s) j CROSS JOIN {table} t ON {match}".replace(
                "?", "%s"
            ),
            [data, *[fixed[k] for k in key if k in fixed]],
        )
        existing = cur.fetchone()[0]
        changed = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in values)
        sets = ", ".join(f"{c} = excluded.{c}" for c in values)
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(select)} "
            f"FROM json_each(?) WHERE true ON CONFLICT {target} DO UPDATE SET {sets} "
            f"WHERE {changed}"
        ).replace("?", "%s")
        cur.execute(sql, [*params_fixed, data])
        written = max(cur.rowcount, 0)
    inserted = rows.num_rows - existing
    return inserted, written - inserted


def _postgresql(
    table: str,
    rows: pa.Table,
    names: list[str],
    values: list[str],
    fixed: dict[str, Any],
    target: str,
) -> tuple[int, int]:
    stage = f"ingest_stage_{table}"
    cols = rows.column_names
    with connection.cursor() as django_cur:
        cur = django_cur.cursor
        cur.execute(f"DROP TABLE IF EXISTS {stage}")
        cur.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {', '.join(cols)} "
            f"FROM {table} WITH NO DATA"
        )
        with cur.copy(f"COPY {stage} ({', '.join(cols)}) FROM STDIN (FORMAT csv)") as cp:
            cp.write(copy_csv(rows, tuple(cols)))
        select = [("%s" if c in fixed else c) for c in names]
        changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in values)
        sets = ", ".join(f"{c} = excluded.{c}" for c in values)
        cur.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(select)} FROM {stage} "
            f"ON CONFLICT {target} DO UPDATE SET {sets} WHERE {changed} "
            "RETURNING (xmax = 0)",
            [fixed[c] for c in names if c in fixed],
        )
        flags = [r[0] for r in cur.fetchall()]
    inserted = sum(1 for f in flags if f)
    return inserted, len(flags) - inserted
