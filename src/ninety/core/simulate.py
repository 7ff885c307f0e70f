"""The simulator: a realistic inside-sales org with known ground truth (``ninety simulate``).

Pure Python + NumPy, no Django. ``simulate(config)`` draws an org; ``write_dataset(org, dir)``
writes the import formats (``people.csv``, ``activities.csv``, ``deals.csv``, ``quotas.csv``,
``playbook.yaml``) and ``truth.json``; ``realism_report(org)`` compares the simulated rates with
published inside-sales ranges. The model is described in ``docs/simulator.md``; the parts live
in :mod:`ninety.core.sim`.

Examples
--------
>>> org = simulate(SimConfig(reps=20, months=1, seed=1))
>>> sorted(org.activities) == ["deal", "duration", "outcome", "person", "ts", "type", "way"]
True
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import replace
from typing import Any

import numpy as np

from ninety.core.playbook_spec import PlaybookSpec, default_playbook
from ninety.core.sim.calendar import business_days, local_to_epoch, month_start, us_holidays
from ninety.core.sim.funnel import SEASON, simulate_activity
from ninety.core.sim.model import (
    ACTIVITY_TYPES,
    DEAL_STATUSES,
    OUTCOME_EMPTY,
    OUTCOME_NONE,
    OUTCOMES,
    PRODUCTS,
    SimConfig,
    SimulatedOrg,
)
from ninety.core.sim.names import LAST_NAMES
from ninety.core.sim.org import CHANGE_KINDS, STORY_SAM, OrgPlan, plan_org
from ninety.core.sim.report import realism_report
from ninety.core.sim.writer import write_dataset

__all__ = [
    "ACTIVITY_TYPES",
    "DEAL_STATUSES",
    "OUTCOMES",
    "OUTCOME_EMPTY",
    "OUTCOME_NONE",
    "SimConfig",
    "SimulatedOrg",
    "realism_report",
    "simulate",
    "story_is_clear",
    "write_dataset",
]

#: The story's target: Sam's linear month pace this far below his quota.
STORY_SAM_PACE = -0.15
_FUNNEL = ("dial", "connect", "conversation", "meeting", "proposal", "won")


def _check_playbook(playbook: PlaybookSpec) -> None:
    # The generator walks the default chain dial -> connect -> ... -> won.
    chain = [(s.entry, s.exit) for s in playbook.stages]
    expected = list(itertools.pairwise(_FUNNEL))
    if chain != expected:
        raise ValueError(f"the simulator needs stages {expected}, got {chain}")


def _mean_deal_value() -> float:
    return sum(p.share * p.median * math.exp(p.sigma**2 / 2) for p in PRODUCTS)


def _periods(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        out.append(d)
        d = month_start(d, -1)
    return out


def _quotas(
    cfg: SimConfig, plan: OrgPlan, holidays: np.ndarray, first: dt.date
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Monthly quota per rep: expected revenue of 60% team / 40% own past rates, with a ramp.

    Returns the quota arrays and the expected revenue per business day per rep (for truth).
    """
    mean_value = _mean_deal_value()
    team_day = plan.team_vol * plan.team_rates.prod(axis=1) * mean_value
    rep_day = (
        plan.team_vol[plan.rep_team]
        * plan.vol_mult
        * plan.rate_pre.prod(axis=1)
        * mean_value
        * plan.deal_mult
    )
    per_day = 0.6 * team_day[plan.rep_team] + 0.4 * rep_day
    months = _periods(first, month_start(cfg.as_of))
    starts = np.array(months, dtype="datetime64[D]")
    ends = np.array([month_start(m, -1) for m in months], dtype="datetime64[D]")
    bdays = np.busday_count(starts, ends, holidays=holidays)
    season = SEASON[[m.month - 1 for m in months]]
    hire_month = plan.rep_hired.astype("datetime64[M]")
    month_no = starts.astype("datetime64[M]")
    since = (month_no[None, :] - hire_month[:, None]).astype(np.int64)  # months since hire
    ramp = np.clip((since + 1) / 4.0, 0.0, 1.0)
    amount = per_day[:, None] * bdays[None, :] * season[None, :] * ramp
    amount = np.maximum(np.round(amount / 100.0) * 100, 100).astype(np.int64)
    rep_i, mon_i = np.nonzero(since >= 0)
    periods = np.array([m.strftime("%Y-%m") for m in months])
    return (
        {
            "person": plan.rep_person[rep_i].astype(np.int32),
            "period": periods[mon_i],
            "amount": amount[rep_i, mon_i],
        },
        per_day,
    )


