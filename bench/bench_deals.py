"""Benchmark of ``ninety import deals``: a first import, the same file again, and a file where
one deal in ten moved on (stage, status, close), on SQLite or PostgreSQL.

Run ``.venv/bin/python bench/bench_deals.py`` (25,000 deals, SQLite in a temporary file),
``--database-url postgresql://postgres@127.0.0.1:5432/postgres`` (a scratch database is created
and dropped), ``--small`` for CI (2,000 deals). The target (#15): a re-import takes at most twice
the first import (it used to update row by row, each update scanning the org's deals).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _machine import machine  # bench/ is on sys.path when a bench runs

OWNERS = 200
STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost")


def write_deals(path: Path, n: int, *, moved: float = 0.0, seed: int = 0) -> None:
    """A Salesforce-style opportunity report of ``n`` deals; ``moved`` of them closed won."""
    rng = np.random.default_rng(seed)
    stage = rng.integers(0, len(STAGES), n)
    owner = rng.integers(0, OWNERS, n)
    opened = rng.integers(0, 300, n)
    value = rng.integers(500, 50_000, n)
    flip = np.random.default_rng(seed + 1).random(n) < moved
    lines = ['"Opportunity ID","Opportunity Owner","Account Name","Opportunity Name","Stage",'
             '"Amount","Close Date","Created Date"']  # fmt: skip
    for i in range(n):
        s = 3 if flip[i] else stage[i]
        o = int(opened[i])
        created = f"{1 + o // 28 % 12:02d}/{1 + o % 28:02d}/2026"
        close = f"{1 + (o // 28 + 1) % 12:02d}/{1 + o % 28:02d}/2026"
        lines.append(
            f'"006{i:012d}","Rep {owner[i]}","Account {i % 5000}","Deal {i}","{STAGES[s]}",'
            f'"${value[i]:,}.00","{close}","{created}"'
        )
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--small", action="store_true", help="CI size: 2,000 deals")
    args = parser.parse_args(argv)
    if args.small:
        args.rows = 2_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scratch = None
        url = str(folder / "bench.sqlite3")
        if args.database_url:
            import psycopg

            scratch = f"ninety_bench_deals_{os.getpid()}"
            with psycopg.connect(args.database_url, autocommit=True) as c:
                c.execute(f"CREATE DATABASE {scratch}")
            url = f"{args.database_url.rsplit('/', 1)[0]}/{scratch}"
        try:
            _setup_django(url)
            return _run(args, folder)
        finally:
            if scratch:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(args.database_url, autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {scratch}")


def _setup_django(url: str) -> None:
    os.environ["NINETY_DATABASE_URL"] = url
    os.environ["NINETY_DEBUG"] = "0"  # as run in production: DEBUG keeps every query
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _timed(org, path: Path):  # type: ignore[no-untyped-def]
    from ninety.ingest.services import import_file

    t0 = time.perf_counter()
    s = import_file(org, "deals", path, preset="salesforce")
    return time.perf_counter() - t0, s


def _run(args: argparse.Namespace, folder: Path) -> int:
    from django.db import connection

    from ninety.people.models import Org, Person

    org = Org.objects.create(name="Bench", slug="bench")
    Person.objects.bulk_create(Person(org=org, name=f"Rep {i}") for i in range(OWNERS))
    first, moved = folder / "deals.csv", folder / "moved.csv"
    write_deals(first, args.rows)
    write_deals(moved, args.rows, moved=0.1)
    first_s, s = _timed(org, first)
    assert s.imported == args.rows and s.rejected == 0, s.to_json()
    again_s, again = _timed(org, first)
    assert again.duplicates == args.rows, again.to_json()
    moved_s, m = _timed(org, moved)
    assert m.updated > 0 and m.imported == 0, m.to_json()
    n = args.rows
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    print(f"data: {n:,} deals (Salesforce opportunity report, 200 owners)")
    line = "{:<44} {:7.2f} s {:>9,.0f} rows/s"
    print(line.format("first import:", first_s, n / first_s))
    print(line.format("re-import, nothing changed:", again_s, n / again_s))
    print(line.format(f"re-import, {m.updated:,} deals moved on:", moved_s, n / moved_s))
    worst = max(again_s, moved_s) / first_s
    print(f"re-import / first import: {worst:.2f}x (aim <= 2x)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
