"""Pipeline-only orgs: diagnosis accuracy from deals alone, and the whole-org diagnosis time.

Run::

    .venv/bin/python bench/bench_pipeline.py              # 1,000 reps, accuracy + timing
    .venv/bin/python bench/bench_pipeline.py --small      # CI size: 200 reps
    .venv/bin/python bench/bench_pipeline.py --no-timing  # accuracy only (no database)

Accuracy, on deals simulated with and without stage history (``ninety.core.sim.pipeline``): the
counts go through the loader's counting (closed deals in the bucket they closed in, open ones in
the bucket they opened in; ``level_grid`` → ``step_counts``), the evidence windows and
``diagnose_group``, as in the product. Printed per run: focus hits (reps with a planted material
weakness whose focus is that stage), false focus (reps without any material weakness that get a
focus), the Neyman-Pearson ceiling (the best hit rate with at most 10 % false focus of an oracle
that knows every team's true rates and the simulator's prior, threshold swept on the truth:
``bench_diagnosis.np_ceiling``), and each stage's 90 % interval coverage of the true rate.

Timing: a deals-only org of ``--reps`` reps (teams of 10 under directors of 10 teams) written to
a SQLite file (or the PostgreSQL database ``--db URL`` names), then ``org_reports`` (every
team as its page shows it) timed, best of three, each computed (the report cache emptied first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import logsumexp

from _machine import machine  # bench/ is on sys.path when a bench runs
from bench_diagnosis import np_ceiling
from ninety.core.diagnosis import diagnose_group
from ninety.core.evidence import bucket_starts, choose_windows, window_sums
from ninety.core.funnel import DEAL_OPEN, DEAL_WON
from ninety.core.pipeline import level_grid, step_counts
from ninety.core.sim.pipeline import (
    STAGE_KEYS,
    STEPS,
    PipelineSim,
    PipelineSimConfig,
    simulate_pipeline,
)

AS_OF = dt.date(2026, 11, 30)
MATERIAL = math.log(0.8)


def _bucket(days: np.ndarray, sim: PipelineSim, starts: list[dt.date]) -> np.ndarray:
    """Bucket index of each simulated day (−1 before the oldest bucket), starts newest first."""
    last = sim.config.days - 1
    dates = np.array([(AS_OF - starts[b]).days for b in range(len(starts))])  # days back
    back = last - days
    # A day is in bucket b when it is on or after starts[b] and before starts[b-1].
    b = np.searchsorted(dates, back, side="left")
    return np.where(b < len(starts), b, -1)


def evidence(sim: PipelineSim, history: bool) -> dict[str, Any]:
    """The windowed counts the product would diagnose on (period = the as-of month).

    With stage history, three stages; without it (lost deals' stages not kept) the default
    playbook merges them into one, opened → won, as ``fit_to_steps`` does for such an org.
    """
    period_start = AS_OF.replace(day=1)
    starts = bucket_starts(period_start, AS_OF)
    closed = sim.status != DEAL_OPEN
    steps = STEPS if history else (STEPS[0], STEPS[-1])
    level = sim.level if history else (sim.status == DEAL_WON).astype(np.int64)
    r, nb = sim.config.reps, len(starts)
    bucket = _bucket(sim.closed, sim, starts)
    grid = level_grid(
        sim.owner[closed], bucket[closed], level[closed], np.zeros(int(closed.sum())),
        r, nb, len(steps),
    )  # fmt: skip
    entries, advanced, pending = step_counts(grid, steps)
    tries_b = np.stack([entries[s] - pending[s] for s in steps[:-1]], axis=1)
    succ_b = np.stack([advanced[s] for s in steps[:-1]], axis=1)
    windows = choose_windows(tries_b, succ_b, period_start, AS_OF)
    tries = np.column_stack([window_sums(tries_b[:, k], w.buckets) for k, w in enumerate(windows)])
    succ = np.column_stack([window_sums(succ_b[:, k], w.buckets) for k, w in enumerate(windows)])
    opened_b = _bucket(sim.opened, sim, starts)
    volume_b = np.zeros((r, nb))
    np.add.at(volume_b, (sim.owner[opened_b >= 0], opened_b[opened_b >= 0]), 1.0)
    won = (sim.status == DEAL_WON) & (bucket >= 0)
    wv, wc = np.zeros((r, nb)), np.zeros((r, nb))
    np.add.at(wv, (sim.owner[won], bucket[won]), sim.value[won])
    np.add.at(wc, (sim.owner[won], bucket[won]), 1.0)
    last = windows[-1].buckets
    return {
        "keys": STAGE_KEYS if history else ("close",),
        "windows": windows,
        "volume": window_sums(volume_b, windows[0].buckets),
        "tries": tries,
        "successes": succ,
        "won_value": window_sums(wv, last),
        "won_count": window_sums(wc, last),
        "scale": windows[-1].days / max(windows[0].days, 1),
    }


def oracle_posterior(team_rate: np.ndarray, sim: PipelineSim, ev: dict[str, Any]) -> np.ndarray:
    """P(no weak stage), P(weak at s) knowing the teams' true rates and the simulator's prior
    (for one merged stage: P(weak somewhere), its rate the product of the stages')."""
    cfg = sim.config
    n_st = team_rate.shape[1]
    ws = cfg.weak_share
    team = team_rate[..., None]
    x, n = ev["successes"][..., None], ev["tries"][..., None]

    def loglik(mult: np.ndarray, weights: np.ndarray) -> np.ndarray:
        lp = stats.binom.logpmf(x, n, np.minimum(team * mult, 0.95))
        return logsumexp(lp + np.log(weights), axis=-1)

    sd = cfg.typical_sd * math.sqrt(len(STAGE_KEYS) / n_st)
    z, wz = np.polynomial.hermite_e.hermegauss(9)
    l_norm = loglik(np.exp(sd * z), wz / wz.sum())
    grid = np.linspace(0.45, 0.8, 36)
    l_weak = loglik(grid, np.full(grid.size, 1 / grid.size))
    logpost = np.column_stack(
        [np.full(l_norm.shape[0], math.log(1 - ws)), math.log(ws / n_st) + l_weak - l_norm]
    )
    post = np.exp(logpost - logpost.max(axis=1, keepdims=True))
    return post / post.sum(axis=1, keepdims=True)


def accuracy(sim: PipelineSim, history: bool) -> dict[str, Any]:
    ev = evidence(sim, history)
    keys = ev["keys"]
    d = diagnose_group(
        ev["volume"], ev["tries"], ev["successes"], ev["won_value"], ev["won_count"], keys,
        groups=sim.team, kind="pipeline", volume_scale=ev["scale"],
    )  # fmt: skip
    if history:
        lr, weak, team_rate, true = sim.log_ratio, sim.weak_stage, sim.team_rate, sim.true_rate
    else:  # one merged stage: the pipeline's whole conversion
        lr = sim.log_ratio.sum(axis=1, keepdims=True)
        weak = np.where(sim.weak_stage >= 0, 0, -1)
        team_rate = sim.team_rate.prod(axis=1, keepdims=True)
        true = sim.true_rate.prod(axis=1, keepdims=True)
    material = (weak >= 0) & (lr[np.arange(lr.shape[0]), np.maximum(weak, 0)] < MATERIAL)
    clean = lr.min(axis=1) >= MATERIAL
    focus = [r.focus for r in d.reps]
    hits = sum(f == keys[w] for f, w, m in zip(focus, weak, material, strict=True) if m)
    false = sum(f is not None for f, c in zip(focus, clean, strict=True) if c)
    truth = [
        {
            "log_ratio": dict(zip(keys, lr[i], strict=True)),
            "weak_stage": keys[weak[i]] if weak[i] >= 0 else None,
        }
        for i in range(lr.shape[0])
    ]
    post = oracle_posterior(team_rate, sim, ev)
    ceiling = np_ceiling(post, keys, truth, np.ones(lr.shape[0], bool))
    low = np.array([[r.stages[k].low for k in keys] for r in d.reps])
    high = np.array([[r.stages[k].high for k in keys] for r in d.reps])
    coverage = ((low <= true) & (true <= high)).mean(axis=0)
    gaps = np.array([r.gap_pct for r in d.reps])
    return {
        "keys": keys,
        "windows": ev["windows"],
        "hits": (hits, int(material.sum())),
        "false": (false, int(clean.sum())),
        "ceiling": ceiling,
        "coverage": dict(zip(keys, coverage, strict=True)),
        "median_tries": dict(zip(keys, np.median(ev["tries"], axis=0), strict=True)),
        "gap_range": (float(np.nanmin(gaps)), float(np.nanmax(gaps))),
    }


def print_accuracy(label: str, acc: dict[str, Any]) -> None:
    (h, m), (f, c), ceil = acc["hits"], acc["false"], acc["ceiling"]
    print(f"\n== {label} ==")
    keys = acc["keys"]
    windows = zip(keys, acc["windows"], strict=True)
    print("windows: " + ", ".join(f"{k} {w.days} d" for k, w in windows))
    print(
        f"focus: hits {100 * h / max(m, 1):5.1f}% ({h}/{m}), false focus "
        f"{100 * f / max(c, 1):4.1f}% ({f}/{c}); NP ceiling {100 * ceil['hit_rate']:5.1f}% at "
        f"{100 * ceil['false_rate']:4.1f}% false"
    )
    for k in keys:
        got, of = ceil["by_stage"][k]
        print(
            f"  {k:8s} coverage {100 * acc['coverage'][k]:5.1f}%  median tries "
            f"{acc['median_tries'][k]:6.1f}  ceiling hits at this stage {got}/{of}"
        )
    lo, hi = acc["gap_range"]
    print(f"gap vs the typical rep over the window: {lo:+.0f}% to {hi:+.0f}%")


def timing(reps: int, seed: int, db: str | None = None) -> None:
    """Write a deals-only org to a SQLite file or a PostgreSQL URL (``db``: kept and reused) and
    time the whole-org diagnosis."""
    if db and "://" in db and not db.startswith("sqlite"):
        os.environ["NINETY_DATABASE_URL"] = db  # PostgreSQL
    else:
        path = Path(db) if db else Path(tempfile.mkdtemp(prefix="ninety-pipeline-")) / "b.sqlite3"
        os.environ["NINETY_DATABASE_URL"] = str(path)
    os.environ["NINETY_DEBUG"] = "0"  # as served: DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    from ninety.core.periods import Period
    from ninety.diagnosis.cache import ALIAS
    from ninety.diagnosis.services import org_reports
    from ninety.people.models import Org

    call_command("migrate", verbosity=0)
    sim = simulate_pipeline(PipelineSimConfig(reps=reps, seed=seed, days=150))
    n_teams = int(sim.team.max()) + 1
    slug = f"pipeline-{reps}-s{seed}"
    org = Org.objects.filter(slug=slug).first()
    if org is None:
        org = _write_org(sim, slug)
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk insert: the statistics, and the visibility map
            # that lets the deal query read its covering index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    period = Period.of(AS_OF)
    times, cpu = [], []
    org_reports(org, period, AS_OF)  # warm the database's page cache and the imports
    for _ in range(3):
        caches[ALIAS].clear()  # computed each time, not read from the report cache
        t0, c0 = time.perf_counter(), time.process_time()
        out = org_reports(org, period, AS_OF)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    n = sum(len(r.reps) for r in out)
    print(
        f"\nwhole-org deals-only diagnosis ({connection.vendor}, {reps:,} reps in {n_teams} teams, "
        f"{sim.owner.size:,} deals; every team as its page shows it, computed with the report "
        f"cache emptied before each run): best {min(times):.2f} s "
        f"wall, {min(cpu):.2f} s CPU; runs {', '.join(f'{t:.2f}' for t in times)} s wall, "
        f"{', '.join(f'{c:.2f}' for c in cpu)} s CPU ({n} reps diagnosed; target <= 1 s); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def _write_org(sim: PipelineSim, slug: str) -> Any:
    from ninety.activity.models import Deal
    from ninety.people.models import Org, Person, Role, Team

    reps = sim.config.reps
    org = Org.objects.create(name=slug, slug=slug)
    n_teams = int(sim.team.max()) + 1
    offices = [
        Team.objects.create(org=org, name=f"Office {i}") for i in range(math.ceil(n_teams / 10))
    ]
    teams = [
        Team.objects.create(org=org, name=f"Team {t}", parent=offices[t // 10])
        for t in range(n_teams)
    ]
    people = Person.objects.bulk_create(
        [
            Person(org=org, name=f"Rep {i}", role=Role.REP, team=teams[sim.team[i]])
            for i in range(reps)
        ]
    )
    first = AS_OF - dt.timedelta(days=sim.config.days - 1)

    def at(day: int) -> dt.datetime:
        return dt.datetime.combine(first + dt.timedelta(days=int(day)), dt.time(12), dt.UTC)

    status = {0: "open", 1: "won", 2: "lost"}
    stage = {0: "", 1: "qualified", 2: "proposal", 3: "won"}
    levels = sim.level_without_history()
    Deal.objects.bulk_create(
        [
            Deal(
                org=org, owner=people[o], opened_at=at(op), value=round(float(v), 2),
                closed_at=None if cl < 0 else at(cl), status=status[int(st)],
                stage=stage[int(lv)] if st != 2 else "lost", external_id=f"d{i}",
            )
            for i, (o, op, cl, st, lv, v) in enumerate(
                zip(sim.owner, sim.opened, sim.closed, sim.status, levels, sim.value, strict=True)
            )
        ],
        batch_size=5000,
    )  # fmt: skip
    return org


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--small", action="store_true", help="CI size: 200 reps")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument(
        "--db",
        help="SQLite file or PostgreSQL URL for the timing org (kept, reused when it exists)",
    )
    args = ap.parse_args(argv)
    if args.small:
        args.reps = 200
    print(f"machine: {machine()}")
    sim = simulate_pipeline(PipelineSimConfig(reps=args.reps, seed=args.seed))
    print(
        f"data: {args.reps:,} reps, {sim.owner.size:,} deals over {sim.config.days} days to "
        f"{AS_OF} (seed {args.seed}); {(sim.weak_stage >= 0).mean():.0%} planted weak"
    )
    print_accuracy("deals with stage history", accuracy(sim, history=True))
    print_accuracy(
        "deals without stage history (lost deals' stage not kept: one stage, opened -> won)",
        accuracy(sim, history=False),
    )
    if not args.no_timing:
        timing(args.reps, args.seed, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
