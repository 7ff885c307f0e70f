"""``ninety simulate``: write (or load) a simulated sales org with known ground truth."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.core.simulate import SimConfig, realism_report, simulate, write_dataset
from ninety.ingest.loader import load_dataset_dir


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Simulate a sales org (people, activities, deals, quotas, playbook) with its ground "
        "truth; write the CSV import formats to --out, or --load them into the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SimConfig()
        parser.add_argument("--reps", type=int, default=defaults.reps, help="number of reps")
        parser.add_argument("--months", type=int, default=defaults.months, help="full months")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--out", type=Path, default=None, help="directory to write into")
        parser.add_argument("--as-of", type=_date, default=defaults.as_of, help="YYYY-MM-DD")
        parser.add_argument("--story", action="store_true", help="plant the demo story")
        parser.add_argument("--report", action="store_true", help="print the realism report")
        parser.add_argument("--load", action="store_true", help="load into the database")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["out"] and not opts["load"]:
            raise CommandError("give --out DIR, --load, or both")
        if opts["reps"] < 1 or opts["months"] < 0:
            raise CommandError("--reps must be >= 1 and --months >= 0")
        cfg = SimConfig(
            reps=opts["reps"],
            months=opts["months"],
            seed=opts["seed"],
            as_of=opts["as_of"],
            story=opts["story"],
        )
        t0 = time.perf_counter()
        try:
            org = simulate(cfg)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["out"]:
            self._write(org, opts["out"], t0)
        if opts["load"]:
            with tempfile.TemporaryDirectory(prefix="ninety-sim-") as tmp:
                self._write(org, Path(tmp), t0)
                load_dataset_dir(Path(tmp))
            self.stdout.write(self.style.SUCCESS("loaded into the database"))
        if opts["report"]:
            self.stdout.write(realism_report(org))

    def _write(self, org: Any, out: Path, t0: float) -> None:
        counts = write_dataset(org, out)
        took = time.perf_counter() - t0
        rows = ", ".join(f"{name} {n:,}" for name, n in counts.items())
        self.stdout.write(f"wrote {out}: {rows} ({took:.1f} s)")
