"""Benchmark of ``ninety import activities``: rows/s end to end, against the raw write limit.

Run ``.venv/bin/python bench/bench_import.py`` (SQLite in a temporary file, 1,000,000 rows) or
``--database-url postgresql://postgres@127.0.0.1:5432/postgres`` (a scratch database
``ninety_bench_<pid>`` is created on that server and dropped afterwards); ``--rows 20000`` for
a quick CI run.

Three paths write the same rows into an empty ``activity_activity`` table:

1. **Ninety**: the CSV (CRM-style headers) through a mapping, validation, de-duplication and
   the incremental rollups — ``import_file`` end to end, streaming.
2. **raw**: already-parsed rows (Python tuples / one CSV buffer) written in one transaction —
   ``executemany`` on SQLite, ``COPY`` on PostgreSQL. No validation, no rollups.
3. **bulk_create**: Django model instances from the parsed rows, ``bulk_create(batch_size=5000)``.

``--dates us`` writes the dates as a US-locale CRM does (``12/01/2026 09:05 PM``, read with
``date_format: "%m/%d/%Y %I:%M %p"``); the raw path then also times parsing the same file
(pyarrow's CSV reader and ``strptime``), so "Ninety / raw parse + insert" compares like with
like. ``--memory-only`` imports once and prints the peak memory (``--rows 4200000`` is a
200 MB file). The CSV is generated in a child process, so the peak (the process's maximum
RSS, right after the Ninety path; the raw and bulk_create paths hold every row in memory,
Ninety does not) is the import's own.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from _machine import machine  # bench/ is on sys.path when a bench runs

HEADER = ("Activity ID", "Rep", "Date", "Type", "Deal", "Way", "Duration", "Result")
MAPPING = """
source: bench
columns:
  external_id: Activity ID
  person: Rep
  occurred_at: Date
  type: Type
  deal: Deal
  way: Way
  duration_seconds: Duration
  outcome: Result
values:
  type: {Call: dial, Connect: connect, Conversation: conversation, Meeting: meeting}
  outcome: {None: none, Connected: connect, Talked: conversation, Booked: meeting}
"""
TYPES = np.array(["Call", "Connect", "Conversation", "Meeting", "Email"])
OUTCOMES = np.array(["None", "Connected", "Talked", "Booked", ""])
PEOPLE = 200


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


US_FORMAT = "%m/%d/%Y %I:%M %p"


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu_s() -> float | None:
    """CPU seconds of the PostgreSQL backend serving Django's connection (None: not local, or
    SQLite, which runs inside this process and is counted by :func:`_cpu_s`)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the server runs on another machine or in another container
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_csv(path: Path, rows: int, seed: int = 0, dates: str = "iso") -> None:
    """A CRM-style activity export: ``rows`` rows, 200 reps, sorted by time, in 1M-row chunks."""
    rng = np.random.default_rng(seed)
    start = 1_790_000_000
    with path.open("wb") as f:
        f.write((",".join(HEADER) + "\n").encode())
        for lo in range(0, rows, 1_000_000):
            n = min(rows, lo + 1_000_000) - lo
            t = rng.integers(0, 180 * 86_400, n)
            t.sort()
            ty = rng.choice(5, n, p=[0.7, 0.15, 0.07, 0.03, 0.05])
            adv = rng.random(n) < 0.25
            outcome = np.where(ty == 4, 4, np.where(adv, ty + 1, 0))
            outcome = np.where(outcome > 3, 4, outcome)
            ts = pa.array((start + t).astype("datetime64[s]"))
            table = pa.table(
                {
                    "id": pc.binary_join_element_wise(
                        "A", pc.cast(pa.array(np.arange(lo, lo + n)), pa.string()), ""
                    ),
                    "rep": pc.binary_join_element_wise(
                        "P", pc.cast(pa.array(rng.integers(0, PEOPLE, n)), pa.string()), ""
                    ),
                    "date": pc.strftime(
                        ts, format=US_FORMAT if dates == "us" else "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "type": pa.array(TYPES[ty]),
                    "deal": pa.array([""] * n),
                    "way": pa.array([""] * n),
                    "duration": pa.array(rng.integers(0, 600, n)),
                    "result": pa.array(OUTCOMES[outcome]),
                }
            )
            pacsv.write_csv(
                table, f, pacsv.WriteOptions(include_header=False, quoting_style="none")
            )


def _setup_django(url: str) -> None:
    os.environ["NINETY_DATABASE_URL"] = url
    os.environ["NINETY_DEBUG"] = "0"  # as run in production: DEBUG keeps every query
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM activity_activityrollup")
        cur.execute("DELETE FROM activity_activity")
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("VACUUM")


def _parsed_rows(path: Path, org_id: int, people: dict[str, int]) -> pa.Table:
    """The file as converted rows in the table's column order (the raw path's parse)."""
    t = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=False, column_types={"Date": pa.string()}
        ),
    )
    date = t.column("Date")
    if date.length() and "/" in date[0].as_py():
        stamp = pc.strptime(date, format=US_FORMAT, unit="s")
        stamp = pc.assume_timezone(stamp, "UTC")
    else:
        stamp = pc.cast(date, pa.timestamp("s", tz="UTC"))
    keys = pa.array(list(people))
    ids = np.array(list(people.values()))
    person = ids[pc.index_in(t.column("Rep"), value_set=keys).to_numpy()]
    ty = {"Call": "dial", "Connect": "connect", "Conversation": "conversation",
          "Meeting": "meeting", "Email": "email"}  # fmt: skip
    oc = {"None": "none", "Connected": "connect", "Talked": "conversation", "Booked": "meeting"}
    n = t.num_rows
    return pa.table(
        {
            "org_id": pa.array(np.full(n, org_id)),
            "source": pa.array(["raw"] * n),
            "external_id": t.column("Activity ID"),
            "person_id": pa.array(person),
            "occurred_at": stamp,
            "type": pa.array([ty[x] for x in t.column("Type").to_pylist()]),
            "deal_id": pa.nulls(n, pa.int64()),
            "way_id": pa.nulls(n, pa.int64()),
            "duration_seconds": t.column("Duration"),
            "outcome": pa.array([oc.get(x, "") for x in t.column("Result").to_pylist()]),
        }
    )


