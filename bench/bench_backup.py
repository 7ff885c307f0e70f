"""Time of ``ninety export`` and ``ninety restore`` for one simulated org, and the files' size.

Builds (once, then reuses) a database with a simulated org imported through the real import
path, exports it, removes it, restores it (ids kept), exports again and checks that the two
exports are byte-identical.

Usage: ``python bench/bench_backup.py [--reps 30 --months 6] [--database-url URL]``; ``--small``
is the CI size. Prints the figures, the data size and the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import machine  # bench/ is on sys.path when a bench runs

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in bench/out")
    ap.add_argument("--small", action="store_true", help="CI size: 8 reps x 1 month")
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.months = 8, 1
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"backup-{args.reps}x{args.months}-s{args.seed}"
    os.environ["NINETY_DATABASE_URL"] = args.database_url or str(OUT / f"bench-{name}.sqlite3")
    os.environ["NINETY_DEBUG"] = "0"  # as run in production: DEBUG keeps every query
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from auditlog.context import disable_auditlog
    from auditlog.models import LogEntry
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from ninety.backup.export import export_org
    from ninety.backup.restore import restore_org
    from ninety.core.simulate import SimConfig, simulate, write_dataset
    from ninety.home.audit import org_entries
    from ninety.ingest.loader import load_dataset_dir
    from ninety.people.models import Org

    call_command("migrate", verbosity=0)
    if not Org.objects.filter(slug=name).exists():
        sim = simulate(SimConfig(reps=args.reps, months=args.months, seed=args.seed,
                                 as_of=date(2026, 11, 27)))  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="ninety-bench-") as tmp:
            write_dataset(sim, Path(tmp))
            load_dataset_dir(Path(tmp), org_name=name, slug=name)
    work = Path(tempfile.mkdtemp(prefix="ninety-backup-"))
    try:
        t0 = time.perf_counter()
        manifest = export_org(Org.objects.get(slug=name), work / "a")
        t_export = time.perf_counter() - t0
        rows = sum(t["rows"] for t in manifest["tables"])
        size = sum(p.stat().st_size for p in (work / "a").iterdir())
        org = Org.objects.get(slug=name)  # removed as a whole: rows, logins, audit log
        log = list(org_entries(org).values_list("pk", flat=True))
        with disable_auditlog():
            User.objects.filter(person__org=org).delete()
            org.delete()
        LogEntry.objects.filter(pk__in=log).delete()
        t0 = time.perf_counter()
        result = restore_org(work / "a")
        t_restore = time.perf_counter() - t0
        export_org(Org.objects.get(slug=name), work / "b")
        same = all(
            (work / "a" / p.name).read_bytes() == p.read_bytes()
            for p in (work / "b").iterdir()
            if p.name != "manifest.json"
        )
    finally:
        shutil.rmtree(work)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"database: {connection.vendor}; org {name}: {rows:,} rows in "
          f"{len(manifest['tables'])} tables, {size / 2**20:.1f} MiB of JSON Lines")  # fmt: skip
    print(f"export: {t_export:.1f} s ({rows / t_export:,.0f} rows/s)")
    print(f"restore: {t_restore:.1f} s ({rows / t_restore:,.0f} rows/s), ids kept: "
          f"{result['ids_kept']}; re-export byte-identical: {same}")  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
