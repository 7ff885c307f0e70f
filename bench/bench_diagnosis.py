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

Ceiling of the same evidence: the oracle (the Bayes posterior of each rep's weak stage under the
simulator's prior, the team's rate integrated over what the rep's team mates' counts say of it)
with its threshold swept on the truth: the best hit rate any rule on the window's counts can
reach with at most 10 % false focus (Neyman-Pearson), overall and per planted stage, next to
each stage's median tries per rep and the tries needed to tell a 0.8 ratio at 90 % certainty and
90 % power (exact binomial). Printed beside it: the ceiling when every team's true rate is known
(information no rule on the counts has), and a what-if: the product's rule given the
simulator's own distribution of rep-to-team ratios G instead of the G it learns from each
region — what is left between Ninety and the ceiling is learning G from ~30 reps.

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
from ninety.core.evidence import bucket_starts, choose_windows
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
from ninety.core.stage_model import RATIOS, fit_prior

MATERIAL = math.log(0.8)
RELIABILITY_BINS = [(0.35, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
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
    p = reps["person"]
    if counting == "cohort":
        funnel = cohort_between(org, p, start, end)
    else:
        won_v, won_c = won_in_period(
            d["owner"], d["value"], d["status"], d["closed"], n_people, start, end
        )
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


def cohort_between(org: Any, people: np.ndarray, start: int, end: int) -> Any:
    """The cohort funnel of ``people`` over ``[start, end)`` (epoch seconds), with its wins."""
    a, d = org.activities, org.deals
    n_people = len(org.people)
    wv, wc = won_in_period(d["owner"], d["value"], d["status"], d["closed"], n_people, start, end)
    counts = outcome_counts(
        a["person"], a["type"], a["outcome"], a["ts"], n_people,
        len(ACTIVITY_TYPES), len(OUTCOMES), start, end,
    )  # fmt: skip
    return cohort_funnel(
        counts[people], ACTIVITY_TYPES, OUTCOMES, org.playbook, wv[people], wc[people]
    )


def window_inputs(
    org: Any, reps: dict[str, np.ndarray], m0: dt.date, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The product's evidence windows on the simulator's arrays.

    Bucket counts as ``ninety.diagnosis.loaders.load_buckets`` gives them (the period to date,
    then whole weeks before it), windows chosen by :func:`ninety.core.evidence.choose_windows`,
    each stage's counts over its window; volume over the first stage's window, deal size over
    the last stage's; the result and quota are the period's.
    """
    base = diagnosis_inputs(org, reps, m0, "cohort", as_of=as_of)
    last = (month_start(m0, -1) - dt.timedelta(days=1)) if as_of is None else as_of
    end = day_start(last + dt.timedelta(days=1))
    p = reps["person"]
    funnels = [cohort_between(org, p, day_start(b), end) for b in bucket_starts(m0, last)]
    sizes = [(f.won_value, f.won_count) for f in funnels]
    tries = np.stack([f.tries for f in funnels], axis=2)
    succ = np.stack([f.successes for f in funnels], axis=2)
    wins = choose_windows(
        np.diff(tries, axis=2, prepend=0.0), np.diff(succ, axis=2, prepend=0.0), m0, last
    )
    k_idx = np.arange(tries.shape[1])
    b_idx = np.array([w.buckets - 1 for w in wins])
    base.update(
        windows=wins,
        tries=tries[:, k_idx, b_idx],
        successes=succ[:, k_idx, b_idx],
        volume=funnels[wins[0].buckets - 1].volume,
        size_value=sizes[wins[-1].buckets - 1][0],
        size_count=sizes[wins[-1].buckets - 1][1],
    )
    return base


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


def changed_before(org: Any, reps: dict[str, np.ndarray], end: np.datetime64) -> np.ndarray:
    """Reps with any behavior change (a fixed stage, a new way) that started before ``end``."""
    return np.array(
        [
            any(
                c["kind"] and np.datetime64(c["start"], "D") < end
                for c in org.truth["reps"][e]["behavior_changes"]
            )
            for e in reps["ext"]
        ]
    )


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


def _diagnose(
    inp: dict[str, Any],
    rows: np.ndarray,
    groups: np.ndarray,
    cfg: DiagnosisConfig,
    ratio_prior: np.ndarray | None = None,
):
    f = inp["funnel"]
    windowed = "windows" in inp
    return diagnose_group(
        (inp["volume"] if windowed else f.volume)[rows],
        (inp["tries"] if windowed else f.tries)[rows],
        (inp["successes"] if windowed else f.successes)[rows],
        f.won_value[rows],
        f.won_count[rows],
        f.stage_keys,
        quota_share=inp["quota"][rows],
        groups=groups,
        kind=f.kind,
        config=cfg,
        size_value=inp["size_value"][rows] if windowed else None,
        size_count=inp["size_count"][rows] if windowed else None,
        ratio_prior=ratio_prior,
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
    windows: bool = False,
    ratio_prior: np.ndarray | str | None = None,
) -> dict[str, Any]:
    """Score Ninety, the naive baseline and the oracle on one window.

    ``ratio_prior``: diagnose with this G (e.g. :func:`simulator_prior`) instead of the one each
    call fits: what the rule reaches when the shape of rep-to-team differences is known;
    ``"org"``: each region's G pulled toward the whole org's (``fit_prior(..., base=G_org)``);
    ``"stable"``: each region's G fitted without the reps whose behavior changed before the
    window's end (the simulator's truth, which no product has: their rates moved within the
    window, so their ratios are not draws from the G of stable reps).

    ``windows=True``: each stage judged on the product's evidence window (:func:`window_inputs`);
    the oracle and the ceiling then see the same windowed counts.

    ``level="region"`` mirrors the product (``comparison_reps``): each director's region is
    diagnosed on its own, ``groups`` = the team within the region, so a team is compared with its
    siblings only. ``level="org"``: all reps in one call, ``groups`` = team. The window is the
    month ``m0`` or, with ``as_of``, the month to date.
    """
    if windows:
        inp = window_inputs(org, reps, m0, as_of=as_of)
    else:
        inp = diagnosis_inputs(org, reps, m0, counting, as_of=as_of)
    cfg = replace(cfg, deal_cv=inp["deal_cv"])
    n_st = len(inp["funnel"].stage_keys)
    low = np.full((len(reps["person"]), n_st), np.nan)
    high = low.copy()
    certainty = np.full(len(reps["person"]), np.nan)
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
    g_org = None
    if isinstance(ratio_prior, str) and ratio_prior == "org":
        _, teams = np.unique(reps["team"], return_inverse=True)
        g_org = fit_prior(inp["successes"], inp["tries"], teams, base=None)
    last = month_start(m0, -1) if as_of is None else as_of + dt.timedelta(days=1)
    stable = ~changed_before(org, reps, np.datetime64(last, "D"))
    for rows in runs:
        _, groups = np.unique(reps["team"][rows], return_inverse=True)
        g_run = ratio_prior
        if g_org is not None:
            g_run = fit_prior(inp["successes"][rows], inp["tries"][rows], groups, base=g_org)
        elif isinstance(ratio_prior, str) and ratio_prior == "stable":
            keep_rows = rows[stable[rows]]
            _, g_keep = np.unique(reps["team"][keep_rows], return_inverse=True)
            g_run = fit_prior(inp["successes"][keep_rows], inp["tries"][keep_rows], g_keep)
        t0 = time.perf_counter()
        diag = _diagnose(inp, rows, groups, cfg, g_run)
        t_core += time.perf_counter() - t0
        for i, r in zip(rows, diag.reps, strict=True):
            focus[i] = r.focus
            certainty[i] = r.focus_certainty if r.focus is not None else np.nan
            low[i] = [s.low for s in r.stages.values()]
            high[i] = [s.high for s in r.stages.values()]
        for i, r in zip(rows, _naive(inp, rows, groups), strict=True):
            naive[i] = r
    truth, keep, fixed, ramping = scored_reps(org, reps, m0, np.datetime64(last, "D"))
    f = inp["funnel"]
    if windows:
        f = replace(f, tries=inp["tries"], successes=inp["successes"])
    post = oracle_posterior(org, reps, f, calibrate=keep)
    oracle = oracle_focus(post, f.stage_keys)
    out = {
        "ceiling_known": np_ceiling(post, f.stage_keys, truth, keep),
        "ceiling": np_ceiling(
            evidence_posterior(org, reps, f, calibrate=keep), f.stage_keys, truth, keep
        ),
        "sizes": sample_size_table(f, keep),
        "oracle": score_focus(oracle, truth, keep),
        "ninety": score_focus(focus, truth, keep),
        "naive": score_focus(naive, truth, keep),
        "excluded_fixed": int(fixed.sum()),
        "excluded_ramping": int(ramping.sum()),
        "core_seconds": t_core,
        "runs": len(runs),
        "deal_cv": inp["deal_cv"],
        "windows": inp.get("windows"),
        "coverage": interval_coverage(org, reps, f.stage_keys, low, high, keep),
        "reliability": reliability_pairs(focus, certainty, truth, keep),
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


def true_rates(org: Any, reps: dict[str, np.ndarray], keys: tuple[str, ...]) -> np.ndarray:
    """Each rep's true rate per stage: the team's rate times the planted ratio (capped 0.92)."""
    truth = [org.truth["reps"][e] for e in reps["ext"]]
    team = np.array([[t["team_rates"][k] for k in keys] for t in truth])
    ratio = np.exp([[t["log_ratio"][k] for k in keys] for t in truth])
    return np.minimum(team * ratio, 0.92)


def interval_coverage(
    org: Any,
    reps: dict[str, np.ndarray],
    keys: tuple[str, ...],
    low: np.ndarray,
    high: np.ndarray,
    keep: np.ndarray,
) -> dict[str, float]:
    """Share of the scored reps whose displayed 90 % interval holds their true rate, per stage."""
    true = true_rates(org, reps, keys)
    inside = (low <= true) & (true <= high)
    return {k: float(inside[keep, j].mean()) for j, k in enumerate(keys)}


def reliability_pairs(
    focus: list[str | None], certainty: np.ndarray, truth: list[dict[str, Any]], keep: np.ndarray
) -> list[tuple[float, bool]]:
    """(stated certainty, focus right) for every focus on a scored rep: right when the focus
    stage's true ratio is below 0.8 (volume and deal size are never planted weak: wrong)."""
    out = []
    for f, c, t, k in zip(focus, certainty, truth, keep, strict=True):
        if k and f is not None:
            out.append((float(c), f in t["log_ratio"] and t["log_ratio"][f] < MATERIAL))
    return out


def _truth_arrays(
    org: Any, reps: dict[str, np.ndarray], f: Any, calibrate: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """True team rates (reps, stages), scaled per stage so the window's successes match the true
    rates (the windowed cohort counts are not exactly the rates), and each rep's true rate."""
    keys = f.stage_keys
    truth = [org.truth["reps"][e] for e in reps["ext"]]
    team = np.array([[t["team_rates"][k] for k in keys] for t in truth])
    true = np.minimum(team * np.exp([[t["log_ratio"][k] for k in keys] for t in truth]), CAP)
    if calibrate is not None:
        c = calibrate
        factor = f.successes[c].sum(axis=0) / np.maximum((f.tries[c] * true[c]).sum(axis=0), 1e-9)
        team = team * factor[None, :]
    return team, true


#: Rates are capped in the simulator (src/ninety/core/sim/org.py).
CAP = 0.92
#: The simulator's multipliers: typical (log-normal sd 0.05, 9 Gauss-Hermite nodes), weak
#: (uniform 0.45-0.8) and strong (uniform 1.2-1.5), as (multipliers, weights).
_Z9, _W9 = np.polynomial.hermite_e.hermegauss(9)
SIM_MULTS = {
    "norm": (np.exp(0.05 * _Z9), _W9 / _W9.sum()),
    "weak": (np.linspace(0.45, 0.8, 36), np.full(36, 1 / 36)),
    "strong": (np.linspace(1.2, 1.5, 31), np.full(31, 1 / 31)),
}


def simulator_prior(org: Any, n_stages: int) -> np.ndarray:
    """The simulator's own distribution of a rep's ratio to the team at one stage, on the stage
    model's lattice: typical (log-normal sd 0.05), weak at this stage (``weak_share`` / stages,
    uniform 0.45-0.8) or strong (``strong_share`` / stages, uniform 1.2-1.5)."""
    sim = org.truth["config"]
    pw, ps = float(sim["weak_share"]) / n_stages, float(sim["strong_share"]) / n_stages
    lr = np.log(RATIOS)
    parts = [
        np.exp(-0.5 * (lr / 0.05) ** 2),
        ((RATIOS >= 0.45) & (RATIOS <= 0.8)).astype(float),
        ((RATIOS >= 1.2) & (RATIOS <= 1.5)).astype(float),
    ]
    g = sum(w * p / p.sum() for w, p in zip((1 - pw - ps, pw, ps), parts, strict=True))
    g = np.maximum(g, 1e-12)  # the lattice's empty cells stay possible (log of the prior)
    return g / g.sum()


def _state_logliks(x: np.ndarray, n: np.ndarray, team: np.ndarray) -> dict[str, np.ndarray]:
    """log P(counts | team rate, state) for each state, integrated over its multiplier; ``team``
    broadcasts against (reps, stages) with trailing axes of its own (e.g. a grid of team rates)."""
    from scipy import stats
    from scipy.special import logsumexp

    extra = team.ndim - 2
    xx = x.reshape(x.shape + (1,) * (extra + 1))
    nn = n.reshape(n.shape + (1,) * (extra + 1))
    out = {}
    for state, (mult, w) in SIM_MULTS.items():
        lp = stats.binom.logpmf(xx, nn, np.minimum(team[..., None] * mult, CAP))
        out[state] = logsumexp(lp + np.log(w), axis=-1)
    return out


def _weak_stage_posterior(org: Any, ll: dict[str, np.ndarray]) -> np.ndarray:
    """P(no weak stage), P(weak at s) from each rep's per-stage state log-likelihoods, under the
    simulator's prior: weak at one stage with probability ``weak_share`` (stage uniform),
    independently strong at one other with ``strong_share`` (a rep without a weak stage is never
    drawn strong at the last one); the likelihood is summed over the strong stage."""
    from scipy.special import logsumexp

    sim = org.truth["config"]
    ws, ss = float(sim["weak_share"]), float(sim["strong_share"])
    l_norm = ll["norm"]
    n_reps, n_st = l_norm.shape
    base = l_norm.sum(axis=1)
    d_weak, d_strong = ll["weak"] - l_norm, ll["strong"] - l_norm
    none = np.full(n_reps, np.log(1 - ss))
    logpost = np.empty((n_reps, 1 + n_st))
    logpost[:, 0] = np.log(1 - ws) + logsumexp(
        np.column_stack([none, np.log(ss / (n_st - 1)) + d_strong[:, :-1]]), axis=1
    )
    for w in range(n_st):
        others = [s for s in range(n_st) if s != w]
        strong = np.column_stack([none, np.log(ss / (n_st - 1)) + d_strong[:, others]])
        logpost[:, 1 + w] = np.log(ws / n_st) + d_weak[:, w] + logsumexp(strong, axis=1)
    logpost += base[:, None]
    post = np.exp(logpost - logpost.max(axis=1, keepdims=True))
    return post / post.sum(axis=1, keepdims=True)


def reliability_line(pairs: list[tuple[float, bool]]) -> str:
    """Stated -> right per reliability bin, on one line."""
    rel = np.array(pairs) if pairs else np.zeros((0, 2))
    out = []
    for lo, hi in RELIABILITY_BINS:
        m = (rel[:, 0] >= lo) & (rel[:, 0] < hi) if rel.size else np.zeros(0, bool)
        if m.sum():
            out.append(f"{rel[m, 0].mean():.2f}->{rel[m, 1].mean():.2f} (n={int(m.sum())})")
    return "reliability " + ", ".join(out)


def oracle_posterior(
    org: Any, reps: dict[str, np.ndarray], f: Any, calibrate: np.ndarray | None = None
) -> np.ndarray:
    """The Bayes posterior of each rep's weak stage under the simulator's own model, knowing
    each team's true rates (information no rule on the counts has).

    Knows each team's true rates and the simulator's prior (``src/ninety/core/sim/org.py``): a
    rep is weak at one stage with probability ``weak_share`` (stage uniform, multiplier uniform
    on 0.45-0.8), independently strong at one other stage with probability ``strong_share``
    (multiplier uniform on 1.2-1.5), and every other stage is the team's rate times a
    log-normal multiplier (sd 0.05); rates are capped at 0.92. The window's cohort counts are
    binomial given those rates.

    Returns an array (reps, 1 + stages): P(no weak stage), then P(weak at stage s).
    """
    team, _ = _truth_arrays(org, reps, f, calibrate)
    return _weak_stage_posterior(org, _state_logliks(f.successes, f.tries, team))


#: Grid of team rates for :func:`evidence_posterior`: standard-normal nodes of the simulator's
#: between-team spread (log-sd 0.07 around the org's rate for the stage).
TEAM_SD = 0.07
_TEAM_Z = np.linspace(-4.0, 4.0, 33)


def evidence_posterior(
    org: Any, reps: dict[str, np.ndarray], f: Any, calibrate: np.ndarray | None = None
) -> np.ndarray:
    """The same Bayes posterior when the team rates are *not* known: only the counts and the
    simulator's prior (team rates log-normal around the org's rate with sd 0.07, as drawn).

    Each rep's team rate is integrated over its posterior given the *other* reps of the team
    (their counts under the per-stage mixture of states), then the rep's states are weighed as in
    :func:`oracle_posterior`. This is the Bayes rule on the evidence any product has, so its
    Neyman-Pearson sweep is the ceiling of the same evidence.
    """
    from scipy.special import logsumexp

    team_true, _ = _truth_arrays(org, reps, f, calibrate)
    n_teams = int(reps["team"].max()) + 1
    # The org's rate per stage (the prior's centre): the mean log team rate, scaled as above.
    centre = np.log(team_true).mean(axis=0)
    grid = np.exp(centre[None, :, None] + TEAM_SD * _TEAM_Z[None, None, :])  # (1, S, Z)
    prior_z = -0.5 * _TEAM_Z**2
    ll = _state_logliks(f.successes, f.tries, np.broadcast_to(grid, (*f.tries.shape, _TEAM_Z.size)))
    sim = org.truth["config"]
    n_st = f.tries.shape[1]
    pw, ps = float(sim["weak_share"]) / n_st, float(sim["strong_share"]) / n_st
    mix = logsumexp(
        np.stack([ll["norm"], ll["weak"], ll["strong"]]),
        axis=0,
        b=np.array([1 - pw - ps, pw, ps])[:, None, None, None],
    )  # (R, S, Z): a rep's counts at a stage given the team rate, state unknown
    team_sum = np.zeros((n_teams, *mix.shape[1:]))
    np.add.at(team_sum, reps["team"], mix)
    loo = team_sum[reps["team"]] - mix + prior_z
    w = loo - logsumexp(loo, axis=-1, keepdims=True)
    return _weak_stage_posterior(org, {k: logsumexp(v + w, axis=-1) for k, v in ll.items()})


def oracle_focus(post: np.ndarray, keys: tuple[str, ...]) -> list[str | None]:
    """The oracle's focus: the most probable weak stage when its posterior is at least 0.5."""
    best = post[:, 1:].argmax(axis=1)
    top = post[:, 1:].max(axis=1)
    return [keys[b] if p >= 0.5 else None for b, p in zip(best, top, strict=True)]


def np_ceiling(
    post: np.ndarray,
    keys: tuple[str, ...],
    truth: list[dict[str, Any]],
    keep: np.ndarray,
    alpha: float = 0.1,
) -> dict[str, Any]:
    """Neyman-Pearson ceiling: the oracle's best hit rate with at most ``alpha`` false focus.

    Maximising E[hits] - lambda E[false focus] over every rule that sees the window's counts gives
    (Lagrange / Neyman-Pearson): focus on the most probable weak stage s* when
    P(weak at s*) / P(no weak stage) exceeds a threshold. The threshold is swept on the truth
    (the most generous choice, so the figure is an upper bound up to sampling noise): the lowest
    one that gives at most ``alpha`` of the reps without material weakness a focus.

    Per planted stage two figures: hits at that overall threshold, and the stage's own ceiling,
    the best detector of "weak at s" alone spending the whole false-focus budget on s (any rule's
    hits at s are bounded by it, since its focuses on s alone stay within the budget).
    """
    mat, clean, weak = [], [], []
    for t, k in zip(truth, keep, strict=True):
        lr, w = t["log_ratio"], t["weak_stage"]
        m = bool(k) and w is not None and lr[w] < MATERIAL
        mat.append(m)
        clean.append(bool(k) and not m and min(lr.values()) >= MATERIAL)
        weak.append(keys.index(w) if w is not None else -1)
    mat_a, clean_a, weak_a = np.array(mat), np.array(clean), np.array(weak)
    n_clean, budget = int(clean_a.sum()), math.floor(alpha * clean_a.sum())
    tiny = 1e-300

    def best_under_budget(stat: np.ndarray) -> float:
        cs = np.sort(stat[clean_a])[::-1]
        return float(cs[budget]) if budget < cs.size else -np.inf

    log_odds = np.log(np.maximum(post[:, 1:], tiny)) - np.log(np.maximum(post[:, :1], tiny))
    best = log_odds.argmax(axis=1)
    stat = log_odds.max(axis=1)
    thr = best_under_budget(stat)
    focus = stat > thr
    hit = focus & mat_a & (best == weak_a)
    by_stage: dict[str, list[int]] = {}
    own: dict[str, list[int]] = {}
    for s, key in enumerate(keys):
        at = mat_a & (weak_a == s)
        by_stage[key] = [int((hit & at).sum()), int(at.sum())]
        t_s = best_under_budget(log_odds[:, s])
        own[key] = [int(((log_odds[:, s] > t_s) & at).sum()), int(at.sum())]
    n_mat = max(int(mat_a.sum()), 1)
    return {
        "hit_rate": int(hit.sum()) / n_mat,
        "hits": int(hit.sum()),
        "material": n_mat,
        "false_rate": int((focus & clean_a).sum()) / max(n_clean, 1),
        "false": int((focus & clean_a).sum()),
        "clean": n_clean,
        "by_stage": by_stage,
        "own_stage": own,
        "arrays": {"stat": stat, "best": best, "mat": mat_a, "clean": clean_a, "weak": weak_a},
    }


def one_line_bayes(ceilings: list[dict[str, Any]], alpha: float = 0.1) -> list[tuple[float, float]]:
    """The Bayes rule of the same evidence with *one* line for several runs (as a product has one
    line for every page): the lowest threshold on its statistic that keeps every run's false
    focus at most ``alpha``, chosen on these runs' truth (generous). (hits, false) per run.

    The ceiling sweeps its line per run on that run's truth; a rule with one line cannot, so this
    is what a rule knowing the simulator's model exactly reaches when held to one line."""

    def at(c: dict[str, Any], t: float) -> tuple[float, float]:
        a = c["arrays"]
        focus = a["stat"] > t
        hits = (focus & a["mat"] & (a["best"] == a["weak"])).sum() / max(a["mat"].sum(), 1)
        return float(hits), float((focus & a["clean"]).sum() / max(a["clean"].sum(), 1))

    cands = np.unique(np.concatenate([c["arrays"]["stat"] for c in ceilings]))
    cands = cands[np.isfinite(cands)]
    lo, hi = 0, cands.size - 1  # false focus falls as the line rises: bisect the lowest line
    while lo < hi:
        mid = (lo + hi) // 2
        if all(at(c, cands[mid])[1] <= alpha for c in ceilings):
            hi = mid
        else:
            lo = mid + 1
    return [at(c, cands[lo]) for c in ceilings]


def required_tries(p: float, ratio: float = 0.8, certainty: float = 0.9, power: float = 0.9) -> int:
    """Smallest n for a one-sided exact binomial test of rate p against ratio x p.

    The test names the stage when X <= c, with P(X <= c | p) <= 1 - certainty (a typical rep is
    named at most 10 % of the time) and P(X <= c | ratio x p) >= power (a rep at ratio x p is
    named at least 90 % of the time). The first n where such a c exists.
    """
    from scipy import stats

    ns = np.arange(1, 5001)
    c = stats.binom.ppf(1.0 - certainty, ns, p) - 1  # largest c with cdf(c | p) < 1 - certainty
    c = np.where(stats.binom.cdf(c + 1, ns, p) <= 1.0 - certainty, c + 1, c)
    ok = (c >= 0) & (stats.binom.cdf(c, ns, ratio * p) >= power)
    return int(ns[np.argmax(ok)]) if ok.any() else -1


def normal_tries(p: float, ratio: float = 0.8, z: float = 1.2815515655446004) -> float:
    """Textbook normal approximation: n = (z_.9 + z_.9)^2 p(1-p) / ((1 - ratio) p)^2."""
    return (2 * z) ** 2 * p * (1 - p) / ((1 - ratio) * p) ** 2


def detectable_ratio(p: float, n: float, certainty: float = 0.9, power: float = 0.9) -> float:
    """The largest ratio r that n tries tell from the rate p at 90 % certainty, 90 % power (exact).

    With c the largest count with P(X <= c | n, p) <= 1 - certainty, r solves
    P(X <= c | n, r p) = power (bisection); 0 when even c = 0 is too likely for a typical rep.
    """
    from scipy import stats

    n = round(n)
    c = int(stats.binom.ppf(1.0 - certainty, n, p))
    while c >= 0 and stats.binom.cdf(c, n, p) > 1.0 - certainty:
        c -= 1
    if c < 0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if stats.binom.cdf(c, n, mid * p) >= power else (lo, mid)
    return lo


def sample_size_table(f: Any, keep: np.ndarray) -> list[dict[str, Any]]:
    """Per stage: base rate, median monthly tries per scored rep, tries needed, detectable ratio."""
    rows = []
    for k, key in enumerate(f.stage_keys):
        p = float(f.successes[keep, k].sum() / max(f.tries[keep, k].sum(), 1))
        med = float(np.median(f.tries[keep, k]))
        rows.append(
            {
                "stage": key,
                "rate": p,
                "median_tries": med,
                "normal_n": normal_tries(p),
                "exact_n": required_tries(p),
                "exact_n_mid": required_tries(p, 0.625),
                "detectable": detectable_ratio(p, med),
            }
        )
    return rows


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
    m_now, m_last = month_start(as_of), month_start(as_of, 1)
    day2 = m_now + dt.timedelta(days=1)
    runs = [
        (f"{m_last:%Y-%m} full month, evidence windows", m_last, None, True),
        (f"{m_now:%Y-%m} day 2 ({day2}), evidence windows", m_now, day2, True),
        (f"{m_now:%Y-%m} to {as_of}, evidence windows", m_now, as_of, True),
        (f"{m_last:%Y-%m} full month, that month only", m_last, None, False),
        (f"{m_now:%Y-%m} day 2, that period only", m_now, day2, False),
    ]
    results = {}
    what_if_pairs: dict[str, list[tuple[float, bool]]] = {}
    for label, m0, upto, win in runs:
        acc = bench_accuracy(org, reps, m0, cfg, args.counting, as_of=upto, windows=win)
        results[label] = acc
        s, c = acc["ninety"], acc["ceiling"]
        print(f"\n== {label}: per region ({acc['runs']} calls, groups = team), as the product ==")
        if acc["windows"]:
            print(
                "windows: "
                + ", ".join(
                    f"{k} {w.days} d"
                    for k, w in zip(
                        [r["stage"] for r in acc["sizes"]],
                        acc["windows"],
                        strict=True,
                    )
                )
            )
        share = 100 * s["hit_rate"] / max(c["hit_rate"], 1e-9)
        naive = acc["naive"]
        print(
            f"focus: hits {100 * s['hit_rate']:5.1f}% ({s['hits']}/{s['material']}), "
            f"false focus {100 * s['false_rate']:4.1f}% ({s['false']}/{s['clean']}); "
            f"NP ceiling {100 * c['hit_rate']:5.1f}% at {100 * c['false_rate']:4.1f}% false"
        )
        print(
            f"       = {share:.0f}% of the ceiling (target >= 95%, <= 10% false); naive "
            f"{100 * naive['hit_rate']:.1f}% hits at {100 * naive['false_rate']:.0f}% false"
        )
        k = acc["ceiling_known"]
        print(
            f"       knowing every team's true rates (beyond the evidence) the ceiling is "
            f"{100 * k['hit_rate']:.1f}% at {100 * k['false_rate']:.1f}% false"
        )
        if win:
            g = simulator_prior(org, len(acc["sizes"]))
            what_ifs = (
                ("the simulator's own G", g),
                ("G pulled toward the org's", "org"),
                ("G fitted without the reps whose behavior changed", "stable"),
            )
            for what, prior in what_ifs:
                what_if = bench_accuracy(
                    org, reps, m0, cfg, as_of=upto, windows=True, ratio_prior=prior
                )
                w = what_if["ninety"]
                what_if_pairs.setdefault(what, []).extend(what_if["reliability"])
                print(
                    f"       what-if, the same rule with {what}: hits "
                    f"{100 * w['hit_rate']:.1f}% at {100 * w['false_rate']:.1f}% false = "
                    f"{100 * w['hit_rate'] / max(c['hit_rate'], 1e-9):.0f}% of the ceiling; "
                    + reliability_line(what_if["reliability"])
                )
        print(
            "coverage of the 90% intervals (target 85-95% at every stage): "
            + ", ".join(f"{k} {100 * v:.1f}%" for k, v in acc["coverage"].items())
        )
        print("reliability of the focus certainty (bins with >= 30 foci: within +-0.07):")
        rel = np.array(acc["reliability"]) if acc["reliability"] else np.zeros((0, 2))
        for lo, hi in RELIABILITY_BINS:
            m = (rel[:, 0] >= lo) & (rel[:, 0] < hi) if rel.size else np.zeros(0, bool)
            if m.sum():
                stated, right = rel[m, 0].mean(), rel[m, 1].mean()
                mark = "" if m.sum() < 30 else ("ok" if abs(right - stated) <= 0.07 else "OFF")
                print(
                    f"  {lo:.1f}-{min(hi, 1):.1f}: n={int(m.sum()):4d}  "
                    f"stated {stated:.2f}  right {right:.2f}  {mark}"
                )
        print(f"core: {1000 * acc['core_seconds']:.0f} ms for {acc['runs']} calls")

    windowed = [(k, r) for k, r in results.items() if r["windows"]]
    print(
        "\n== The Bayes rule of the same evidence held to one line for the windowed runs "
        "(the lowest line keeping each at <= 10% false; the ceiling picks one per run) =="
    )
    for (label, r), (h, fr) in zip(
        windowed, one_line_bayes([r["ceiling"] for _, r in windowed]), strict=True
    ):
        print(
            f"  {label}: {100 * h:.1f}% hits at {100 * fr:.1f}% false = "
            f"{100 * h / max(r['ceiling']['hit_rate'], 1e-9):.0f}% of the ceiling; Ninety "
            f"{100 * r['ninety']['hit_rate'] / max(h, 1e-9):.0f}% of it"
        )

    pooled = [p for r in results.values() if r["windows"] for p in r["reliability"]]
    rel = np.array(pooled) if pooled else np.zeros((0, 2))
    print("\n== Focus certainty, pooled over the windowed runs (bins with >= 30 foci) ==")
    for lo, hi in RELIABILITY_BINS:
        m = (rel[:, 0] >= lo) & (rel[:, 0] < hi) if rel.size else np.zeros(0, bool)
        if m.sum():
            stated, right = rel[m, 0].mean(), rel[m, 1].mean()
            mark = "" if m.sum() < 30 else ("ok" if abs(right - stated) <= 0.07 else "OFF")
            print(
                f"  {lo:.2f}-{min(hi, 1):.2f}: n={int(m.sum()):4d}  "
                f"stated {stated:.2f}  right {right:.2f}  {mark}"
            )

    for what, pairs in what_if_pairs.items():
        print(f"  what-if, {what}: " + reliability_line(pairs))

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
    whole = bench_accuracy(org, reps, m_last, cfg, args.counting, level="org", windows=True)
    print(
        f"diagnose_group, {len(reps['person'])} reps x 5 stages in one call: "
        f"{1000 * whole['core_seconds']:.0f} ms"
    )
    print(f"pace_from_deals, {len(org.deals['owner']):,} deals: {1000 * pace['seconds']:.0f} ms")
    windowed = [r for r in results.values() if r["windows"]]
    ok = (
        all(r["ninety"]["false_rate"] <= 0.1 for r in windowed)
        and all(0.85 <= v <= 0.95 for r in windowed for v in r["coverage"].values())
        and all(0.75 <= pace[d]["coverage"] <= 0.85 for d in (10, 20))
    )
    print(f"\nall targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
