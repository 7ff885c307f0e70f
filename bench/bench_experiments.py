"""False alarms, power and speed of the experiment core, on simulated reps.

Run::

    .venv/bin/python bench/bench_experiments.py          # full: 4,000 null + 2,000 per effect
    .venv/bin/python bench/bench_experiments.py --small  # CI: a few seconds

The simulated team: each rep makes Poisson(8) connects per business day; each rep has their own
connect→conversation rate, Beta-distributed around 0.45 (prior strength 60, so reps differ by
about ±6 points); every day a shock common to the whole team moves all rates (log-odds, sd 0.1).
The subjects (one rep by default) change a behavior on the start date; the control is the other
8 reps. Eight weeks (40 business days) of data before the start, then a look after every business
day for eight weeks (planned end at day 40).

* **False alarms**: no true effect; share of experiments declared ``likely improved`` or
  ``likely worse`` at any look (target ≤ 5 %). Beside it, naive daily peeking: the same DiD with
  a fixed-horizon test (p < 0.05) or with P(improved) alone (≥ 95 % or ≤ 5 %), at any look.
* **Power**: true relative changes of the subjects' rate (+10 %, +20 %, +30 %); the experiment
  stops at its first conclusive verdict; share whose first verdict is ``likely improved``
  within 4 and within 8 weeks, and the median business days to it.
* **Speed**: :func:`analyse` on one experiment (target ≤ 50 ms) and on 1,000 (≤ 5 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from _machine import machine  # bench/ is on sys.path when a bench runs
from ninety.core.experiments import (
    ExperimentPlan,
    RateCounts,
    always_valid_p_value,
    analyse,
    mixture_variance,
    practical_log_odds,
    rate_did,
    rate_expected_variance,
    verdict_codes,
)

ALPHA = 0.05
THRESHOLD = 0.95
MIN_DAYS, MIN_TRIES = 5, 30


def simulate(
    rng: np.random.Generator,
    n_exp: int,
    lift: float,
    *,
    subjects: int = 1,
    controls: int = 8,
    per_day: float = 8.0,
    base: float = 0.45,
    strength: float = 60.0,
    shock_sd: float = 0.1,
    days_before: int = 40,
    days_after: int = 40,
) -> dict[str, np.ndarray]:
    """Daily successes and tries for subjects and control, shape (n_exp, days)."""
    days = days_before + days_after
    reps = subjects + controls
    rate = rng.beta(base * strength, (1 - base) * strength, size=(n_exp, reps, 1))
    logit = np.log(rate / (1 - rate)) + rng.normal(0, shock_sd, size=(n_exp, 1, days))
    p = 1 / (1 + np.exp(-logit))
    after = np.arange(days) >= days_before
    p[:, :subjects, :] = np.where(
        after, np.minimum(p[:, :subjects, :] * (1 + lift), 0.99), p[:, :subjects, :]
    )
    tries = rng.poisson(per_day, size=(n_exp, reps, days))
    wins = rng.binomial(tries, p)
    return {
        "xs": wins[:, :subjects].sum(1),
        "ns": tries[:, :subjects].sum(1),
        "xc": wins[:, subjects:].sum(1),
        "nc": tries[:, subjects:].sum(1),
        "days_before": np.array(days_before),
    }


def run_looks(sim: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Verdict codes and the naive tests at every look, shape (n_exp, days_after)."""
    db = int(sim["days_before"])
    xs, ns, xc, nc = sim["xs"], sim["ns"], sim["xc"], sim["nc"]
    before = [a[:, :db].sum(1, keepdims=True) for a in (xs, ns, xc, nc)]
    after = [np.cumsum(a[:, db:], axis=1) for a in (xs, ns, xc, nc)]
    n_looks = after[0].shape[1]
    did = rate_did(*before, *after)
    tau2 = mixture_variance(rate_expected_variance(*before, db, n_looks), ALPHA)[:, 0]
    pv = always_valid_p_value(did.estimate, did.variance, tau2)
    k = np.arange(1, n_looks + 1)
    enough = (
        (k >= MIN_DAYS)
        & (after[1] >= MIN_TRIES)
        & (after[3] >= MIN_TRIES)
        & (before[1] >= MIN_TRIES)
        & (before[3] >= MIN_TRIES)
    )
    practical = practical_log_odds((before[0] + 0.5) / (before[1] + 1), 0.10)
    codes = verdict_codes(
        did.estimate, did.variance, did.p_improved, pv, enough, k == n_looks, practical,
        tau2[:, None], ALPHA, THRESHOLD,
    )  # fmt: skip
    z = np.abs(did.estimate) / np.sqrt(did.variance)
    naive_fixed = enough & (z > 1.959963984540054)
    naive_bayes = enough & ((did.p_improved >= THRESHOLD) | (did.p_improved <= 1 - THRESHOLD))
    return {"codes": codes, "naive_fixed": naive_fixed, "naive_bayes": naive_bayes}


