"""Weekly scorecards: each rep's goals scored on one week of rollups (see ``ninety.core.goals``).

A week's actual per goal: volume per business day; a stage's rate as the stage model's posterior
mean on the week's counts (each team's active reps compared with each other and no one else,
whoever is asked for: a rep alone, the team, the org give a rep the same number);
ways adherence and the recital score as shares; one-on-ones held and experiments running as
counts (a monthly one-on-ones target on the four weeks ending with the week); the result as the
week's wins over the week's share of the monthly quota. Monthly targets of counts are scaled to
the week by business days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from ninety.core import goals as core
from ninety.core.periods import Period
from ninety.core.pipeline import is_deal_step
from ninety.core.playbook_spec import PlaybookSpec
from ninety.core.stage_model import stage_posteriors
from ninety.diagnosis.loaders import GroupData, load_quota
from ninety.diagnosis.services import build_funnel, default_as_of, playbook_for
from ninety.goals import sources
from ninety.goals.loaders import Counts, activity_counts, experiments_running, won_between
from ninety.goals.models import Goal
from ninety.goals.services import goals_for, metric_list, team_weights
from ninety.people.models import Org, Person, Role, Team


@dataclass(frozen=True)
class Scorecard:
    """One rep's week: scores 0–100 (None: no goal with data), each goal's attainment, the
    behavior score of the weeks before (oldest first, this week last) and the streak."""

    person: Person
    week: date
    total: float | None
    behavior: float | None
    result: float | None
    goals: tuple[tuple[str, float | None], ...]
    trend: tuple[float | None, ...] = ()
    streak: int = 0
    #: 'so far (day 2 of 5)' while the week runs, '' once its business days are over.
    so_far: str = ""
    #: What each goal is scored on ("this week's rate", "last 4 weeks"), as ``goals``.
    scored_on: tuple[str, ...] = ()

    @property
    def lines(self) -> list[tuple[str, float | None, str]]:
        """(label, attainment, what it is scored on) of each goal."""
        on = self.scored_on or ("",) * len(self.goals)
        return [(label, a, o) for (label, a), o in zip(self.goals, on, strict=True)]

    @property
    def behavior_text(self) -> str:
        return "–" if self.behavior is None else f"{self.behavior:.0f}"


#: Weeks a monthly count goal (one-on-ones held) is judged on, ending with the scored week.
COUNT_WEEKS = 4


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True)
class _Week:
    first: date
    last: date
    #: Whole business days of the week behind the score (all five once it is over).
    bdays: int
    month_bdays: int
    counts: Counts
    extra: dict[str, Any]
    #: The counts of those whole days (volume per day: a part-day is no day's worth).
    whole_days: Counts | None = None
    #: The week's business days are over (else its score is "so far").
    final: bool = True


def _load_week(
    people: Sequence[Person],
    spec: PlaybookSpec,
    when: tuple[date, date, core.Elapsed],
    metrics: set[str],
    peers: dict[int, list[Person]],
) -> _Week:
    """The week from ``first`` as far as it has run: counted up to ``last`` (its Sunday, or
    the as-of day), volumes per whole business day over the whole days alone. With stage goals
    the team mates of ``peers`` not asked for are read in the same queries (their rows after
    those of ``people``)."""
    first, last, elapsed = when
    staged = any(m.startswith(core.STAGE_PREFIX) for m in metrics)
    ids = [p.pk for p in people]
    asked = set(ids)
    others = sorted({q.pk for g in peers.values() for q in g} - asked) if staged else []
    every = ids + others
    types = sorted({t for s in spec.stages for t in (s.entry, s.exit) if not is_deal_step(t)})
    read = activity_counts(every, types, first, last)
    counts = _first_rows(read, len(ids))
    whole = counts
    if elapsed.partial and core.VOLUME in metrics:
        whole = activity_counts(ids, types, first, last - timedelta(days=1))
    period = Period.of(first)
    extra: dict[str, Any] = {}
    if staged or "quota" in metrics:
        won = won_between(every, first, last)
        extra["won"] = tuple(a[: len(ids)] for a in won)
    if staged:
        rates = _week_rates(every, spec, (read, won), peers)
        extra["rates"] = rates[: len(ids)]
    if "quota" in metrics:
        extra["quota"] = load_quota(ids, period)
    for key in ("recital", "one_on_ones"):
        if key in metrics:
            extra[key] = sources.read(key, ids, first, last) or {}
    if "one_on_ones" in metrics:
        # A monthly count is judged on the four weeks ending with this one: a bi-weekly
        # one-on-one held in alternate weeks would otherwise score 0 and 100 by turns, and the
        # running week (none due yet, left out) would read as everyone improving.
        since = first - timedelta(days=7 * (COUNT_WEEKS - 1))
        extra["one_on_ones_span"] = (
            sources.read("one_on_ones", ids, since, last) or {},
            core.business_days(since, first - timedelta(days=1)) + elapsed.judged,
        )
    if "experiments" in metrics:
        extra["experiments"] = experiments_running(ids, last)
    return _Week(
        first,
        last,
        elapsed.judged,
        core.business_days(period.start, period.last_day),
        counts,
        extra,
        whole,
        elapsed.is_final,
    )


def _first_rows(c: Counts, n: int) -> Counts:
    parts = (c.count, c.with_way, c.advanced, c.pending)
    return Counts(*({t: a[:n] for t, a in part.items()} for part in parts))


def _team_peers(people: Sequence[Person]) -> dict[int, list[Person]]:
    """Per team of ``people``: whom a rep's week rate is compared with, the team's active reps
    (as the dashboard's scorecard lists them), with any of ``people`` not among them (an
    inactive or teamless rep) added to their own team's group (key 0: no team)."""
    team_ids = {p.team_id for p in people if p.team_id}
    out: dict[int, list[Person]] = {t: [] for t in team_ids}
    reps = Person.objects.filter(team_id__in=team_ids, role=Role.REP, is_active=True)
    for p in reps.order_by("pk"):
        out[p.team_id].append(p)
    for p in people:
        group = out.setdefault(p.team_id or 0, [])
        if all(q.pk != p.pk for q in group):
            group.append(p)
    return out


