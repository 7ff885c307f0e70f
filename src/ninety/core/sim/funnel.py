"""Activities and deals: per rep-day dial counts, then one vectorised step per funnel stage.

Each stage takes the rows of its ``entry`` type, draws the way used (from the rep's
preferences), the outcome (Bernoulli with the rep's true rate times the way's multiplier), and
creates the rows of its ``exit`` type at realistic delays. No Python loop runs over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ninety.core.sim.calendar import local_to_epoch
from ninety.core.sim.model import ACTIVITY_TYPES, OUTCOME_EMPTY, OUTCOME_NONE, PRODUCTS, SimConfig
from ninety.core.sim.names import LAST_NAMES
from ninety.core.sim.org import CHANGE_FIX, OrgPlan

DAY_START_S = 9 * 3600
DAY_END_S = 16 * 3600 + 1800
#: Mild seasonality of activity volume by calendar month (holiday season and summer dip).
SEASON = np.array([0.95, 1.0, 1.03, 1.03, 1.02, 0.98, 0.94, 0.95, 1.02, 1.04, 1.0, 0.88])
#: Volume push over the last business days of each month.
MONTH_END_DAYS, MONTH_END_PUSH = 3, 1.12
RAMP_DAYS, RAMP_FROM = 40, 0.4

T = {name: code for code, name in enumerate(ACTIVITY_TYPES)}


@dataclass
class Rows:
    """A block of activity rows of one stage (parallel arrays)."""

    rep: np.ndarray
    day: np.ndarray  # index into the extended business-day calendar
    ts: np.ndarray
    deal: np.ndarray


def _volume_factors(cfg: SimConfig, plan: OrgPlan, days: np.ndarray) -> np.ndarray:
    """Expected dials per [rep, day] before day-to-day noise (0 before the hire date)."""
    months = days.astype("datetime64[M]")
    month_idx = (months.astype(np.int64) % 12).astype(int)
    day_f = SEASON[month_idx].copy()
    # Last MONTH_END_DAYS business days of each month: the month-end push.
    nxt = np.r_[months[1:] != months[:-1], True]
    from_end = np.zeros(len(days), dtype=int)
    cnt = 0
    for i in range(len(days) - 1, -1, -1):  # cheap: one pass over days, not rows
        cnt = 0 if nxt[i] else cnt + 1
        from_end[i] = cnt
    day_f[from_end < MONTH_END_DAYS] *= MONTH_END_PUSH
    tenure = np.busday_count(plan.rep_hired[:, None], days[None, :])  # business days employed
    ramp = np.clip(RAMP_FROM + (1 - RAMP_FROM) * tenure / RAMP_DAYS, RAMP_FROM, 1.0)
    rep_f = plan.team_vol[plan.rep_team] * plan.vol_mult
    return np.where(tenure >= 0, rep_f[:, None] * day_f[None, :] * ramp, 0.0)


def _times(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(DAY_START_S, DAY_END_S, n)


def _pick_way(rng: np.random.Generator, cum: np.ndarray, rep: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of a way per row from the row's rep's cumulative preferences [R, W]."""
    u = rng.random(len(rep))
    way = np.zeros(len(rep), dtype=np.int32)
    for w in range(cum.shape[1] - 1):  # loop over ways (<= 10), vectorised over rows
        way += u >= cum[rep, w]
    return way


def simulate_activity(
    cfg: SimConfig,
    rng: np.random.Generator,
    plan: OrgPlan,
    days: np.ndarray,
    ext_days: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int]:
    """Draw every activity and deal.

    Returns ``(activities, deals, rep_days)``; ``activities`` holds rep indices in ``person``
    (the caller maps them to people rows) and is not yet sorted. The draws come from ``rng`` in
    a fixed order (dials, then each stage in playbook order, then e-mails): one seed, one org.
    """
    ext_epoch0 = local_to_epoch(ext_days, np.zeros(len(ext_days), dtype=np.int64))
    lam = _volume_factors(cfg, plan, days)
    rep_days = int((lam > 0).sum())
    cell_rep, cell_day, rows = _dials(rng, lam, ext_epoch0)
    step = _Stages(rng, plan, days, ext_epoch0)
    parts: list[dict[str, np.ndarray]] = []
    for s in range(plan.rate_pre.shape[1]):
        rows = step.run(s, rows, parts)
    parts.append(_emails(cfg, rng, lam, cell_rep, cell_day, ext_epoch0))
    acts = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return acts, step.deals, rep_days


