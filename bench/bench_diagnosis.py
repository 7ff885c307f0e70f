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
import sys
import time
from dataclasses import replace
from typing import Any

import numpy as np

from _machine import machine  # bench/ is on sys.path when a bench runs
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


def rep_table(org: Any) -> dict[str, np.ndarray]:
    """Rep rows of ``org.people``: person index, team index, external id, hire date."""
    reps = [i for i, p in enumerate(org.people) if p["role"] == "rep"]
    teams = sorted({org.people[i]["team"] for i in reps})
    tix = {t: k for k, t in enumerate(teams)}
    by_id = {p["external_id"]: p for p in org.people}
    # A rep's region is their leader's "team" field (the director's region).
    region = [by_id[org.people[i]["manager"]]["team"] for i in reps]
    rix = {r: k for k, r in enumerate(sorted(set(region)))}
    return {
        "person": np.array(reps, dtype=np.int64),
        "team": np.array([tix[org.people[i]["team"]] for i in reps], dtype=np.int64),
        "region": np.array([rix[r] for r in region], dtype=np.int64),
        "ext": np.array([org.people[i]["external_id"] for i in reps]),
        "hired": np.array([org.people[i]["hired_on"] for i in reps], dtype="datetime64[D]"),
    }


def month_ts(m0: dt.date) -> tuple[int, int]:
    return day_start(m0), day_start(month_start(m0, -1))