def _week_rates(
    ids: list[int],
    spec: PlaybookSpec,
    loaded: tuple[Counts, tuple[np.ndarray, ...]],
    peers: dict[int, list[Person]],
) -> np.ndarray:
    """Posterior mean rate per person of ``ids`` and stage on the week's cohort counts, each
    team's reps compared with each other and with no one else: a rep's number is the same shown
    alone (the rep page, the prep sheet), with the team (the dashboard) or with the whole org
    (the API)."""
    counts, won = loaded
    data = GroupData(
        tuple(ids),
        counts.count,
        counts.advanced,
        counts.pending,
        won[0],
        won[1],
        np.full(len(ids), np.nan),
        {},
    )
    f = build_funnel(data, spec)
    # Every stage, whichever goals were asked for: the stages of one call share the model's G,
    # so modelling only the asked ones gave Alex 91 alone and 90 on the team's scorecard.
    cols = list(range(len(spec.stage_keys)))
    mean = np.full(f.tries.shape, np.nan)
    row = {pid: i for i, pid in enumerate(ids)}
    for group in peers.values():
        rows = [row[q.pk] for q in group if q.pk in row]
        if not rows or not cols:
            continue
        x, n = f.successes[np.ix_(rows, cols)], f.tries[np.ix_(rows, cols)]
        mean[np.ix_(rows, cols)] = stage_posteriors(x, n, np.zeros(len(rows), np.int64)).mean
    return mean


def scored_on(g: Goal, m: core.Metric) -> str:
    """What a goal's attainment is scored on, in words: the week's, not the period the goal's
    progress is judged on (a rate goal behind on its window can score 92 on this week)."""
    if m.stage is not None:
        return "this week's rate"
    if m.key == core.VOLUME:
        return "this week, per whole business day"
    if m.key == "one_on_ones" and g.period_kind == "month":
        return f"last {COUNT_WEEKS} weeks"
    return "this week"


def _scored_on(goals: list[Goal], known: dict[str, core.Metric]) -> tuple[str, ...]:
    """``scored_on`` of the goals ``week_scores`` scores (those of a known metric), in order."""
    return tuple(scored_on(g, known[g.metric]) for g in goals if g.metric in known)


def _actual(
    g: Goal, m: core.Metric, i: int, pid: int, w: _Week, spec: PlaybookSpec
) -> tuple[float, float]:
    """(actual, target) of one goal for the rep at row ``i`` over the week, in the same units."""
    share = w.bdays / max(w.month_bdays, 1)
    # A count's week target: the whole business days so far of the week's (or month's) target.
    scale = {"day": w.bdays, "week": w.bdays / 5, "month": share}[g.period_kind]
    if m.key == core.VOLUME:
        if w.bdays <= 0 or w.whole_days is None:
            return math.nan, g.target  # no whole day yet: no volume to score
        return w.whole_days.count[spec.stages[0].entry][i] / w.bdays, g.target
    if m.stage is not None:
        return float(w.extra["rates"][i, spec.stage_keys.index(m.stage)]), g.target
    if m.key == "ways_adherence":
        entries = [s.entry for s in spec.stages if not is_deal_step(s.entry)]
        total = sum(w.counts.count[t][i] for t in entries)
        hits = sum(w.counts.with_way[t][i] for t in entries)
        return (hits / total if total else math.nan), g.target
    if m.key == "recital":
        hits, total = w.extra["recital"].get(pid, (0.0, 0.0))
        return (hits / total if total else math.nan), g.target
    if m.key == "one_on_ones" and g.period_kind == "month":
        span, bdays = w.extra["one_on_ones_span"]
        return span.get(pid, (0.0, 0.0))[0], g.target * bdays / max(w.month_bdays, 1)
    if m.key == "one_on_ones":
        held = w.extra["one_on_ones"].get(pid, (0.0, 0.0))[0]
        if not w.final and held == 0 and math.floor(g.target * scale) == 0:
            return math.nan, g.target  # none due yet in a young week (judge_count's pace)
        return held, g.target * scale
    if m.key == "experiments":
        return float(w.extra["experiments"][i]), g.target
    if m.key == "quota":
        quota = w.extra["quota"][i] * share  # 0 before a whole day: no score yet
        return (w.extra["won"][0][i] / quota if quota > 0 else math.nan), g.target
    return math.nan, g.target


