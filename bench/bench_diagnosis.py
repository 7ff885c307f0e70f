"""Accuracy, calibration and speed of the diagnosis and pace core, on simulator ground truth.

Run::

    .venv/bin/python bench/bench_diagnosis.py            # 1,000 reps
    .venv/bin/python bench/bench_diagnosis.py --reps 120 # quick run

Accuracy (one month of data): among reps whose planted weak stage is material (true log-ratio
below ln 0.8), the share whose focus is that stage (target ≥ 90 %); among reps with no material
weakness at all (every true log-ratio ≥ ln 0.8), the share that get a focus (target ≤ 10 %).
The naive baseline (lowest raw ratio to the team, no shrinkage, no certainty) is scored the same
way. Reps whose planted weakness was *fixed* (a simulated behavior change) before the month ended,
and reps still ramping up (hired less than 60 days before the month's start), are left out of
both sets: their data no longer show what the truth file records.

Pace calibration: projections made at the end of day 10 and day 20 of each of the last full
months, against the month's actual result: median absolute error (% of quota) and coverage of
the 80 % interval (target 75–85 %).

Speed: the core only (aggregated counts in, results out) for all reps of the org.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
import time
from dataclasses import replace
from typing import Any

import numpy as np

from ninety.core.diagnosis import DiagnosisConfig, diagnose_group, naive_focus
from ninety.core.funnel import (
    activity_counts,
    activity_funnel,
    cohort_funnel,
    day_start,
    deal_value_cv,
    outcome_counts,
    won_in_period,
)
from ninety.core.pace import pace_from_deals
from ninety.core.sim.calendar import month_start, us_holidays
from ninety.core.simulate import ACTIVITY_TYPES, OUTCOMES, SimConfig, simulate

MATERIAL = math.log(0.8)
RAMP_DAYS = 60


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, {platform.system()} {platform.release()}"
    )


def rep_table(org: Any) -> dict[str, np.ndarray]:
    """Rep rows of ``org.people``: person index, team index, external id, hire date."""
    reps = [i for i, p in enumerate(org.people) if p["role"] == "rep"]
    teams = sorted({org.people[i]["team"] for i in reps})
    tix = {t: k for k, t in enumerate(teams)}
    return {
        "person": np.array(reps, dtype=np.int64),
        "team": np.array([tix[org.people[i]["team"]] for i in reps], dtype=np.int64),
        "ext": np.array([org.people[i]["external_id"] for i in reps]),
        "hired": np.array([org.people[i]["hired_on"] for i in reps], dtype="datetime64[D]"),
    }


def month_ts(m0: dt.date) -> tuple[int, int]:
    return day_start(m0), day_start(month_start(m0, -1))


def diagnosis_inputs(
    org: Any, reps: dict[str, np.ndarray], m0: dt.date, counting: str = "cohort"
) -> dict[str, Any]:
    """One month's funnel per rep, aggregated from the raw activity and deal arrays."""
    start, end = month_ts(m0)
    a, d = org.activities, org.deals
    n_people = len(org.people)
    won_v, won_c = won_in_period(
        d["owner"], d["value"], d["status"], d["closed"], n_people, start, end
    )
    p = reps["person"]
    if counting == "cohort":
        counts = outcome_counts(
            a["person"],
            a["type"],
            a["outcome"],
            a["ts"],
            n_people,
            len(ACTIVITY_TYPES),
            len(OUTCOMES),
            start,
            end,
        )
        funnel = cohort_funnel(
            counts[p], ACTIVITY_TYPES, OUTCOMES, org.playbook, won_v[p], won_c[p]
        )
    else:
        counts = activity_counts(
            a["person"], a["type"], a["ts"], n_people, len(ACTIVITY_TYPES), start, end
        )
        funnel = activity_funnel(
            counts[p], org.playbook, won_v[p], won_c[p], type_names=ACTIVITY_TYPES
        )
    period = m0.strftime("%Y-%m")
    quota = np.full(n_people, np.nan)
    q = org.quotas
    sel = q["period"] == period
    quota[q["person"][sel]] = q["amount"][sel]
    # Spread of one deal's value within a rep, from the deals won before the month ended.
    won = (d["status"] == 1) & (d["closed"] >= 0) & (d["closed"] < end)
    cv = deal_value_cv(d["owner"][won], d["value"][won])
    return {"funnel": funnel, "quota": quota[p], "deal_cv": cv}