def _dials(
    rng: np.random.Generator, lam: np.ndarray, ext_epoch0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Rows]:
    """Each rep-day's dial count (Poisson around the volume, with good and bad days): the rows
    the first stage starts from, and the (rep, day) of every cell."""
    n_reps, n_days = lam.shape
    noise = rng.gamma(25.0, 1 / 25.0, lam.shape)  # good and bad days
    counts = rng.poisson(lam * noise).ravel()
    cell_rep = np.repeat(np.arange(n_reps, dtype=np.int32), n_days)
    cell_day = np.tile(np.arange(n_days, dtype=np.int32), n_reps)
    rep = np.repeat(cell_rep, counts)
    day = np.repeat(cell_day, counts)
    rows = Rows(rep, day, ext_epoch0[day] + _times(rng, len(rep)), np.full(len(rep), -1))
    return cell_rep, cell_day, rows


def _rows(
    rep: np.ndarray,
    ts: np.ndarray,
    type_: np.ndarray,
    deal: np.ndarray,
    way: np.ndarray,
    outcome: np.ndarray,
    duration: np.ndarray,
) -> dict[str, np.ndarray]:
    return {"person": rep, "ts": ts, "type": type_, "deal": deal, "way": way,
            "outcome": outcome, "duration": duration.astype(np.int32)}  # fmt: skip


def _emails(
    cfg: SimConfig,
    rng: np.random.Generator,
    lam: np.ndarray,
    cell_rep: np.ndarray,
    cell_day: np.ndarray,
    ext_epoch0: np.ndarray,
) -> dict[str, np.ndarray]:
    """Free-type rows: a few e-mails a working day."""
    e_counts = rng.poisson((lam > 0) * cfg.emails_per_day).ravel()
    e_rep = np.repeat(cell_rep, e_counts)
    e_day = np.repeat(cell_day, e_counts)
    m = len(e_rep)
    return _rows(
        e_rep, ext_epoch0[e_day] + _times(rng, m), np.full(m, T["email"], dtype=np.int8),
        np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int32),
        np.full(m, OUTCOME_EMPTY, dtype=np.int8), rng.integers(60, 401, m),
    )  # fmt: skip


