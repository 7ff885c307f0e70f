"""A deals-only org with its ground truth: opportunities and the stages they passed, no activities.

Each rep's true rate at a stage is their team's rate times their own ratio: a typical rep's
ratio is log-normal around 1 (sd ``typical_sd``); with probability ``weak_share`` one stage
(uniform) is planted weak at ×0.45–0.8. Deals open at a Poisson rate per working day; each stage
is passed with the rep's rate after an exponential time, so a deal is won, lost at a stage, or
still open at the as-of day. What the export shows:

* **with stage history**: how far every deal got (a lost deal's last stage included);
* **without**: the current stage of an open deal, won or "lost" for a closed one (a lost deal's
  stage before the loss is gone, so the loader counts it as lost at the first stage).

Plain NumPy, no Django; :mod:`bench.bench_pipeline` diagnoses it through the same counting as the
database loader (``level_grid`` and ``step_counts`` of :mod:`ninety.core.pipeline`).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ninety.core.funnel import DEAL_LOST, DEAL_OPEN, DEAL_WON

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

STAGE_KEYS: tuple[str, ...] = ("qualify", "propose", "close")
STEPS: tuple[str, ...] = ("deal:opened", "deal:qualified", "deal:proposal", "deal:won")


@dataclass(frozen=True)
class PipelineSimConfig:
    reps: int = 300
    team_size: int = 10
    #: The last simulated day.
    as_of: dt.date = dt.date(2026, 11, 30)
    #: Days simulated; the last one is the as-of day.
    days: int = 150
    seed: int = 0
    #: Deals opened per rep and day (the public export: 8,800 deals, 35 agents, ~15 months).
    opened_per_day: float = 0.55
    base_rates: tuple[float, ...] = (0.55, 0.5, 0.45)
    team_sd: float = 0.1
    typical_sd: float = 0.05
    weak_share: float = 0.3
    #: Mean days a deal spends at each stage before its outcome there.
    stage_days: tuple[float, ...] = (7.0, 12.0, 16.0)
    mean_value: float = 8000.0


@dataclass(frozen=True)
class PipelineSim:
    """Deals (one entry each) and the truth per rep. Days count from 0; ``closed`` −1 if open."""

    config: PipelineSimConfig
    owner: IntArray
    opened: IntArray
    closed: IntArray
    status: IntArray
    #: How far each deal got, as the export with stage history shows it (step index).
    level: IntArray
    value: FloatArray
    #: (deals, stages): the day each stage's outcome was known (may lie after the as-of day).
    step_days: IntArray
    team: IntArray
    team_rate: FloatArray  # (reps, stages)
    log_ratio: FloatArray  # (reps, stages)
    weak_stage: IntArray  # (reps,), −1: none

    @property
    def true_rate(self) -> FloatArray:
        return np.minimum(self.team_rate * np.exp(self.log_ratio), 0.95)

    def level_without_history(self) -> IntArray:
        """The level the loader infers without stage history: a lost deal at the first step."""
        return np.where(self.status == DEAL_LOST, 0, self.level)


def simulate_pipeline(cfg: PipelineSimConfig) -> PipelineSim:
    """Simulate ``cfg.reps`` reps' deals over ``cfg.days`` days (vectorised over deals)."""
    rng = np.random.default_rng(cfg.seed)
    r, s = cfg.reps, len(cfg.base_rates)
    team = np.arange(r) // cfg.team_size
    n_teams = int(team.max()) + 1
    team_rate = np.asarray(cfg.base_rates) * np.exp(rng.normal(0, cfg.team_sd, (n_teams, s)))
    log_ratio = rng.normal(0, cfg.typical_sd, (r, s))
    weak = np.where(rng.random(r) < cfg.weak_share, rng.integers(0, s, r), -1)
    has = weak >= 0
    log_ratio[np.flatnonzero(has), weak[has]] = np.log(rng.uniform(0.45, 0.8, int(has.sum())))
    rate = np.minimum(team_rate[team] * np.exp(log_ratio), 0.95)
    volume = cfg.opened_per_day * np.exp(rng.normal(0, 0.15, r))
    n_deals = rng.poisson(volume * cfg.days)
    owner = np.repeat(np.arange(r), n_deals)
    n = owner.size
    opened = rng.integers(0, cfg.days, n)
    passed = rng.random((n, s)) < rate[owner]
    # The stage a deal fails at (s: won), and the day its outcome at each stage is known.
    fails = np.where(passed.all(axis=1), s, np.argmin(passed, axis=1))
    when = opened[:, None] + np.cumsum(rng.exponential(cfg.stage_days, (n, s)), axis=1)
    as_of = cfg.days - 1
    decided = when[np.arange(n), np.minimum(fails, s - 1)]
    is_open = decided > as_of
    reached_by_now = (when <= as_of).sum(axis=1)  # stage outcomes known by the as-of day
    level = np.where(is_open, np.minimum(reached_by_now, fails), fails).astype(np.int64)
    status = np.where(is_open, DEAL_OPEN, np.where(fails == s, DEAL_WON, DEAL_LOST))
    closed = np.where(is_open, -1, np.floor(decided)).astype(np.int64)
    value = np.where(status == DEAL_WON, rng.lognormal(np.log(cfg.mean_value), 0.6, n), 0.0)
    return PipelineSim(
        cfg, owner, opened.astype(np.int64), closed, status.astype(np.int64), level, value,
        np.floor(when).astype(np.int64), team, team_rate[team], log_ratio, weak,
    )  # fmt: skip