def _story_quota(
    cfg: SimConfig,
    plan: OrgPlan,
    deals: dict[str, np.ndarray],
    quotas: dict[str, np.ndarray],
    holidays: np.ndarray,
) -> dict[str, Any]:
    """Set Sam's current-month quota so that his pace is about -15% (the story): against his
    month-to-date run rate, or early in the month against his usual month."""
    sam = int(plan.rep_person[STORY_SAM])
    m0 = month_start(cfg.as_of)
    m1 = month_start(cfg.as_of, -1)
    lo = int(local_to_epoch(np.array([m0], dtype="datetime64[D]"), np.zeros(1, np.int64))[0])
    won = (deals["owner"] == sam) & (deals["status"] == 1) & (deals["closed"] >= lo)
    won_mtd = int(deals["value"][won].sum())
    elapsed = int(np.busday_count(m0, cfg.as_of + dt.timedelta(days=1), holidays=holidays))
    total = int(np.busday_count(m0, m1, holidays=holidays))
    projection = won_mtd * total / max(elapsed, 1)
    if elapsed < total / 3:
        # Early in the month a day or two of wins says little: what he has won so far plus
        # the rest of the month at the business-day rate of his last three full months (so
        # day 1 does not set a quota five times his usual one).
        m_back = month_start(cfg.as_of, 3)
        back = int(
            local_to_epoch(np.array([m_back], dtype="datetime64[D]"), np.zeros(1, np.int64))[0]
        )
        before = (deals["owner"] == sam) & (deals["status"] == 1)
        before &= (deals["closed"] >= back) & (deals["closed"] < lo)
        days_back = int(np.busday_count(m_back, m0, holidays=holidays))
        rate = float(deals["value"][before].sum()) / max(days_back, 1)
        projection = won_mtd + rate * (total - elapsed)
    row = np.flatnonzero((quotas["person"] == sam) & (quotas["period"] == m0.strftime("%Y-%m")))
    if projection > 0 and len(row):
        quotas["amount"][row] = int(round(projection / (1 + STORY_SAM_PACE) / 100.0) * 100)
    quota = int(quotas["amount"][row][0]) if len(row) else 0
    return {
        "sam": {
            "period": m0.strftime("%Y-%m"),
            "won_to_date": won_mtd,
            "business_days_elapsed": elapsed,
            "business_days_in_month": total,
            "linear_projection": round(projection, 2),
            "quota": quota,
            "linear_pace": round(projection / quota - 1, 4) if quota else None,
        }
    }


def _r(x: float) -> float:
    return round(float(x), 6)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _truth(
    cfg: SimConfig, plan: OrgPlan, playbook: PlaybookSpec, per_day: np.ndarray
) -> dict[str, Any]:
    keys = playbook.stage_keys
    stage_ways = [[w.key for b in st.behaviors for w in b.ways] for st in playbook.stages]
    team_rates = {
        name: {k: _r(plan.team_rates[t, s]) for s, k in enumerate(keys)}
        for t, name in enumerate(plan.team_names)
    }
    reps: dict[str, Any] = {}
    for r in range(len(plan.rep_person)):
        person = plan.people[int(plan.rep_person[r])]
        t = int(plan.rep_team[r])
        rates = plan.rate_pre[r]
        log_ratio = {"volume": _r(math.log(plan.vol_mult[r]))}
        log_ratio |= {k: _r(math.log(rates[s] / plan.team_rates[t, s])) for s, k in enumerate(keys)}
        log_ratio["deal_size"] = _r(math.log(plan.deal_mult[r]))
        changes = []
        if plan.ch_kind[r] > 0:
            s = int(plan.ch_stage[r])
            before, after = float(rates[s]), float(plan.ch_rate_after[r])
            changes.append(
                {
                    "start": str(plan.ch_day[r]),
                    "stage": keys[s],
                    "way": stage_ways[s][int(plan.ch_way[r])] if plan.ch_way[r] >= 0 else None,
                    "kind": CHANGE_KINDS[int(plan.ch_kind[r])],
                    "rate_before": _r(before),
                    "rate_after": _r(after),
                    "true_effect_log_odds": _r(_logit(after) - _logit(before)),
                }
            )
        reps[person["external_id"]] = {
            "name": person["name"],
            "team": person["team"],
            "hired_on": person["hired_on"],
            "dials_per_day": _r(plan.team_vol[t] * plan.vol_mult[r]),
            "expected_revenue_per_day": _r(per_day[r]),
            "stage_rates": {k: _r(rates[s]) for s, k in enumerate(keys)},
            "team_rates": team_rates[plan.team_names[t]],
            "log_ratio": log_ratio,
            "weak_stage": keys[plan.weak_stage[r]] if plan.weak_stage[r] >= 0 else None,
            "strong_stage": keys[plan.strong_stage[r]] if plan.strong_stage[r] >= 0 else None,
            "behavior_changes": changes,
        }
    ways = {
        k: {w: _r(plan.way_mult[s, i]) for i, w in enumerate(stage_ways[s])}
        for s, k in enumerate(keys)
    }
    return {
        "config": cfg.to_json(),
        "as_of": cfg.as_of.isoformat(),
        "team_rates": team_rates,
        "reps": reps,
        "ways": ways,
    }