def _raw_write(rows: pa.Table) -> float:
    """One transaction of already-parsed rows: executemany (SQLite) or COPY (PostgreSQL)."""
    from django.db import connection, transaction

    from ninety.ingest.writers import ACTIVITY_COLUMNS, copy_csv

    if connection.vendor == "postgresql":
        data = copy_csv(rows, ACTIVITY_COLUMNS)
        t0 = time.perf_counter()
        sql = f"COPY activity_activity ({','.join(ACTIVITY_COLUMNS)}) FROM STDIN (FORMAT csv)"
        with transaction.atomic(), connection.cursor() as cur, cur.cursor.copy(sql) as cp:
            cp.write(data)
        return time.perf_counter() - t0
    cols = [rows.column(c) for c in ACTIVITY_COLUMNS]
    cols[4] = pc.strftime(cols[4], format="%Y-%m-%d %H:%M:%S")
    params = list(zip(*(c.to_pylist() for c in cols), strict=True))
    connection.ensure_connection()
    raw = connection.connection
    marks = ",".join("?" * len(ACTIVITY_COLUMNS))
    t0 = time.perf_counter()
    with transaction.atomic():
        raw.execute("PRAGMA cache_size = -262144")
        raw.executemany(
            f"INSERT INTO activity_activity ({','.join(ACTIVITY_COLUMNS)}) VALUES ({marks})",
            params,
        )
    return time.perf_counter() - t0