def score_focus(
    focus: list[str | None], truth: list[dict[str, Any]], keep: np.ndarray
) -> dict[str, Any]:
    hits, material, false_focus, clean = 0, 0, 0, 0
    by_stage: dict[str, list[int]] = {}
    for f, t, k in zip(focus, truth, keep, strict=True):
        if not k:
            continue
        lr = t["log_ratio"]
        weak = t["weak_stage"]
        if weak is not None and lr[weak] < MATERIAL:
            material += 1
            hits += f == weak
            by_stage.setdefault(weak, [0, 0])
            by_stage[weak][0] += f == weak
            by_stage[weak][1] += 1
        elif min(lr.values()) >= MATERIAL:
            clean += 1
            false_focus += f is not None
    return {
        "hit_rate": hits / max(material, 1),
        "material": material,
        "false_rate": false_focus / max(clean, 1),
        "clean": clean,
        "by_stage": by_stage,
    }


def bench_accuracy(
    org: Any, reps: dict[str, np.ndarray], m0: dt.date, cfg: DiagnosisConfig, counting: str
) -> dict[str, Any]:
    inp = diagnosis_inputs(org, reps, m0, counting)
    f = inp["funnel"]
    cfg = replace(cfg, deal_cv=inp["deal_cv"])
    t0 = time.perf_counter()
    diag = diagnose_group(
        f.volume,
        f.tries,
        f.successes,
        f.won_value,
        f.won_count,
        f.stage_keys,
        quota_share=inp["quota"],
        groups=reps["team"],
        kind=f.kind,
        config=cfg,
    )
    t_core = time.perf_counter() - t0
    naive = naive_focus(
        f.volume,
        f.tries,
        f.successes,
        f.won_value,
        f.won_count,
        f.stage_keys,
        groups=reps["team"],
    )
    truth = [org.truth["reps"][e] for e in reps["ext"]]
    end = np.datetime64(month_start(m0, -1), "D")
    fixed = np.array(
        [
            any(
                c["kind"] == "fix_stage" and np.datetime64(c["start"], "D") < end
                for c in t["behavior_changes"]
            )
            for t in truth
        ]
    )
    ramping = reps["hired"] > np.datetime64(m0, "D") - RAMP_DAYS
    keep = ~fixed & ~ramping
    return {
        "oracle": score_focus(oracle_focus(org, reps, m0), truth, keep),
        "ninety": score_focus(diag.focus, truth, keep),
        "naive": score_focus(naive, truth, keep),
        "excluded_fixed": int(fixed.sum()),
        "excluded_ramping": int((ramping & ~fixed).sum()),
        "core_seconds": t_core,
        "deal_cv": inp["deal_cv"],
    }