class _Stages:
    """One vectorised step per funnel stage: the entry rows' ways and outcomes, then the exit
    rows at their delays. Deals open at meetings (stage 3) and close at proposals (stage 4)."""

    def __init__(
        self, rng: np.random.Generator, plan: OrgPlan, days: np.ndarray, ext_epoch0: np.ndarray
    ) -> None:
        self.rng, self.plan, self.ext_epoch0, self.n_days = rng, plan, ext_epoch0, len(days)
        n_reps = plan.rate_pre.shape[0]
        norm = np.einsum("rsw,sw->rs", plan.pref_pre, plan.way_mult)
        self.base_pre = plan.rate_pre / norm
        self.base_post = plan.rate_post / norm
        # When each rep's behavior change starts (never for reps without one).
        self.ch_ts = np.where(
            plan.ch_kind > 0,
            local_to_epoch(
                np.where(plan.ch_kind > 0, plan.ch_day, days[0]), np.zeros(n_reps, dtype=np.int64)
            ),
            np.iinfo(np.int64).max,
        )
        self.way_offset = np.r_[0, np.cumsum(plan.n_ways)[:-1]]
        self.deals: dict[str, np.ndarray] = {}

    def run(self, s: int, rows: Rows, parts: list[dict[str, np.ndarray]]) -> Rows:
        """Stage ``s`` (entry type ``s``: dial, connect, conversation, meeting, proposal): append
        its rows to ``parts`` and return the rows of its exit type."""
        rng, n = self.rng, len(rows.rep)
        way_code, success = self._outcomes(s, rows)
        outcome = np.where(success, s + 1, OUTCOME_NONE).astype(np.int8)
        dur, child_day, child_ts, keep = self._exits(s, rows, success, outcome)
        deal = rows.deal
        if s == 3:
            deal = self._open_deals(rows, success, keep, outcome)
        if s == 4:
            self._close_deals(deal, success, keep, child_ts)
        parts.append(
            _rows(rows.rep, rows.ts, np.full(n, s, dtype=np.int8), deal, way_code, outcome, dur)
        )
        nxt = Rows(rows.rep[keep], child_day[keep], child_ts[keep], deal[keep])
        if s == 4:  # the decision itself: a won or lost row
            won, m = success[keep], len(nxt.rep)
            parts.append(_rows(
                nxt.rep, nxt.ts, np.where(won, T["won"], T["lost"]).astype(np.int8), nxt.deal,
                np.full(m, -1, dtype=np.int32), np.full(m, OUTCOME_EMPTY, dtype=np.int8),
                rng.integers(300, 901, m),
            ))  # fmt: skip
        return nxt

    def _outcomes(self, s: int, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
        """The way each row used (after a way change: from the new mix), whether it was
        recorded, and the outcome: Bernoulli with the rep's rate times the way's multiplier."""
        rng, plan, rep, n = self.rng, self.plan, rows.rep, len(rows.rep)
        post = (plan.ch_stage[rep] == s) & (rows.ts >= self.ch_ts[rep])
        k = max(1, int(plan.n_ways[s]))
        way = _pick_way(rng, np.cumsum(plan.pref_pre[:, s, :k], axis=1), rep)
        if post.any():
            idx = np.flatnonzero(post)
            way[idx] = _pick_way(rng, np.cumsum(plan.pref_post[:, s, :k], axis=1), rep[idx])
        fixed = post & (plan.ch_kind[rep] == CHANGE_FIX)
        p = np.where(fixed, self.base_post[rep, s], self.base_pre[rep, s]) * plan.way_mult[s, way]
        success = rng.random(n) < np.minimum(p, 0.97)
        recorded = (rng.random(n) < plan.record_share[rep]) & (plan.n_ways[s] > 0)
        way_code = np.where(recorded, self.way_offset[s] + way, -1).astype(np.int32)
        return way_code, success

    def _exits(
        self, s: int, rows: Rows, success: np.ndarray, outcome: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each row's duration and its exit row's day and time; ``keep`` marks the exits that
        happen by ``as_of`` (an outcome decided later is marked unknown in ``outcome``)."""
        rng, n = self.rng, len(rows.rep)
        if s <= 1:  # dial -> connect, connect -> conversation: seconds later, same call
            if s == 0:
                dur = np.where(success, rng.integers(5, 21, n), rng.integers(15, 36, n))
            else:
                dur = np.where(success, rng.integers(20, 76, n), rng.integers(5, 46, n))
            return dur, rows.day, rows.ts + dur, success
        if s == 2:  # conversation: books a meeting 1-6 business days out
            dur = (60 + rng.gamma(2.0, 180.0, n)).astype(np.int64)
            delay = 1 + rng.poisson(1.5, n)
        elif s == 3:  # meeting (the deal opens): proposal after a few days
            dur = rng.integers(1800, 3601, n)
            delay = np.ceil(rng.gamma(2.0, 2.5, n)).astype(np.int64)
        else:  # proposal: decision after one to three weeks
            dur = rng.integers(900, 2701, n)
            delay = np.ceil(rng.gamma(2.0, 4.5, n)).astype(np.int64)
        decides = success if s < 4 else np.ones(n, dtype=bool)
        child_day = np.where(decides, rows.day + np.maximum(delay, 1), rows.day)
        child_ts = self.ext_epoch0[child_day] + _times(rng, n)
        keep = decides & (child_day < self.n_days)
        # A meeting booked in the conversation is known at booking, even when it falls after
        # as_of; later steps (a proposal, a decision) are unknown until they happen.
        if s != 2:
            outcome[decides & ~keep] = OUTCOME_EMPTY  # resolves after as_of
        if s == 4:
            outcome[keep] = np.where(success[keep], T["won"], T["lost"])
        return dur, child_day, child_ts, keep

    def _open_deals(
        self, rows: Rows, success: np.ndarray, keep: np.ndarray, outcome: np.ndarray
    ) -> np.ndarray:
        """A deal opens at each meeting; one that gets no proposal is lost some days later.
        Returns the meetings' deal ids."""
        rng, plan, rep, n = self.rng, self.plan, rows.rep, len(rows.rep)
        deal = np.arange(n, dtype=np.int64)
        lost_day = rows.day + np.ceil(rng.gamma(2.0, 3.0, n)).astype(np.int64)
        lost_ts = self.ext_epoch0[lost_day] + _times(rng, n)
        lost_known = ~success & (lost_day < self.n_days)
        outcome[~success & ~lost_known] = OUTCOME_EMPTY
        prod = rng.choice(len(PRODUCTS), n, p=[pr.share for pr in PRODUCTS]).astype(np.int8)
        med = np.log([pr.median for pr in PRODUCTS])[prod]
        sig = np.array([pr.sigma for pr in PRODUCTS])[prod]
        value = np.exp(med + sig * rng.standard_normal(n)) * plan.deal_mult[rep]
        self.deals = {
            "owner": rep,
            "product": prod,
            "value": (np.round(value / 10.0) * 10).astype(np.int64),
            "opened": rows.ts.copy(),
            "closed": np.where(lost_known, lost_ts, -1),
            "status": np.where(lost_known, 2, 0).astype(np.int8),
            "stage": np.where(success & keep, 3, 2).astype(np.int8),
            "account": rng.integers(0, len(LAST_NAMES) * 1000, n),
        }
        return deal

    def _close_deals(
        self, deal: np.ndarray, success: np.ndarray, keep: np.ndarray, child_ts: np.ndarray
    ) -> None:
        """Proposals decided by ``as_of`` close their deal, won or lost."""
        d, won = deal[keep], success[keep]
        self.deals["closed"][d] = child_ts[keep]
        self.deals["status"][d] = np.where(won, 1, 2)
        self.deals["stage"][d] = np.where(won, 4, 3)