def simulate(config: SimConfig) -> SimulatedOrg:
    """Draw a simulated sales org from ``config``; all randomness from ``default_rng(seed)``.

    Parameters
    ----------
    config : SimConfig

    Returns
    -------
    SimulatedOrg
        People, ways, activities, deals and quotas (NumPy columns) and the ground truth.
    """
    if config.months < 0:
        raise ValueError("months must be >= 0")
    rng = np.random.default_rng(config.seed)
    playbook = default_playbook()
    _check_playbook(playbook)
    first = month_start(config.as_of, config.months)
    holidays = us_holidays(first.year - 6, config.as_of.year + 2)
    ext_days = business_days(first, config.as_of + dt.timedelta(days=400), holidays)
    days = ext_days[ext_days <= np.datetime64(config.as_of, "D")]
    if len(days) == 0:
        raise ValueError("the simulated window holds no business day")
    plan = plan_org(config, rng, playbook, days)
    quotas, per_day = _quotas(config, plan, holidays, first)
    acts, deals, rep_days = simulate_activity(config, rng, plan, days, ext_days)
    if config.story:
        # The story needs Sam to have sold a fair amount this month (a "-15%" pace is
        # meaningless on zero wins): redraw the activity, from the same generator, until he has
        # at least half his expected month-to-date revenue. Deterministic; rarely more than 2.
        month0 = local_to_epoch(
            np.array([month_start(config.as_of)], dtype="datetime64[D]"), np.zeros(1, np.int64)
        )[0]
        elapsed = np.busday_count(month_start(config.as_of), config.as_of, holidays=holidays) + 1
        target = 0.5 * per_day[STORY_SAM] * elapsed
        for _ in range(50):
            won = (deals["owner"] == STORY_SAM) & (deals["status"] == 1)
            if deals["value"][won & (deals["closed"] >= month0)].sum() >= target:
                break
            acts, deals, rep_days = simulate_activity(config, rng, plan, days, ext_days)

    # Reps -> people rows; deals sorted by (opened, owner) and activity codes remapped.
    acts["person"] = plan.rep_person[acts["person"]]
    deals["owner"] = plan.rep_person[deals["owner"]]
    order = np.lexsort((deals["owner"], deals["opened"]))
    deals = {k: v[order] for k, v in deals.items()}
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    has_deal = acts["deal"] >= 0
    acts["deal"][has_deal] = inverse[acts["deal"][has_deal]]
    account = deals["account"]
    last = np.array(LAST_NAMES)[account // 1000]
    deals["account"] = np.char.add(
        np.char.add(last, " household "), np.char.zfill((account % 1000).astype(str), 3)
    )
    sort = np.lexsort((acts["person"], acts["ts"]))
    acts = {k: v[sort] for k, v in acts.items()}

    truth = _truth(config, plan, playbook, per_day)
    if config.story:
        truth["story"] = _story_quota(config, plan, deals, quotas, holidays)
    ways = [(st.key, b.key, w.key) for st in playbook.stages for b in st.behaviors for w in b.ways]
    return SimulatedOrg(
        config=config,
        playbook=playbook,
        people=plan.people,
        ways=ways,
        activities=acts,
        deals=deals,
        quotas=quotas,
        truth=truth,
        business_days=days,
        rep_days=rep_days,
    )


def _day_ts(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def story_is_clear(org: SimulatedOrg) -> bool:
    """Do this draw's numbers tell the demo story plainly?

    Sam's greeting (connect → conversation) this month (at least its last four weeks) is at most
    70% of his teammates', his
    later stages are at least 90% of theirs, and since his change of way his greeting rate is
    at least 5 points above the eight weeks before. Both are
    true in expectation; with a rep's month of calls either can fail by chance, so the demo
    tries seeds until one tells the story (a deterministic choice for a given date).
    """
    a = org.activities
    names = [p["name"] for p in org.people]
    if "Sam Patel" not in names:
        return False
    sam = names.index("Sam Patel")
    crew = np.array([p["team"] == "Greeting Crew" for p in org.people])
    codes = {t: i for i, t in enumerate(ACTIVITY_TYPES)}
    known = (a["type"] == codes["connect"]) & (a["outcome"] != OUTCOME_EMPTY)
    advanced = a["outcome"] == codes["conversation"]
    change = org.truth["reps"][org.people[sam]["external_id"]]["behavior_changes"][0]
    start = dt.datetime.fromisoformat(change["start"]).replace(tzinfo=dt.UTC).timestamp()
    month = dt.datetime(org.config.as_of.year, org.config.as_of.month, 1, tzinfo=dt.UTC)
    # "This month" as the pages judge it: at least the last four weeks (a young month's evidence
    # window reaches back), so the story holds on the first business day of a month too.
    since = min(month.timestamp(), _day_ts(org.config.as_of) - 27 * 86_400)
    this_month = a["ts"] >= since
    mine = known & (a["person"] == sam)
    others = known & crew[a["person"]] & (a["person"] != sam) & this_month

    def rate(rows: np.ndarray) -> float:
        return float(advanced[rows].mean()) if rows.any() else 0.0

    before = mine & (a["ts"] < start) & (a["ts"] >= start - 56 * 86_400)
    after = mine & (a["ts"] >= start)
    if not (rate(mine & this_month) <= 0.7 * rate(others) and rate(after) >= rate(before) + 0.05):
        return False
    # His other stages this month look ordinary, so the greeting is the one thing to see.
    for entry, exit_ in (("conversation", "meeting"), ("meeting", "proposal"), ("proposal", "won")):
        rows = (a["type"] == codes[entry]) & (a["outcome"] != OUTCOME_EMPTY) & this_month
        won = a["outcome"] == codes[exit_]
        own = rows & (a["person"] == sam)
        team = rows & crew[a["person"]] & (a["person"] != sam)
        if own.any() and won[own].mean() < 0.9 * won[team].mean():
            return False
    return True


def first_clear_story(
    as_of: dt.date, *, reps: int, months: int, seeds: range
) -> SimulatedOrg | None:
    """The first draw (over ``seeds``) whose numbers tell the demo story plainly on ``as_of``
    (:func:`story_is_clear`), or None."""
    for seed in seeds:
        sim = simulate(SimConfig(reps=reps, months=months, seed=seed, as_of=as_of, story=True))
        if story_is_clear(sim):
            return sim
    return None


def stop_at(org: SimulatedOrg, until: int) -> SimulatedOrg:
    """The org as it stood at epoch second ``until`` of its last day: nothing logged later.

    The simulator draws whole days; on the demo's as-of day "now" is mid-day, and an activity
    logged at 16:40 when the clock says 11:00 would tell a newcomer the data are made up. Rows
    after ``until`` go; a deal opened later goes; a deal decided later is open again (at the
    stage it had reached by then); an attempt whose next step or decision came later is
    unresolved (its outcome ``""``), as the simulator marks attempts resolved after ``as_of``.
    """
    a, d = org.activities, org.deals
    codes = {t: i for i, t in enumerate(ACTIVITY_TYPES)}
    keep = a["ts"] <= until
    n_deals = len(d["opened"])
    # When each deal got its proposal (the proposal row on it), for the meetings' outcomes.
    proposed_at = np.full(n_deals, np.iinfo(np.int64).max)
    is_proposal = (a["type"] == codes["proposal"]) & (a["deal"] >= 0)
    np.minimum.at(proposed_at, a["deal"][is_proposal], a["ts"][is_proposal])
    decided_late = (d["closed"] > until) & (d["status"] != 0)
    outcome = a["outcome"].copy()
    on_deal = a["deal"] >= 0
    deal = np.where(on_deal, a["deal"], 0)
    meeting = (a["type"] == codes["meeting"]) & on_deal
    late_proposal = meeting & (outcome == codes["proposal"]) & (proposed_at[deal] > until)
    late_loss = meeting & (outcome == OUTCOME_NONE) & decided_late[deal]
    late_decision = (a["type"] == codes["proposal"]) & on_deal & decided_late[deal]
    outcome[late_proposal | late_loss | late_decision] = OUTCOME_EMPTY
    # Calls: the next step is seconds later, in the same call; one that ends after ``until``
    # is still going.
    for s in ("dial", "connect"):
        in_call = (
            (a["type"] == codes[s]) & (outcome == _next_code(s)) & (a["ts"] + a["duration"] > until)
        )
        outcome[in_call] = OUTCOME_EMPTY
    activities = {k: (outcome if k == "outcome" else v)[keep] for k, v in a.items()}
    deals = {k: v.copy() for k, v in d.items()}
    deals["status"][decided_late] = 0
    deals["closed"][decided_late] = -1
    stage = deals["stage"]
    reached_proposal = proposed_at <= until
    stage[decided_late] = np.where(reached_proposal[decided_late], 3, 2)
    stage[(stage >= 3) & ~reached_proposal & (deals["status"] == 0)] = 2
    kept_deals = d["opened"] <= until
    # Deals are sorted by opening time, so those kept are a prefix: the activities' deal
    # indices stay valid (a later deal's rows are all after ``until``).
    deals = {k: v[kept_deals] for k, v in deals.items()}
    return replace(org, activities=activities, deals=deals)


def _next_code(entry: str) -> int:
    """The outcome code of an attempt at ``entry`` that reached the next type."""
    return ACTIVITY_TYPES.index(entry) + 1
