"""Benchmark: does "which ways work" find the truly best way after one month?

On simulated orgs (``ninety.core.simulate``, whose ground truth knows each way's true
multiplier), take one month of activities, count per way the tries (activities of the stage's
entry type that recorded the way) and successes (those whose outcome reached the stage's exit),
and rank the ways of every behavior with 5+ ways two ways:

- **posterior**: the way with the highest P(best) under the empirical-Bayes Beta posteriors of
  :func:`ninety.core.ways.rank_ways`;
- **adjusted**: the same posterior on rep-adjusted successes
  (:func:`ninety.core.ways.rep_adjusted_successes`: reps choose ways unevenly, so a strong rep's
  favourite way looks better than it is; the adjustment takes each rep's own rate out);
- **raw rate**: the way with the highest successes / tries.

It prints, for each, the share of behaviors where the top-ranked way is the true best (target:
>= 80% for the posterior), and the mean true multiplier of the chosen way relative to the best
(the "regret" of following the ranking). Run::

    .venv/bin/python bench/bench_ways.py            # 20 orgs of 60 reps, one month each
    .venv/bin/python bench/bench_ways.py --small    # 3 orgs of 30 reps (CI)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from _machine import machine  # bench/ is on sys.path when a bench runs
from ninety.core.simulate import ACTIVITY_TYPES, OUTCOMES, SimConfig, simulate
from ninety.core.ways import rank_ways, rep_adjusted_successes

TARGET = 0.80


def evaluate(reps: int, seed: int) -> list[dict[str, float | str | bool]]:
    """One simulated org: per behavior with 5+ ways, the posterior and raw-rate picks."""
    org = simulate(SimConfig(reps=reps, months=1, seed=seed))
    acts = org.activities
    truth = org.truth["ways"]
    rows = []
    for stage in org.playbook.stages:
        entry = ACTIVITY_TYPES.index(stage.entry)
        exit_code = OUTCOMES.index(stage.exit)
        at_stage = acts["type"] == entry
        total = int(at_stage.sum())
        for behavior in stage.behaviors:
            keys = [w.key for w in behavior.ways]
            if len(keys) < 5:
                continue
            codes = [org.ways.index((stage.key, behavior.key, k)) for k in keys]
            way = acts["way"][at_stage]
            won = acts["outcome"][at_stage] == exit_code
            person = acts["person"][at_stage]
            n_rw = np.zeros((len(org.people), len(codes)))
            x_rw = np.zeros_like(n_rw)
            for j, c in enumerate(codes):
                used = way == c
                n_rw[:, j] = np.bincount(person[used], minlength=len(org.people))
                x_rw[:, j] = np.bincount(person[used & won], minlength=len(org.people))
            n, x = n_rw.sum(0), x_rw.sum(0)
            x_adj = rep_adjusted_successes(x_rw, n_rw)
            adv = won.sum() / total if total else None
            result = rank_ways(keys, x, n, stage_rate=adv, stage_total=total, seed=seed)
            adjusted = rank_ways(keys, x_adj, n, stage_rate=adv, stage_total=total, seed=seed)
            true = np.array([truth[stage.key][k] for k in keys])
            best = keys[int(np.argmax(true))]
            raw = np.where(n > 0, x / np.maximum(n, 1), -1.0)
            post_pick = result.best.key if result.best else keys[0]
            adj_pick = adjusted.best.key if adjusted.best else keys[0]
            raw_pick = keys[int(np.argmax(raw))]
            rows.append(
                {
                    "seed": seed,
                    "stage": stage.key,
                    "tries": int(n.sum()),
                    "posterior_ok": post_pick == best,
                    "adjusted_ok": adj_pick == best,
                    "raw_ok": raw_pick == best,
                    "posterior_regret": 1 - true[keys.index(post_pick)] / true.max(),
                    "raw_regret": 1 - true[keys.index(raw_pick)] / true.max(),
                    "gap": float(np.sort(true)[-1] / np.sort(true)[-2] - 1),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size: 3 orgs of 30 reps")
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--reps", type=int, default=None)
    args = parser.parse_args(argv)
    orgs = args.orgs or (3 if args.small else 20)
    reps = args.reps or (30 if args.small else 60)
    start = time.perf_counter()
    rows = [r for seed in range(1, orgs + 1) for r in evaluate(reps, seed)]
    seconds = time.perf_counter() - start
    post = np.mean([r["adjusted_ok"] for r in rows])
    plain = np.mean([r["posterior_ok"] for r in rows])
    raw = np.mean([r["raw_ok"] for r in rows])
    print(f"machine: {machine()}")
    print(f"ways ranking after one month: {orgs} simulated orgs x {reps} reps, "
          f"{len(rows)} behaviors with 5+ ways, {seconds:.1f} s")  # fmt: skip
    print(f"{'stage':<14}{'behaviors':>10}{'tries/beh.':>12}{'adjusted':>10}{'posterior':>11}"
          f"{'raw rate':>10}")  # fmt: skip
    for stage in dict.fromkeys(r["stage"] for r in rows):
        sub = [r for r in rows if r["stage"] == stage]
        print(f"{stage:<14}{len(sub):>10}{np.mean([r['tries'] for r in sub]):>12.0f}"
              f"{np.mean([r['adjusted_ok'] for r in sub]):>10.0%}"
              f"{np.mean([r['posterior_ok'] for r in sub]):>11.0%}"
              f"{np.mean([r['raw_ok'] for r in sub]):>10.0%}")  # fmt: skip
    print(f"{'all':<14}{len(rows):>10}{'':>12}{post:>10.0%}{plain:>11.0%}{raw:>10.0%}")
    print(f"mean regret of the chosen way (1 - its true multiplier / best): posterior "
          f"{np.mean([r['posterior_regret'] for r in rows]):.1%}, raw rate "
          f"{np.mean([r['raw_regret'] for r in rows]):.1%}")  # fmt: skip
    ok = post >= TARGET
    print(f"top way (rep-adjusted posterior) = true best in {post:.0%} of behaviors "
          f"(target >= {TARGET:.0%}): "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok or args.small else 1


if __name__ == "__main__":
    sys.exit(main())