def week_scores(
    people: Sequence[Person],
    spec: PlaybookSpec,
    first: date,
    goals: dict[int, list[Goal]],
    weights: dict[int | None, tuple[float, float]],
    peers: dict[int, list[Person]] | None = None,
    as_of: date | None = None,
) -> tuple[core.Scores, list[list[tuple[str, float | None]]]]:
    """Scores of ``people`` for the week starting ``first`` as far as it has run by ``as_of``
    (default: all of it), and each goal's attainment (the week's stage rates against
    ``peers``, by default each rep's team: :func:`_team_peers`)."""
    known = metric_list(spec)
    mine = [[g for g in goals.get(p.pk, []) if g.metric in known] for p in people]
    metrics = {g.metric for gs in mine for g in gs}
    if peers is None:
        peers = _team_peers(people) if any(m.startswith(core.STAGE_PREFIX) for m in metrics) else {}
    last = first + timedelta(days=6)
    when = _week_elapsed(first, as_of)
    week = _load_week(people, spec, (first, min(last, as_of or last), when), metrics, peers)
    width = max((len(gs) for gs in mine), default=0)
    actual = np.full((len(people), width), np.nan)
    target = np.ones((len(people), width))
    higher = np.ones((len(people), width), bool)
    behavior = np.ones((len(people), width), bool)
    for i, (p, gs) in enumerate(zip(people, mine, strict=True)):
        for j, g in enumerate(gs):
            m = known[g.metric]
            actual[i, j], target[i, j] = _actual(g, m, i, p.pk, week, spec)
            higher[i, j], behavior[i, j] = g.higher_is_better, m.category == core.BEHAVIOR
    att = core.attainment(actual, target, higher)
    w = np.array([weights.get(p.team_id, core.DEFAULT_WEIGHTS) for p in people]).reshape(-1, 2)
    scores = core.scorecard(att, behavior, w)
    rows = [
        [(known[g.metric].label, _num(att[i, j])) for j, g in enumerate(gs)]
        for i, gs in enumerate(mine)
    ]
    return scores, rows


def _week_elapsed(first: date, as_of: date | None) -> core.Elapsed:
    """The week from ``first`` by ``as_of`` (None: over); a live page's today still runs."""
    if as_of is None:
        as_of = first + timedelta(days=6)
    return core.elapsed("week", first, as_of, day_over=as_of < default_as_of())


def scorecards(
    people: Sequence[Person], week: date, weeks: int = 1, spec: PlaybookSpec | None = None
) -> list[Scorecard]:
    """Scorecards of ``people`` (one org) for the week holding ``week`` as far as it has run by
    that day (its score 'so far (day 2 of 5)' until the week's business days are over), with
    ``weeks`` − 1 weeks of trend before it; sorted by the behavior score, highest first."""
    people = list(people)
    if not people:
        return []
    spec = spec or playbook_for(people[0].org)
    goals = goals_for(people)
    monday = week_of(week)
    if not any(goals.values()):  # nothing to score: no query for the weeks
        so_far = _week_elapsed(monday, week).so_far
        return [Scorecard(p, monday, None, None, None, (), so_far=so_far) for p in people]
    weights = team_weights({p.team_id for p in people})
    staged = any(g.metric.startswith(core.STAGE_PREFIX) for gs in goals.values() for g in gs)
    peers = _team_peers(people) if staged else {}
    history = []
    for back in range(weeks - 1, -1, -1):
        start = monday - timedelta(days=7 * back)
        history.append(week_scores(people, spec, start, goals, weights, peers, week))
    scores, rows = history[-1]
    so_far = _week_elapsed(monday, week).so_far
    known = metric_list(spec)
    cards = []
    for i, p in enumerate(people):
        trend = tuple(_num(h[0].behavior[i]) for h in history)
        cards.append(
            Scorecard(
                person=p,
                week=monday,
                total=_num(scores.total[i]),
                behavior=_num(scores.behavior[i]),
                result=_num(scores.result[i]),
                goals=tuple(rows[i]),
                scored_on=_scored_on(goals.get(p.pk, []), known),
                trend=trend,
                streak=core.streak([math.nan if t is None else t for t in trend]),
                so_far=so_far,
            )
        )
    return sorted(cards, key=lambda c: (c.behavior is None, -(c.behavior or 0), c.person.name))


def team_scorecards(team: Team, week: date, weeks: int = 6) -> list[Scorecard]:
    reps = Person.objects.filter(team=team, role=Role.REP, is_active=True).select_related("org")
    return scorecards(list(reps.order_by("name")), week, weeks)


def org_scorecards(org: Org, week: date, team: Team | None = None) -> list[Scorecard]:
    """Every active rep of the org (or of ``team``) for one week."""
    reps = Person.objects.filter(org=org, role=Role.REP, is_active=True).select_related("org")
    if team is not None:
        reps = reps.filter(team=team)
    return scorecards(list(reps.order_by("name")), week)
