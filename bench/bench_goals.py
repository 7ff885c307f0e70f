"""Behavior goals on simulator ground truth, and the speed of a week's scorecards.

Run::

    .venv/bin/python bench/bench_goals.py            # accuracy at 300 reps x3 seeds; 1,000-rep org
    .venv/bin/python bench/bench_goals.py --small    # CI size

Accuracy (core only, the product's evidence windows, each director's region diagnosed on its
own as the product does), as of the last week of a month (the 26th):

* **on track**: every rep and stage gets a goal at the rep's *true* rate ("meets the goal") and
  one at true rate / 0.8 (the rep is 20 % below it); the share judged "on track" (target: at
  least 90 % and at most 10 %), judged by ``ninety.core.goals.status_from`` on the stage model's
  P(rate ≥ goal);
* **suggested stage**: among reps whose planted weak stage is material (true ratio below 0.8),
  the share whose suggested goal stage (``stage_of``, as the goal and the prep sheet) is that
  stage (target ≥ 90 %), and the same among those the diagnosis states a focus for, and beside
  them the ceiling of the same evidence (the Bayes rule under the simulator's own prior,
  ``evidence_posterior`` of ``bench_diagnosis.py``: what any rule on these counts can expect);
  of the misses, those the Bayes rule misses too and those where no stage reaches
  P(materially weak) 0.1 (the planted weakness hardly shows in the counts);
* **funnel backwards**: each rep's quota turned into dials a day at the rep's true rates and
  deal size, then 10,000 months simulated forward at that volume: the worst rep's mean result
  against the quota (target within 5 %).

Speed: scorecards for every rep of a simulated org for one week, from its rollups in the
database (``ninety.goals.services.org_scorecards``), median of five runs (target ≤ 1 s at
1,000 reps).
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
from types import SimpleNamespace
from typing import Any

import numpy as np

from _machine import machine  # bench/ is on sys.path when a bench runs
from bench_diagnosis import (
    MATERIAL,
    SimConfig,
    _diagnose,
    evidence_posterior,
    rep_table,
    scored_reps,
    simulate,
    true_rates,
    window_inputs,
)
from ninety.core import goals
from ninety.core.diagnosis import DiagnosisConfig
from ninety.core.sim.calendar import month_start, us_holidays
from ninety.core.simulate import _mean_deal_value
from ninety.core.stage_model import prob_at_least

OUT = Path(__file__).resolve().parent / "out"


def goal_accuracy(org: Any, m0: dt.date, as_of: dt.date) -> dict[str, Any]:
    """On-track shares, suggested-stage hits and the funnel-backwards error (see the module)."""
    reps = rep_table(org)
    inp = window_inputs(org, reps, m0, as_of=as_of)
    keys = inp["funnel"].stage_keys
    truth, keep, *_ = scored_reps(org, reps, m0, np.datetime64(as_of, "D"))
    true = true_rates(org, reps, keys)
    on = {"meets": [], "below": []}
    hits = material = focus_hits = focused = ceiling = both_miss = faint = 0
    # The ceiling of the same evidence: the Bayes rule knowing the simulator's own prior (weak
    # at one stage, how weak, team rates around the org's), team rates unknown.
    counts = SimpleNamespace(stage_keys=keys, tries=inp["tries"], successes=inp["successes"])
    bayes = evidence_posterior(org, reps, counts, calibrate=keep)[:, 1:].argmax(axis=1)
    for region in np.unique(reps["region"]):
        rows = np.flatnonzero(reps["region"] == region)
        _, g = np.unique(reps["team"][rows], return_inverse=True)
        x, n = inp["successes"][rows], inp["tries"][rows]
        for name, target in (("meets", true[rows]), ("below", true[rows] / 0.8)):
            p = prob_at_least(x, n, g, target)
            near = prob_at_least(x, n, g, goals.NEAR * target)
            status = np.vectorize(goals.status_from)(p, near)
            on[name].append((status == goals.ON_TRACK)[keep[rows]])
        diag = _diagnose(inp, rows, g, DiagnosisConfig(deal_cv=inp["deal_cv"]))
        for i, d in zip(rows, diag.reps, strict=True):
            weak = truth[i]["weak_stage"]
            if not keep[i] or weak is None or truth[i]["log_ratio"][weak] >= MATERIAL:
                continue
            pick = goals.stage_of(d, keys)  # the product's rule (goal and prep sheet)
            material += 1
            hits += pick == weak
            ceiling += keys[bayes[i]] == weak
            if pick != weak:
                both_miss += keys[bayes[i]] != weak
                faint += max(d.p_material[k] for k in keys) < 0.1
            if d.focus in keys:
                focused += 1
                focus_hits += d.focus == weak
    meets, below = np.concatenate(on["meets"]), np.concatenate(on["below"])
    return {
        "on_track_meets": float(meets.mean()),
        "on_track_below": float(below.mean()),
        "on_track_meets_by_stage": dict(zip(keys, meets.mean(axis=0).tolist(), strict=True)),
        "on_track_below_by_stage": dict(zip(keys, below.mean(axis=0).tolist(), strict=True)),
        "cells": int(meets.size),
        "suggest_hits": hits,
        "suggest_material": material,
        "focus_hits": focus_hits,
        "focused": focused,
        "ceiling_hits": ceiling,
        "misses_bayes_too": both_miss,
        "misses_faint": faint,
        "windows": [w.days for w in inp["windows"]],
        "funnel_backwards": funnel_backwards(org, reps, m0, keys),
    }


def funnel_backwards(
    org: Any, reps: dict[str, np.ndarray], m0: dt.date, keys: tuple[str, ...], months: int = 10_000
) -> dict[str, float]:
    """Quota → dials a day at the true rates → ``months`` simulated months at that volume."""
    rng = np.random.default_rng(11)
    period = m0.strftime("%Y-%m")
    q = org.quotas
    sel = q["period"] == period
    quota = dict(zip(q["person"][sel], q["amount"][sel], strict=True))
    hol = us_holidays(m0.year - 1, m0.year + 1)
    days = int(np.busday_count(np.datetime64(m0), np.datetime64(month_start(m0, -1)), holidays=hol))
    rates = true_rates(org, reps, keys)
    errors, per_day = [], []
    for i, person in enumerate(reps["person"]):
        t = org.truth["reps"][reps["ext"][i]]
        size = _mean_deal_value() * math.exp(t["log_ratio"]["deal_size"])
        target = float(quota.get(int(person), 0))
        dials = goals.volume_needed(target, days, rates[i], size)
        if not math.isfinite(dials):
            continue
        count = rng.poisson(dials * days, months)
        for p in rates[i]:
            count = rng.binomial(count, p)
        errors.append(abs(count.mean() * size / target - 1))
        per_day.append(dials)
    return {
        "reps": len(errors),
        "max_error": float(max(errors)),
        "median_error": float(np.median(errors)),
        "median_dials": float(np.median(per_day)),
    }


def _print_accuracy(seed: int, acc: dict[str, Any]) -> None:
    fb = acc["funnel_backwards"]
    print(
        f"seed {seed}: on track at the goal {100 * acc['on_track_meets']:.1f}%, 20% below it "
        f"{100 * acc['on_track_below']:.1f}% ({acc['cells']} rep-stages; windows "
        f"{acc['windows']} days)"
    )
    print(
        "   by stage, at the goal: "
        + ", ".join(f"{k} {100 * v:.0f}%" for k, v in acc["on_track_meets_by_stage"].items())
        + "; 20% below: "
        + ", ".join(f"{k} {100 * v:.0f}%" for k, v in acc["on_track_below_by_stage"].items())
    )
    hit = 100 * acc["suggest_hits"] / max(acc["suggest_material"], 1)
    print(
        f"   suggested stage = planted weak stage: {acc['suggest_hits']}/"
        f"{acc['suggest_material']} ({hit:.1f}%);"
        f" where the diagnosis states a focus: {acc['focus_hits']}/{acc['focused']}"
        f" ({100 * acc['focus_hits'] / max(acc['focused'], 1):.1f}%);"
        f" the Bayes rule on the same counts with the simulator's own prior:"
        f" {acc['ceiling_hits']}/{acc['suggest_material']}"
        f" ({100 * acc['ceiling_hits'] / max(acc['suggest_material'], 1):.1f}%);"
        f" of the {acc['suggest_material'] - acc['suggest_hits']} misses the Bayes rule misses"
        f" {acc['misses_bayes_too']} too, and in {acc['misses_faint']} no stage reaches"
        " P(materially weak) 0.1"
    )
    print(
        f"   funnel backwards: {fb['reps']} reps, median {fb['median_dials']:.1f} dials a day; "
        f"result vs quota off by {100 * fb['median_error']:.2f}% median, "
        f"{100 * fb['max_error']:.2f}% at worst"
    )


def bench_scorecards(reps: int, months: int, seed: int, as_of: dt.date, url: str | None) -> None:
    """Build (once) a simulated org in a database and time a week's scorecards for all reps."""
    OUT.mkdir(parents=True, exist_ok=True)
    slug = f"bench-{reps}x{months}-s{seed}"
    os.environ["NINETY_DATABASE_URL"] = url or str(OUT / f"{slug}.sqlite3")
    os.environ["NINETY_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ninety.activity.models import ActivityRollup
    from ninety.core.simulate import write_dataset
    from ninety.goals.models import Goal
    from ninety.goals.scorecards import org_scorecards
    from ninety.goals.services import suggest_all
    from ninety.ingest.loader import load_dataset_dir
    from ninety.people.models import Org

    call_command("migrate", verbosity=0)
    org = Org.objects.filter(slug=slug).first()
    if org is None:
        print(f"building {slug} on {connection.vendor} (once; reused by later runs)…")
        sim = simulate(SimConfig(reps=reps, months=months, seed=seed, as_of=as_of))
        with tempfile.TemporaryDirectory(prefix="ninety-bench-") as tmp:
            write_dataset(sim, Path(tmp))
            org = load_dataset_dir(Path(tmp), org_name=slug, slug=slug, progress=True)
    week = as_of - dt.timedelta(days=as_of.weekday() + 7)  # the last whole week
    made = (
        suggest_all(org, as_of, accept=True)
        if not Goal.objects.filter(org=org).exists()
        else Goal.objects.filter(org=org, status="active").count()
    )
    n_roll = ActivityRollup.objects.filter(person__org=org).count()
    times, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        cards = org_scorecards(org, week)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # CPU time beside wall time: on a shared machine the wall clock also counts the others.
    print(
        f"scorecards: {len(cards)} reps, week of {week}, {made} goals, {n_roll:,} rollup rows "
        f"({connection.vendor}): median {np.median(times):.3f} s wall, "
        f"{np.median(cpu):.3f} s CPU, of 5 (target <= 1 s); load average {os.getloadavg()[0]:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=300, help="reps of the accuracy runs")
    ap.add_argument("--seeds", default="7,8,9")
    ap.add_argument("--org-reps", type=int, default=1000, help="reps of the scorecard org")
    ap.add_argument("--months", type=int, default=3, help="history of the scorecard org")
    ap.add_argument("--as-of", default="2026-11-27")
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in bench/out")
    ap.add_argument("--small", action="store_true", help="CI size: 120 reps, one seed, 60-rep org")
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.seeds, args.org_reps, args.months = 120, "7", 60, 2
    as_of = dt.date.fromisoformat(args.as_of)
    print(f"machine: {machine()}")
    m0 = month_start(as_of, 1)
    last_week = month_start(as_of) - dt.timedelta(days=5)
    for seed in (int(s) for s in args.seeds.split(",")):
        org = simulate(SimConfig(reps=args.reps, months=3, seed=seed, as_of=as_of))
        print(
            f"data: {args.reps} reps, {len(org.activities['ts']):,} activities, as of {last_week}"
        )
        _print_accuracy(seed, goal_accuracy(org, m0, last_week))
    bench_scorecards(args.org_reps, args.months, 3, as_of, args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