def diagnosis_inputs(
    org: Any,
    reps: dict[str, np.ndarray],
    m0: dt.date,
    counting: str = "cohort",
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """One month's funnel per rep, aggregated from the raw activity and deal arrays.

    With ``as_of`` the window is the month to date (``m0`` .. ``as_of`` inclusive) and the quota
    is pro rata to the business days elapsed, as the product does.
    """
    start, end = month_ts(m0)
    share = 1.0
    if as_of is not None:
        end = day_start(as_of + dt.timedelta(days=1))
        hol = us_holidays(2020, 2030)
        m1 = np.datetime64(month_start(m0, -1), "D")
        done = np.busday_count(np.datetime64(m0, "D"), np.datetime64(as_of, "D") + 1, holidays=hol)
        share = float(done / np.busday_count(np.datetime64(m0, "D"), m1, holidays=hol))
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
    return {"funnel": funnel, "quota": quota[p] * share, "deal_cv": cv}


def score_focus(
    focus: list[str | None], truth: list[dict[str, Any]], keep: np.ndarray
) -> dict[str, Any]:
    hits, material, false_focus, clean = 0, 0, 0, 0
    by_stage: dict[str, list[int]] = {}
    false_by: dict[str, int] = {}
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
            if f is not None:
                false_by[f] = false_by.get(f, 0) + 1
    return {
        "hit_rate": hits / max(material, 1),
        "hits": hits,
        "material": material,
        "false_rate": false_focus / max(clean, 1),
        "false": false_focus,
        "clean": clean,
        "by_stage": by_stage,
        "false_by": false_by,
    }


def scored_reps(
    org: Any, reps: dict[str, np.ndarray], m0: dt.date, end: np.datetime64
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray, np.ndarray]:
    """Truth per rep and who is scored: not fixed before ``end``, not ramping at ``m0``."""
    truth = [org.truth["reps"][e] for e in reps["ext"]]
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
    return truth, ~fixed & ~ramping, fixed, ramping & ~fixed


def _diagnose(inp: dict[str, Any], rows: np.ndarray, groups: np.ndarray, cfg: DiagnosisConfig):
    f = inp["funnel"]
    return diagnose_group(
        f.volume[rows],
        f.tries[rows],
        f.successes[rows],
        f.won_value[rows],
        f.won_count[rows],
        f.stage_keys,
        quota_share=inp["quota"][rows],
        groups=groups,
        kind=f.kind,
        config=cfg,
    )


def _naive(inp: dict[str, Any], rows: np.ndarray, groups: np.ndarray) -> list[str | None]:
    f = inp["funnel"]
    return naive_focus(
        f.volume[rows],
        f.tries[rows],
        f.successes[rows],
        f.won_value[rows],
        f.won_count[rows],
        f.stage_keys,
        groups=groups,
    )


def bench_accuracy(
    org: Any,
    reps: dict[str, np.ndarray],
    m0: dt.date,
    cfg: DiagnosisConfig,
    counting: str = "cohort",
    *,
    as_of: dt.date | None = None,
    level: str = "region",
) -> dict[str, Any]:
    """Score Ninety, the naive baseline and the oracle on one window.

    ``level="region"`` mirrors the product (``comparison_reps``): each director's region is
    diagnosed on its own, ``groups`` = the team within the region, so a team is compared with its
    siblings only. ``level="org"``: all reps in one call, ``groups`` = team. The window is the
    month ``m0`` or, with ``as_of``, the month to date.
    """
    inp = diagnosis_inputs(org, reps, m0, counting, as_of=as_of)
    cfg = replace(cfg, deal_cv=inp["deal_cv"])
    n = len(reps["person"])
    focus: list[str | None] = [None] * n
    naive: list[str | None] = [None] * n
    t_core = 0.0
    runs = []
    if level == "org":
        runs = [np.arange(n)]
    elif level == "region":
        runs = [np.flatnonzero(reps["region"] == r) for r in np.unique(reps["region"])]
    else:
        raise ValueError(level)
    for rows in runs:
        _, groups = np.unique(reps["team"][rows], return_inverse=True)
        t0 = time.perf_counter()
        diag = _diagnose(inp, rows, groups, cfg)
        t_core += time.perf_counter() - t0
        for i, r in zip(rows, diag.focus, strict=True):
            focus[i] = r
        for i, r in zip(rows, _naive(inp, rows, groups), strict=True):
            naive[i] = r
    last = month_start(m0, -1) if as_of is None else as_of + dt.timedelta(days=1)
    truth, keep, fixed, ramping = scored_reps(org, reps, m0, np.datetime64(last, "D"))
    oracle = oracle_focus(org, reps, inp["funnel"])
    out = {
        "oracle": score_focus(oracle, truth, keep),
        "ninety": score_focus(focus, truth, keep),
        "naive": score_focus(naive, truth, keep),
        "excluded_fixed": int(fixed.sum()),
        "excluded_ramping": int(ramping.sum()),
        "core_seconds": t_core,
        "runs": len(runs),
        "deal_cv": inp["deal_cv"],
    }
    # Teams with at least one false focus (what a team leader sees).
    for name, fo in (("ninety", focus), ("naive", naive), ("oracle", oracle)):
        bad = {
            int(reps["team"][i])
            for i in range(n)
            if keep[i] and fo[i] is not None and min(truth[i]["log_ratio"].values()) >= MATERIAL
        }
        out[name]["teams_with_false"] = len(bad)
    out["teams"] = int(reps["team"].max() + 1)
    return out


def oracle_focus(org: Any, reps: dict[str, np.ndarray], f: Any) -> list[str | None]:
    """A ceiling no method can beat: knows each team's true rates and the simulator's prior.

    Posterior over "no weak stage" (60 %) and "weak at stage s" (8 % each, multiplier uniform on
    0.45-0.8) from the binomial likelihood of the window's cohort counts (funnel ``f``); the focus
    is the most probable weak stage when its posterior is at least 0.5.
    """
    from scipy import stats

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
    windows = [
        (f"{month_start(as_of):%Y-%m} to date ({as_of})", month_start(as_of), as_of),
        (f"{month_start(as_of, 1):%Y-%m}, full month", month_start(as_of, 1), None),
    ]
    results = {}
    for label, m0, upto in windows:
        for level in ("region", "org"):
            acc = bench_accuracy(org, reps, m0, cfg, args.counting, as_of=upto, level=level)
            results[(label, level)] = acc
            print(
                f"\n== Diagnosis accuracy: {label}, {args.counting} funnel, "
                + (
                    f"per region ({acc['runs']} runs: a team with its sibling teams, "
                    "groups = team; as the product does)"
                    if level == "region"
                    else "whole org in one call (groups = team)"
                )
                + " =="
            )
            print(
                f"left out: {acc['excluded_fixed']} reps whose weak stage was fixed before the "
                f"window ended, {acc['excluded_ramping']} ramping reps; "
                f"deal value CV {acc['deal_cv']:.2f}; core {1000 * acc['core_seconds']:.0f} ms"
            )
            for name in ("ninety", "naive", "oracle"):
                s = acc[name]
                print(
                    f"{name:>7}: hits {100 * s['hit_rate']:5.1f}% ({s['hits']}/{s['material']} "
                    f"materially weak; target >= 90%); false focus {100 * s['false_rate']:5.1f}% "
                    f"({s['false']}/{s['clean']} without material weakness; target <= 10%); "
                    f"teams with a false focus {s['teams_with_false']}/{acc['teams']}"
                )
                per = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(s["by_stage"].items()))
                fb = ", ".join(f"{k} {v}" for k, v in sorted(s["false_by"].items())) or "none"
                print(f"         hits by planted stage: {per}; false focus on: {fb}")
    print("(oracle: knows the true team rates and the simulator's prior; a ceiling)")

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
    org_run = results[(windows[1][0], "org")]
    print(
        f"diagnose_group, {len(reps['person'])} reps x 5 stages in one call: "
        f"{1000 * org_run['core_seconds']:.0f} ms"
    )
    print(f"pace_from_deals, {len(org.deals['owner']):,} deals: {1000 * pace['seconds']:.0f} ms")
    ok = (
        all(r["ninety"]["hit_rate"] >= 0.9 for r in results.values())
        and all(r["ninety"]["false_rate"] <= 0.1 for r in results.values())
        and all(0.75 <= pace[d]["coverage"] <= 0.85 for d in (10, 20))
    )
    print(f"\nall targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