def oracle_focus(org: Any, reps: dict[str, np.ndarray], m0: dt.date) -> list[str | None]:
    """A ceiling no method can beat: knows each team's true rates and the simulator's prior.

    Posterior over "no weak stage" (60 %) and "weak at stage s" (8 % each, multiplier uniform on
    0.45-0.8) from the binomial likelihood of the month's cohort counts; the focus is the most
    probable weak stage when its posterior is at least 0.5.
    """
    from scipy import stats

    f = diagnosis_inputs(org, reps, m0)["funnel"]
    keys = f.stage_keys
    truth = [org.truth["reps"][e] for e in reps["ext"]]
    team = np.array([[t["team_rates"][k] for k in keys] for t in truth])
    x, n = f.successes, f.tries
    l0 = stats.binom.logpmf(x, n, team)
    grid = np.linspace(0.45, 0.8, 15)
    lw = np.stack([stats.binom.logpmf(x, n, team * m) for m in grid], axis=-1)
    log_bf = np.log(np.mean(np.exp(lw - l0[..., None]), axis=-1))
    logpost = np.column_stack([np.full(len(x), np.log(0.6)), np.log(0.08) + log_bf])
    post = np.exp(logpost - logpost.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    best = post[:, 1:].argmax(axis=1)
    return [
        keys[b] if p >= 0.5 else None for b, p in zip(best, post[:, 1:].max(axis=1), strict=True)
    ]


def stage_at(org: Any, t_end: int) -> np.ndarray:
    """Each deal's stage index at ``t_end`` from its activities (meeting 2, proposal 3, won 4)."""
    a = org.activities
    n_deals = len(org.deals["owner"])
    stage = np.full(n_deals, 2, dtype=np.int64)  # a deal opens at its meeting
    code = a["type"].astype(np.int64)
    m = (a["deal"] >= 0) & (a["ts"] < t_end) & (code >= 3) & (code <= 5)
    np.maximum.at(stage, a["deal"][m], code[m] - 1)
    return stage


def bench_pace(
    org: Any, reps: dict[str, np.ndarray], months: list[dt.date], draws: int
) -> dict[str, Any]:
    d = org.deals
    n_people = len(org.people)
    p = reps["person"]
    groups = np.zeros(n_people, np.int64)
    groups[p] = reps["team"] + 1  # non-reps in group 0: they own no deals
    holidays = us_holidays(2020, 2030)
    out: dict[str, Any] = {}
    seconds = []
    for day in (10, 20):
        errs, covered, n = [], 0, 0
        for m0 in months:
            start, end = month_ts(m0)
            as_of = dt.date(m0.year, m0.month, day)
            period = m0.strftime("%Y-%m")
            quota = np.full(n_people, np.nan)
            sel = org.quotas["period"] == period
            quota[org.quotas["person"][sel]] = org.quotas["amount"][sel]
            t0 = time.perf_counter()
            res = pace_from_deals(
                owner=d["owner"],
                value=d["value"],
                opened=d["opened"],
                closed=d["closed"],
                status=d["status"],
                stage=stage_at(org, day_start(as_of + dt.timedelta(days=1))),
                n_reps=n_people,
                as_of=as_of,
                period_start=m0,
                period_end=month_start(m0, -1),
                quota=quota,
                groups=groups,
                holidays=holidays,
                n_draws=draws,
            )
            seconds.append(time.perf_counter() - t0)
            actual, _ = won_in_period(
                d["owner"], d["value"], d["status"], d["closed"], n_people, start, end
            )
            ok = np.isfinite(quota[p]) & (reps["hired"] < np.datetime64(m0, "D") - RAMP_DAYS)
            rp = p[ok]
            errs.append(np.abs(res.projected[rp] - actual[rp]) / quota[rp])
            covered += int(np.sum((res.low[rp] <= actual[rp]) & (actual[rp] <= res.high[rp])))
            n += rp.size
        e = np.concatenate(errs)
        out[day] = {"mae_pct": 100 * float(np.median(e)), "coverage": covered / n, "n": n}
    out["seconds"] = float(np.median(seconds))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--months", type=int, default=6, help="history before the as-of month")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--as-of", default="2026-11-27")
    ap.add_argument("--draws", type=int, default=2000, help="pace Monte Carlo draws")
    ap.add_argument("--counting", choices=("cohort", "period"), default="cohort")
    ap.add_argument("--small", action="store_true", help="CI size: 120 reps, 3 months")
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.months = 120, 3

    as_of = dt.date.fromisoformat(args.as_of)
    t0 = time.perf_counter()
    org = simulate(SimConfig(reps=args.reps, months=args.months, seed=args.seed, as_of=as_of))
    t_sim = time.perf_counter() - t0
    reps = rep_table(org)
    print(f"machine: {machine()}")
    print(
        f"data: {len(reps['person'])} reps in {reps['team'].max() + 1} teams, "
        f"{len(org.activities['ts']):,} activities, {len(org.deals['owner']):,} deals, "
        f"{args.months} months + {as_of} (seed {args.seed}; simulated in {t_sim:.1f} s)"
    )

    cfg = DiagnosisConfig()
    m_last = month_start(as_of, 1)
    acc = bench_accuracy(org, reps, m_last, cfg, args.counting)
    print(
        f"\n== Diagnosis accuracy, one month of data ({m_last:%Y-%m}, {args.counting} funnel, "
        f"deal value CV {acc['deal_cv']:.2f}) =="
    )
    print(
        f"left out: {acc['excluded_fixed']} reps whose weak stage was fixed before month end, "
        f"{acc['excluded_ramping']} ramping reps"
    )
    for name in ("ninety", "naive", "oracle"):
        s = acc[name]
        print(
            f"{name:>7}: focus = planted weak stage {100 * s['hit_rate']:5.1f}% of "
            f"{s['material']} materially weak reps (target >= 90%); focus given to "
            f"{100 * s['false_rate']:5.1f}% of {s['clean']} reps without material weakness "
            f"(target <= 10%)"
        )
        per = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(s["by_stage"].items()))
        print(f"         by planted stage: {per}")
    print("         (oracle: knows the true team rates and the simulator's prior; a ceiling)")

    months = [month_start(as_of, 2), month_start(as_of, 1)]
    pace = bench_pace(org, reps, months, args.draws)
    print(f"\n== Pace calibration ({', '.join(f'{m:%Y-%m}' for m in months)}) ==")
    for day in (10, 20):
        r = pace[day]
        print(
            f"day {day:2d}: median absolute error {r['mae_pct']:5.1f}% of quota; 80% interval "
            f"covers {100 * r['coverage']:5.1f}% of month ends (target 75-85%), n={r['n']}"
        )

    print("\n== Speed of the core (aggregated arrays in, results out) ==")
    print(
        f"diagnose_group, {len(reps['person'])} reps x 5 stages: "
        f"{1000 * acc['core_seconds']:.0f} ms"
    )
    print(f"pace_from_deals, {len(org.deals['owner']):,} deals: {1000 * pace['seconds']:.0f} ms")
    ok = (
        acc["ninety"]["hit_rate"] >= 0.9
        and acc["ninety"]["false_rate"] <= 0.1
        and all(0.75 <= pace[d]["coverage"] <= 0.85 for d in (10, 20))
    )
    print(f"\nall targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
