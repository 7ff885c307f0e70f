"""Benchmark of ``ninety simulate``: generate and write a simulated org, print the figures.

Run ``.venv/bin/python bench/bench_simulate.py`` (default: 1000 reps, 12 months, about ten
million activity rows; target <= 60 s and <= 4 GiB peak on a 2-core machine) or with
``--reps 50 --months 2`` for a quick CI run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine  # bench/ is on sys.path when a bench runs


def _peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    parser.add_argument("--small", action="store_true", help="CI size: 50 reps x 2 months")
    args = parser.parse_args(argv)
    if args.small:
        args.reps, args.months = 50, 2

    from ninety.core.simulate import SimConfig, simulate, write_dataset

    cfg = SimConfig(reps=args.reps, months=args.months, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        t0 = time.perf_counter()
        org = simulate(cfg)
        t1 = time.perf_counter()
        counts = write_dataset(org, out)
        t2 = time.perf_counter()
        size = sum(f.stat().st_size for f in out.iterdir())
    rows = counts["activities.csv"]
    total = t2 - t0
    print(f"machine: {machine()}")
    print(f"config: reps={cfg.reps} months={cfg.months} seed={cfg.seed} as_of={cfg.as_of}")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"data size on disk: {size / 2**20:,.1f} MiB")
    print(f"simulate: {t1 - t0:.1f} s   write: {t2 - t1:.1f} s   wall total: {total:.1f} s")
    print(f"activity rows per second (end to end): {rows / total:,.0f}")
    print(f"peak memory (ru_maxrss): {_peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