def _bulk_create(rows: pa.Table) -> float:
    from django.db import transaction

    from ninety.activity.models import Activity

    data = rows.to_pylist()
    t0 = time.perf_counter()
    with transaction.atomic():
        Activity.objects.bulk_create(
            (
                Activity(
                    org_id=r["org_id"],
                    source="bulk",
                    external_id=r["external_id"],
                    person_id=r["person_id"],
                    occurred_at=r["occurred_at"],
                    type=r["type"],
                    duration_seconds=r["duration_seconds"],
                    outcome=r["outcome"],
                )
                for r in data
            ),
            batch_size=5000,
        )
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (default: SQLite)")
    parser.add_argument(
        "--bulk-rows", type=int, default=200_000, help="rows for the bulk_create path (slow)"
    )
    parser.add_argument("--small", action="store_true", help="CI size: 20,000 rows")
    parser.add_argument("--dates", choices=("iso", "us"), default="iso", help="date style")
    parser.add_argument("--memory-only", action="store_true", help="one import, peak memory")
    args = parser.parse_args(argv)
    if args.small:
        args.rows, args.bulk_rows = 20_000, 5_000

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "activities.csv"
        # In a child process: the generator's arrays must not count in the import's peak.
        import multiprocessing

        child = multiprocessing.get_context("fork").Process(
            target=write_csv, args=(csv_path, args.rows), kwargs={"dates": args.dates}
        )
        child.start()
        child.join()
        size = csv_path.stat().st_size
        scratch = None
        if args.database_url:
            import psycopg

            scratch = f"ninety_bench_{os.getpid()}"
            base = args.database_url.rsplit("/", 1)[0]
            with psycopg.connect(args.database_url, autocommit=True) as c:
                c.execute(f"CREATE DATABASE {scratch}")
            url = f"{base}/{scratch}"
        else:
            url = str(folder / "bench.sqlite3")
        try:
            _setup_django(url)
            result = _run(args, folder, csv_path, size)
        finally:
            if scratch:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(args.database_url, autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {scratch}")
    return result


def _run(args: argparse.Namespace, folder: Path, csv_path: Path, size: int) -> int:
    from django.db import connection

    from ninety.core.playbook_spec import default_playbook
    from ninety.ingest.mapping import parse_mapping_text
    from ninety.ingest.services import import_file
    from ninety.people.models import Org, Person
    from ninety.playbook.services import install_playbook

    org = Org.objects.create(name="Bench", slug="bench")
    install_playbook(org, default_playbook())
    Person.objects.bulk_create(
        Person(org=org, name=f"Rep {i}", external_id=f"P{i}") for i in range(PEOPLE)
    )
    people = dict(Person.objects.filter(org=org).values_list("external_id", "id"))
    extra = f'date_format: "{US_FORMAT}"\n' if args.dates == "us" else ""
    mapping = parse_mapping_text(MAPPING + extra)

    load_before, cpu0, server0 = os.getloadavg()[0], _cpu_s(), _server_cpu_s()
    t0 = time.perf_counter()
    s = import_file(org, "activities", csv_path, mapping=mapping, rejects_path=folder / "r.csv")
    ninety_s = time.perf_counter() - t0
    ninety_cpu = _cpu_s() - cpu0
    ninety_server = _server_cpu_s()
    peak = _peak_rss_mib()
    # Other processes share the two cores: the load average says how much of them this run
    # had, and CPU seconds (both threads) what the import itself costs, whatever the load.
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after the import"
    cpu_line = (
        f"Ninety import CPU: {ninety_cpu:.2f} s (user + system, all threads) = "
        f"{args.rows / ninety_cpu:,.0f} rows per CPU second"
    )
    if server0 is not None and ninety_server is not None:
        server = ninety_server - server0
        cpu_line += (
            f"; PostgreSQL backend {server:.2f} CPU s; both {ninety_cpu + server:.2f} s = "
            f"{args.rows / (ninety_cpu + server):,.0f} rows per CPU second"
        )
    assert s.imported == args.rows and s.rejected == 0, s.to_json()
    if args.memory_only:
        print(f"machine: {machine()}")
        print(
            f"data: {args.rows:,} activity rows, {size / 2**20:,.1f} MiB CSV ({args.dates} dates)"
        )
        print(f"Ninety import: {ninety_s:.2f} s, {args.rows / ninety_s:,.0f} rows/s ({load})")
        print(cpu_line)
        print(f"peak memory (max RSS after the Ninety import): {peak:,.0f} MiB")
        return 0

    t0 = time.perf_counter()
    again = import_file(org, "activities", csv_path, mapping=mapping)
    reimport_s = time.perf_counter() - t0
    assert again.imported == 0 and again.duplicates == args.rows

    t0, cpu0 = time.perf_counter(), _cpu_s()
    rows = _parsed_rows(csv_path, org.pk, people)
    parse_s, raw_cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    _empty_tables()
    raw_server0, cpu0 = _server_cpu_s(), _cpu_s()
    raw_s = _raw_write(rows)
    raw_cpu, raw_server = raw_cpu + _cpu_s() - cpu0, _server_cpu_s()
    _empty_tables()
    bulk_n = min(args.bulk_rows, args.rows)
    bulk_s = _bulk_create(rows.slice(0, bulk_n))

    n = args.rows
    ninety_rate, raw_rate, bulk_rate = n / ninety_s, n / raw_s, bulk_n / bulk_s
    vendor = connection.vendor
    if vendor == "postgresql":
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        version = __import__("sqlite3").sqlite_version
    print(f"machine: {machine()}")
    print(f"database: {vendor} {version}")
    style = "US 12-hour dates" if args.dates == "us" else "ISO dates"
    print(f"data: {n:,} activity rows, {size / 2**20:,.1f} MiB CSV ({style}), mapping + value maps")
    line = "{:<48} {:7.2f} s {:>10,.0f} rows/s"
    print(line.format("Ninety import (validate, de-dup, rollups):", ninety_s, ninety_rate))
    print(line.format("re-import of the same file (all duplicates):", reimport_s, n / reimport_s))
    raw_name = "COPY" if vendor == "postgresql" else "executemany"
    print(line.format(f"raw {raw_name} of parsed rows, one transaction:", raw_s, raw_rate))
    both = parse_s + raw_s
    print(line.format("raw parse (pyarrow) + the same insert:", both, n / both))
    print(line.format(f"Django bulk_create ({bulk_n:,} rows):", bulk_s, bulk_rate))
    print(f"Ninety / raw: {ninety_rate / raw_rate:.0%} (aim >= 60%)")
    print(f"Ninety / raw parse + insert: {ninety_rate * both / n:.0%} (aim >= 50%)")
    print(f"Ninety / bulk_create: {ninety_rate / bulk_rate:.1f}x (aim >= 4x)")
    print(f"target 150,000 rows/s: {'met' if ninety_rate >= 150_000 else 'NOT met'}")
    print(f"peak memory (max RSS after the Ninety import): {peak:,.0f} MiB")
    print(f"{load}; {cpu_line}")
    raw_line = f"raw parse + insert CPU: {raw_cpu:.2f} s in this process"
    if raw_server0 is not None and raw_server is not None:
        raw_line += f" + {raw_server - raw_server0:.2f} s PostgreSQL backend"
    print(raw_line)
    print(f"load average at the end of the run: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