def write_pipeline_dataset(sim: PipelineSim, out: Path, history: bool = True) -> dict[str, int]:
    """Write ``people.csv``, ``deals.csv`` and (``history``) ``stage_history.csv`` in Ninety's
    canonical headers: the roster, the deals as a CRM exports them (a lost deal's stage is
    "lost"), and one row per step each deal reached after opening."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = sim.config
    first = cfg.as_of - dt.timedelta(days=cfg.days - 1)

    def day(d: int) -> str:
        return f"{first + dt.timedelta(days=int(d))}T12:00:00Z"

    n_teams = int(sim.team.max()) + 1
    people = [["external_id", "name", "role", "team", "manager"]]
    people += [[f"L{t}", f"Leader {t}", "leader", f"Team {t}", ""] for t in range(n_teams)]
    people += [
        [f"R{i}", f"Rep {i}", "rep", f"Team {t}", f"Leader {t}"] for i, t in enumerate(sim.team)
    ]
    names = {0: "", 1: "qualified", 2: "proposal"}
    deals = [["external_id", "owner", "stage", "value", "opened_at", "closed_at", "status"]]
    rows_history = [["external_id", "person", "occurred_at", "type", "deal"]]
    status = {DEAL_OPEN: "open", DEAL_WON: "won", DEAL_LOST: "lost"}
    for i in range(sim.owner.size):
        st, lv, o = int(sim.status[i]), int(sim.level[i]), int(sim.owner[i])
        stage = {DEAL_WON: "won", DEAL_LOST: "lost"}.get(st, names.get(lv, ""))
        closed = day(sim.closed[i]) if sim.closed[i] >= 0 else ""
        deals.append(
            [f"D{i}", f"R{o}", stage, f"{sim.value[i]:.2f}", day(sim.opened[i]), closed, status[st]]
        )
        for j in range(1, lv + 1):
            rows_history.append(
                [f"H{i}-{j}", f"R{o}", day(sim.step_days[i, j - 1]), STEPS[j], f"D{i}"]
            )
    files = {"people.csv": people, "deals.csv": deals}
    if history:
        files["stage_history.csv"] = rows_history
    for name, rows in files.items():
        with (out / name).open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return {name: len(rows) - 1 for name, rows in files.items()}
