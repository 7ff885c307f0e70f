"""The org chart and each rep's latent parameters (volume, per-stage skill, ways, changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from ninety.core.playbook_spec import PlaybookSpec
from ninety.core.sim import names as nm
from ninety.core.sim.model import SimConfig

#: Story: the Greeting Crew's nine reps, by position in the team.
STORY_TEAM = "Greeting Crew"
STORY_REGION = "West Region"
STORY_TEAM_SIZE = 9
STORY_SAM, STORY_ALEX, STORY_DISCOVERY, STORY_LOW_VOLUME = 0, 1, 2, 3
#: Story ways of the Greeting stage: a hand-set true effectiveness (mean 1) so that Sam's usual
#: way is clearly weak and the way he switches to is clearly the best.
STORY_GREETING_WAYS: dict[str, float] = {
    "reference-a-local-customer": 1.35,
    "question-about-last-bill": 1.15,
    "name-the-referral": 1.10,
    "permission-opener": 1.05,
    "price-hook": 0.65,
    "timely-event": 1.00,
    "smile-and-slow-down": 0.95,
    "problem-we-solve": 1.00,
    "honest-cold-call": 0.85,
    "compliment-their-business": 0.90,
}
STORY_WEAK_WAY = "price-hook"
STORY_BETTER_WAY = "reference-a-local-customer"

CHANGE_NONE, CHANGE_WAY, CHANGE_FIX = 0, 1, 2
CHANGE_KINDS = ("", "way", "fix_stage")
MAX_RATE = 0.92


@dataclass
class OrgPlan:
    """Everything drawn before any activity: people and the latent per-rep parameters.

    Arrays are indexed by rep ``r`` (0..R-1), stage ``s`` (playbook order) and way ``w`` (the
    stage's ways, in playbook order; padded to the largest stage).
    """

    people: list[dict[str, Any]]
    team_names: list[str]
    rep_person: np.ndarray  # [R] int32 index into people
    rep_team: np.ndarray  # [R] int team index
    rep_hired: np.ndarray  # [R] datetime64[D]
    team_rates: np.ndarray  # [T, S]
    team_vol: np.ndarray  # [T] mean dials per business day
    vol_mult: np.ndarray  # [R]
    rate_pre: np.ndarray  # [R, S] true rate before any change
    rate_post: np.ndarray  # [R, S] true rate after a fix_stage change (else = rate_pre)
    weak_stage: np.ndarray  # [R] stage index or -1
    strong_stage: np.ndarray  # [R] stage index or -1
    deal_mult: np.ndarray  # [R]
    record_share: np.ndarray  # [R]
    n_ways: np.ndarray  # [S]
    way_mult: np.ndarray  # [S, W] true multiplier of each way (mean 1 over the stage's ways)
    pref_pre: np.ndarray  # [R, S, W]
    pref_post: np.ndarray  # [R, S, W]
    ch_kind: np.ndarray  # [R] CHANGE_*
    ch_stage: np.ndarray  # [R] stage index or -1
    ch_day: np.ndarray  # [R] datetime64[D] (NaT when none)
    ch_way: np.ndarray  # [R] way index or -1
    ch_rate_after: np.ndarray  # [R]


def _partition(rng: np.random.Generator, total: int, lo: int, hi: int) -> list[int]:
    """Split ``total`` into group sizes in [lo, hi] (one smaller group if ``total < lo``)."""
    sizes: list[int] = []
    rem = total
    while rem > hi:
        s = min(int(rng.integers(lo, hi + 1)), rem - lo)
        sizes.append(s)
        rem -= s
    if rem > 0:
        sizes.append(rem)
    return sizes


def _hire_date(start: dt.date, days_before: int) -> str:
    return (start - dt.timedelta(days=int(days_before))).isoformat()


@dataclass
class _Chart:
    """The org chart: people rows (the people CSV) and each rep's team, person row and hire day."""

    people: list[dict[str, Any]]
    team_names: list[str]
    rep_team: np.ndarray
    rep_person: np.ndarray
    rep_hired: np.ndarray
    new_hire: np.ndarray


@dataclass
class _Rates:
    """Each team's and rep's true volume, stage rates and deal size before any change."""

    team_rates: np.ndarray
    team_vol: np.ndarray
    vol_mult: np.ndarray
    rate_pre: np.ndarray
    weak_stage: np.ndarray
    strong_stage: np.ndarray
    deal_mult: np.ndarray
    record_share: np.ndarray


@dataclass
class _Changes:
    """The behavior changes with a known effect: what changed, where, when, and to what."""

    kind: np.ndarray
    stage: np.ndarray
    day: np.ndarray
    way: np.ndarray
    rate_post: np.ndarray
    pref_post: np.ndarray
    rate_after: np.ndarray


def plan_org(
    cfg: SimConfig,
    rng: np.random.Generator,
    playbook: PlaybookSpec,
    days: np.ndarray,
) -> OrgPlan:
    """Draw the org chart and every rep's latent parameters.

    ``days`` are the simulated business days; new hires start on one of them. The draws come
    from ``rng`` in a fixed order (chart, rates, ways, changes, high potential), so one seed
    gives one org.
    """
    if cfg.reps < 1:
        raise ValueError("reps must be at least 1")
    if cfg.story and cfg.reps < STORY_TEAM_SIZE + 6:
        raise ValueError(f"story mode needs at least {STORY_TEAM_SIZE + 6} reps")
    chart = _draw_chart(cfg, rng, days)
    rates = _draw_rates(cfg, rng, playbook, chart.rep_team, len(chart.team_names))
    stage_ways, n_ways, way_mult, pref_pre = _draw_ways(cfg, rng, playbook)
    changes = _draw_changes(cfg, rng, days, chart, rates, stage_ways, way_mult, pref_pre)
    _mark_high_potential(cfg, rng, chart, rates.strong_stage)
    return OrgPlan(
        people=chart.people,
        team_names=chart.team_names,
        rep_person=chart.rep_person,
        rep_team=chart.rep_team,
        rep_hired=chart.rep_hired,
        team_rates=rates.team_rates,
        team_vol=rates.team_vol,
        vol_mult=rates.vol_mult,
        rate_pre=rates.rate_pre,
        rate_post=changes.rate_post,
        weak_stage=rates.weak_stage,
        strong_stage=rates.strong_stage,
        deal_mult=rates.deal_mult,
        record_share=rates.record_share,
        n_ways=n_ways,
        way_mult=way_mult,
        pref_pre=pref_pre,
        pref_post=changes.pref_post,
        ch_kind=changes.kind,
        ch_stage=changes.stage,
        ch_day=changes.day,
        ch_way=changes.way,
        ch_rate_after=changes.rate_after,
    )


# ----------------------------------------------------------------------------- the org chart


def _layout(cfg: SimConfig, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Team sizes (6-14 reps) and how many teams each director has (2-4)."""
    if cfg.story:
        team_sizes = [STORY_TEAM_SIZE, *_partition(rng, cfg.reps - STORY_TEAM_SIZE, 6, 14)]
        groups = [2, *_partition(rng, len(team_sizes) - 2, 2, 4)] if len(team_sizes) > 2 else [2]
    else:
        team_sizes = _partition(rng, cfg.reps, 6, 14)
        groups = _partition(rng, len(team_sizes), 2, 4)
    return team_sizes, groups


class _People:
    """The people rows, each with an external id ``P00001``… in the order they are added."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @staticmethod
    def pid(i: int) -> str:
        return f"P{i + 1:05d}"

    def add(
        self, name_email: tuple[str, str], role: str, manager: str, team: str, hired: str
    ) -> int:
        self.rows.append(
            {
                "external_id": self.pid(len(self.rows)),
                "name": name_email[0],
                "email": nm.email_for(name_email[1]),
                "role": role,
                "manager": manager,
                "team": team,
                "high_potential": False,
                "hired_on": hired,
            }
        )
        return len(self.rows) - 1


def _story_name(full: str) -> tuple[str, str]:
    return full, full.lower().replace(" ", ".")


def _hire_days(
    cfg: SimConfig, rng: np.random.Generator, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each rep's hire day: ~12% join during the simulated window (they ramp), the rest earlier."""
    reps, start = cfg.reps, days[0].astype(object)
    new_hire = rng.random(reps) < 0.12
    if cfg.story:
        new_hire[:STORY_TEAM_SIZE] = False
    hire_idx = rng.integers(0, max(1, len(days) - 15), reps)
    days_before = rng.integers(60, 2000, reps)
    if cfg.story:
        days_before[:STORY_TEAM_SIZE] = np.maximum(days_before[:STORY_TEAM_SIZE], 400)
    rep_hired = np.where(
        new_hire,
        days[hire_idx],
        np.datetime64(start, "D") - days_before.astype("timedelta64[D]"),
    ).astype("datetime64[D]")
    return new_hire, rep_hired


def _draw_chart(cfg: SimConfig, rng: np.random.Generator, days: np.ndarray) -> _Chart:
    """The admin, one director per region, one leader per team, the reps (story names first)."""
    reps, start = cfg.reps, days[0].astype(object)
    team_sizes, groups = _layout(cfg, rng)
    n_teams, n_dirs = len(team_sizes), len(groups)
    names = iter(nm.person_names(rng, 1 + n_dirs + n_teams + reps))
    if cfg.story:
        teams = [STORY_TEAM, *nm.team_names(rng, n_teams - 1, (STORY_TEAM,))]
        regions = [STORY_REGION, *nm.region_names(n_dirs - 1, (STORY_REGION,))]
    else:
        teams = nm.team_names(rng, n_teams)
        regions = nm.region_names(n_dirs)
    people = _People()
    people.add(next(names), "admin", "", "", _hire_date(start, 900 + rng.integers(0, 400)))
    dir_idx = []
    for d in range(n_dirs):
        who = _story_name("Morgan Lee") if (cfg.story and d == 0) else next(names)
        dir_idx.append(
            people.add(who, "leader", "", "", _hire_date(start, rng.integers(1000, 4000)))
        )
    leader_idx = []
    team_dir = np.repeat(np.arange(n_dirs), groups)
    for t in range(n_teams):
        who = _story_name("Dana Reyes") if (cfg.story and t == 0) else next(names)
        d = int(team_dir[t])
        hired = _hire_date(start, rng.integers(400, 3000))
        leader_idx.append(people.add(who, "leader", people.pid(dir_idx[d]), regions[d], hired))
    rep_team = np.repeat(np.arange(n_teams), team_sizes)
    new_hire, rep_hired = _hire_days(cfg, rng, days)
    story_rep_names = ["Sam Patel", "Alex Kim"]
    rep_person = np.empty(reps, dtype=np.int32)
    for r in range(reps):
        who = _story_name(story_rep_names[r]) if (cfg.story and r < 2) else next(names)
        t = int(rep_team[r])
        manager = people.pid(leader_idx[t])
        rep_person[r] = people.add(who, "rep", manager, teams[t], str(rep_hired[r]))
    return _Chart(people.rows, teams, rep_team, rep_person, rep_hired, new_hire)


# ----------------------------------------------------------------------------- rates and volume


def _draw_rates(
    cfg: SimConfig,
    rng: np.random.Generator,
    playbook: PlaybookSpec,
    rep_team: np.ndarray,
    n_teams: int,
) -> _Rates:
    """Team rates around the configured stage rates; per rep a volume, a deal size, small stage
    differences, and for some a material weak stage (×0.45-0.8) or a strong one (×1.2-1.5)."""
    reps, stage_keys = cfg.reps, playbook.stage_keys
    n_stages = len(stage_keys)
    base_rates = dict(cfg.stage_rates)
    base = np.array([base_rates[k] for k in stage_keys])
    team_rates = np.clip(base * np.exp(rng.normal(0.0, 0.07, (n_teams, n_stages))), 0.01, 0.9)
    team_vol = cfg.dials_per_day * np.exp(rng.normal(0.0, 0.08, n_teams))
    vol_mult = np.clip(np.exp(rng.normal(0.0, 0.15, reps)), 0.5, 1.6)
    mult = np.exp(rng.normal(0.0, 0.05, (reps, n_stages)))  # no material weakness
    weak_stage = np.where(rng.random(reps) < cfg.weak_share, rng.integers(0, n_stages, reps), -1)
    weak_mult = rng.uniform(0.45, 0.8, reps)
    strong_draw = rng.integers(0, n_stages - 1, reps)
    # A strong stage is never the weak one: skip over it.
    strong_stage = np.where(
        rng.random(reps) < cfg.strong_share,
        np.where((weak_stage >= 0) & (strong_draw >= weak_stage), strong_draw + 1, strong_draw),
        -1,
    )
    strong_mult = rng.uniform(1.2, 1.5, reps)
    deal_mult = np.exp(rng.normal(0.0, 0.08, reps))
    record_share = rng.beta(6.0 * cfg.way_record_share, 6.0 * (1 - cfg.way_record_share), reps)
    if cfg.story:
        s_conv = stage_keys.index("conversation")
        s_meet = stage_keys.index("meeting")
        story = slice(0, STORY_TEAM_SIZE)
        mult[story] = np.exp(rng.normal(0.0, 0.03, (STORY_TEAM_SIZE, n_stages)))
        weak_stage[story], strong_stage[story] = -1, -1
        vol_mult[story] = np.clip(vol_mult[story], 0.9, 1.1)
        deal_mult[story] = np.clip(deal_mult[story], 0.95, 1.05)
        weak_stage[STORY_SAM], weak_mult[STORY_SAM] = s_conv, 0.5
        vol_mult[STORY_SAM] = 1.0
        record_share[STORY_SAM] = 0.75
        strong_stage[STORY_ALEX], strong_mult[STORY_ALEX] = s_conv, 1.35
        weak_stage[STORY_DISCOVERY], weak_mult[STORY_DISCOVERY] = s_meet, 0.55
        vol_mult[STORY_LOW_VOLUME] = 0.6
    rows = np.arange(reps)
    has_weak, has_strong = weak_stage >= 0, strong_stage >= 0
    mult[rows[has_weak], weak_stage[has_weak]] = weak_mult[has_weak]
    mult[rows[has_strong], strong_stage[has_strong]] = strong_mult[has_strong]
    rate_pre = np.minimum(team_rates[rep_team] * mult, MAX_RATE)
    return _Rates(
        team_rates, team_vol, vol_mult, rate_pre, weak_stage, strong_stage, deal_mult, record_share
    )


# ----------------------------------------------------------------------------- ways


def _draw_ways(
    cfg: SimConfig, rng: np.random.Generator, playbook: PlaybookSpec
) -> tuple[list[list[str]], np.ndarray, np.ndarray, np.ndarray]:
    """Each way's true multiplier (mean 1 over its stage) and each rep's mix of ways.

    Returns the stages' way keys, the number of ways per stage, the multipliers [S, W] and the
    reps' preferences [R, S, W] (padded to the largest stage).
    """
    stage_keys = playbook.stage_keys
    stage_ways = [[w.key for b in st.behaviors for w in b.ways] for st in playbook.stages]
    n_ways = np.array([len(w) for w in stage_ways])
    width = max(1, int(n_ways.max()))
    way_mult = np.zeros((len(stage_keys), width))
    pref_pre = np.zeros((cfg.reps, len(stage_keys), width))
    for s, keys in enumerate(stage_ways):
        k = max(1, len(keys))
        m = np.exp(rng.normal(0.0, 0.25, k))
        way_mult[s, :k] = m / m.mean()
        pref_pre[:, s, :k] = rng.dirichlet(np.full(k, 0.8), cfg.reps)
        if cfg.story and stage_keys[s] == "conversation" and set(keys) == set(STORY_GREETING_WAYS):
            way_mult[s, :k] = [STORY_GREETING_WAYS[key] for key in keys]
            weak = keys.index(STORY_WEAK_WAY)
            pref_pre[STORY_SAM, s, :k] *= 0.25
            pref_pre[STORY_SAM, s, weak] += 0.75
    return stage_ways, n_ways, way_mult, pref_pre


# ----------------------------------------------------------------------------- behavior changes


def _draw_changes(
    cfg: SimConfig,
    rng: np.random.Generator,
    days: np.ndarray,
    chart: _Chart,
    rates: _Rates,
    stage_ways: list[list[str]],
    way_mult: np.ndarray,
    pref_pre: np.ndarray,
) -> _Changes:
    """Some reps change a behavior on a day of the window: half of those with a weak stage fix
    it (its rate goes back to the team's), the others switch to a better way of a stage."""
    reps, n_days, n_stages = cfg.reps, len(days), rates.rate_pre.shape[1]
    n_ways = np.array([len(w) for w in stage_ways])
    ch = _Changes(
        kind=np.zeros(reps, dtype=np.int8),
        stage=np.full(reps, -1),
        day=np.full(reps, np.datetime64("NaT"), dtype="datetime64[D]"),
        way=np.full(reps, -1),
        rate_post=rates.rate_pre.copy(),
        pref_post=pref_pre.copy(),
        rate_after=np.zeros(reps),
    )
    changes = rng.random(reps) < cfg.change_share
    kind_draw = rng.random(reps)
    stage_draw = rng.integers(0, n_stages, reps)
    day_draw = rng.random(reps)
    if cfg.story:
        changes[:STORY_TEAM_SIZE] = False
        changes[STORY_SAM] = True
    hired_idx = np.searchsorted(days, chart.rep_hired)
    for r in np.flatnonzero(changes):
        story_sam = cfg.story and r == STORY_SAM
        if story_sam:
            day = np.datetime64(cfg.as_of - dt.timedelta(days=14), "D")
        else:
            lo = max(int(hired_idx[r]) + 20, n_days // 4)
            hi = n_days - 8
            if hi <= lo:
                continue
            day = days[lo + int(day_draw[r] * (hi - lo))]
        weak = int(rates.weak_stage[r])
        if weak >= 0 and kind_draw[r] < 0.5 and not story_sam:
            ch.kind[r], ch.stage[r] = CHANGE_FIX, weak
            ch.rate_post[r, weak] = min(
                rates.team_rates[chart.rep_team[r], weak] * (0.92 + 0.1 * kind_draw[r]), MAX_RATE
            )
        else:
            s = weak if weak >= 0 else int(stage_draw[r])
            if not _switch_way(ch, r, s, int(n_ways[s]), stage_ways, way_mult, pref_pre, story_sam):
                continue
        ch.day[r] = day
    ch.rate_after = _rate_after_change(ch, rates.rate_pre, pref_pre, way_mult)
    return ch


def _switch_way(
    ch: _Changes,
    r: int,
    s: int,
    n_ways: int,
    stage_ways: list[list[str]],
    way_mult: np.ndarray,
    pref_pre: np.ndarray,
    story_sam: bool,
) -> bool:
    """Rep ``r`` moves most of their stage-``s`` tries to the best way they do not favour yet
    (Sam: to the story's better way). False when the stage has fewer than two ways."""
    k = max(1, n_ways)
    if k < 2:
        return False
    order = np.argsort(-way_mult[s, :k], kind="stable")
    target = int(order[0]) if np.argmax(pref_pre[r, s, :k]) != order[0] else int(order[1])
    if story_sam:
        target = stage_ways[s].index(STORY_BETTER_WAY)
    # Sam uses the better way on most calls since two weeks: the month as a whole still shows
    # his weak greeting, and the experiment shows it moving whatever the demo's date (checked
    # over 20 consecutive as-of dates).
    shift = 0.5 if story_sam else 0.6
    ch.pref_post[r, s, :k] = (1 - shift) * pref_pre[r, s, :k]
    ch.pref_post[r, s, target] += shift
    ch.kind[r], ch.stage[r], ch.way[r] = CHANGE_WAY, s, target
    return True


def _rate_after_change(
    ch: _Changes, rate_pre: np.ndarray, pref_pre: np.ndarray, way_mult: np.ndarray
) -> np.ndarray:
    """The changed stage's true rate after each change (0 for reps without one)."""
    norm = np.einsum("rsw,sw->rs", pref_pre, way_mult)
    norm_post = np.einsum("rsw,sw->rs", ch.pref_post, way_mult)
    # A way change moves the rep's rate by how much better the new mix of ways is.
    after_way = np.minimum(rate_pre * norm_post / norm, MAX_RATE)
    idx = np.flatnonzero(ch.kind > 0)
    out = np.zeros(rate_pre.shape[0])
    st = ch.stage[idx]
    out[idx] = np.where(ch.kind[idx] == CHANGE_WAY, after_way[idx, st], ch.rate_post[idx, st])
    return out


def _mark_high_potential(
    cfg: SimConfig, rng: np.random.Generator, chart: _Chart, strong_stage: np.ndarray
) -> None:
    """High potential: a few strong, experienced reps (Alex in the story)."""
    hp = (strong_stage >= 0) & (rng.random(cfg.reps) < 0.4) & ~chart.new_hire
    if cfg.story:
        hp[:STORY_TEAM_SIZE] = False
        hp[STORY_ALEX] = True
    for r in np.flatnonzero(hp):
        chart.people[int(chart.rep_person[r])]["high_potential"] = True