def false_alarms(rng: np.random.Generator, n_exp: int) -> None:
    t = time.perf_counter()
    res = run_looks(simulate(rng, n_exp, 0.0))
    codes = res["codes"]
    alarm = np.isin(codes, (1, 2)).any(axis=1)
    last_only = res["naive_fixed"][:, -1]
    secs = time.perf_counter() - t
    print(f"\nFalse alarms — {n_exp:,} experiments with no true effect, 40 daily looks each "
          f"({secs:.2f} s)")  # fmt: skip
    rows = [
        ("Ninety verdict (mSPRT p < 0.05 and P(improved) ≥ 95 %)", alarm.mean(), "≤ 5 %"),
        ("  of which 'likely improved'", (codes == 1).any(axis=1).mean(), ""),
        ("naive daily peeking, fixed-horizon DiD test p < 0.05", res["naive_fixed"].any(1).mean(),
         ""),
        ("naive daily peeking, P(improved) ≥ 95 % or ≤ 5 %", res["naive_bayes"].any(1).mean(), ""),
        ("fixed-horizon test, one look at day 40 only", last_only.mean(), "≈ 5 %"),
    ]  # fmt: skip
    se = np.sqrt(alarm.mean() * (1 - alarm.mean()) / n_exp)
    for name, share, target in rows:
        print(f"  {name:<58} {100 * share:5.1f} %  {target}")
    print(f"  (± {100 * 1.96 * se:.1f} points, 95 % Monte Carlo margin on the first line) "
          f"-> {'PASS' if alarm.mean() <= 0.05 else 'FAIL'}")  # fmt: skip


def power(rng: np.random.Generator, n_exp: int, subjects: int) -> None:
    print(f"\nPower — {n_exp:,} experiments per row; subjects: {subjects} rep(s) × ~8 connects/day,"
          " "
          f"control: 8 reps; base rate 0.45")  # fmt: skip
    print(f"  {'true change':>12} {'≤ 4 weeks':>10} {'≤ 8 weeks':>10} {'median days':>12} "
          f"{'wrong way':>10}")  # fmt: skip
    for lift in (0.10, 0.20, 0.30):
        codes = run_looks(simulate(rng, n_exp, lift, subjects=subjects))["codes"]
        conclusive = codes != 0
        first = np.where(conclusive.any(1), conclusive.argmax(1), -1)
        verdict = np.where(first >= 0, codes[np.arange(n_exp), np.maximum(first, 0)], 0)
        hit = verdict == 1
        day = first + 1
        med = float(np.median(day[hit])) if hit.any() else float("nan")
        print(f"  {f'+{lift:.0%}':>12} {100 * (hit & (day <= 20)).mean():9.1f}% "
              f"{100 * hit.mean():9.1f}% {med:12.0f} "
              f"{100 * (verdict == 2).mean():9.1f}%")  # fmt: skip


def speed(rng: np.random.Generator, n_exp: int) -> None:
    sim = simulate(rng, n_exp, 0.2)
    days = np.busday_offset("2025-01-06", np.arange(80), roll="forward")
    plan = ExperimentPlan(
        start=days[40].astype(dt.date), planned_end=days[79].astype(dt.date),
        label="connect→conversation",
    )  # fmt: skip
    data = [
        RateCounts.of(days, sim["xs"][i], sim["ns"][i], sim["xc"][i], sim["nc"][i])
        for i in range(n_exp)
    ]
    analyse(data[0], plan)  # warm up imports and caches
    one = []
    for _ in range(50):
        t = time.perf_counter()
        analyse(data[0], plan)
        one.append(time.perf_counter() - t)
    t = time.perf_counter()
    for d in data:
        analyse(d, plan)
    many = time.perf_counter() - t
    print("\nSpeed — analyse() on 80 business days of counts (40 before, 40 looks after)")
    print(f"  one experiment: median {1e3 * np.median(one):.2f} ms (target ≤ 50 ms)")
    print(f"  {n_exp:,} experiments: {many:.2f} s (target ≤ 5 s for 1,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="quick CI run (a few seconds)")
    parser.add_argument("--seed", type=int, default=20250901)
    args = parser.parse_args()
    n_null, n_eff, n_speed = (1000, 400, 200) if args.small else (4000, 2000, 1000)
    rng = np.random.default_rng(args.seed)
    print(f"Machine: {machine()}")
    print(f"Data: {n_null:,} null experiments, {n_eff:,} per effect size, 9 reps × 80 business "
          f"days each; seed {args.seed}")  # fmt: skip
    false_alarms(rng, n_null)
    power(rng, n_eff, subjects=1)
    power(rng, n_eff, subjects=3)
    speed(rng, n_speed)


if __name__ == "__main__":
    main()
