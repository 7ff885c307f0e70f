"""Goals for the people a caller may see (the caller checks): which goals apply, suggestions
from the diagnosis, progress judged by the core, and weekly scorecards."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q

from ninety.core import goals as core
from ninety.core.dates import day_text, week_text
from ninety.core.diagnosis import tries_to_settle
from ninety.core.goals import Elapsed, Judgement, Metric
from ninety.core.periods import Period
from ninety.core.playbook_spec import PlaybookSpec
from ninety.core.stage_model import prob_at_least
from ninety.diagnosis.loaders import load_won
from ninety.diagnosis.services import (
    GroupReport,
    RepReport,
    default_as_of,
    org_reports,
    playbook_for,
)
from ninety.goals import sources
from ninety.goals.loaders import Counts, activity_counts, experiments_running
from ninety.goals.models import Goal, ScorecardWeights
from ninety.people.models import Org, Person, Team

#: Days of wins a rep's deal size is read over for the funnel-backwards volume.
DEAL_SIZE_DAYS = 91


class GoalError(ValueError):
    """A goal that cannot be saved; the message names the field."""


def metric_list(spec: PlaybookSpec) -> dict[str, Metric]:
    """Every metric for the org's playbook (``ninety.core.goals.metrics``)."""
    first = spec.stages[0].entry if spec.stages else "activitie"
    return core.metrics([(s.key, s.name) for s in spec.stages], volume_label=f"{first}s")


def goals_for(
    people: Sequence[Person], statuses: Iterable[str] = (Goal.Status.ACTIVE,)
) -> dict[int, list[Goal]]:
    """The goals that apply to each person: their own, their team's, the org's; per metric the
    most specific one (rep over team over org). One query."""
    if not people:
        return {}
    ids = [p.pk for p in people]
    teams = {p.team_id for p in people if p.team_id}
    qs = Goal.objects.filter(org_id=people[0].org_id, status__in=list(statuses)).filter(
        Q(person_id__in=ids) | Q(team_id__in=teams) | Q(scope=Goal.Scope.ORG)
    )
    by_person: dict[int, list[Goal]] = {}
    by_team: dict[int, list[Goal]] = {}
    org_wide: list[Goal] = []
    for g in qs.order_by("pk"):
        if g.scope == Goal.Scope.REP:
            by_person.setdefault(g.person_id, []).append(g)
        elif g.scope == Goal.Scope.TEAM:
            by_team.setdefault(g.team_id, []).append(g)
        else:
            org_wide.append(g)
    out: dict[int, list[Goal]] = {}
    for p in people:
        chosen: dict[str, Goal] = {}
        # Most specific first: the rep's own, then the team's, then the org's.
        for g in (*by_person.get(p.pk, ()), *by_team.get(p.team_id or 0, ()), *org_wide):
            chosen.setdefault(g.metric, g)
        out[p.pk] = list(chosen.values())
    return out


# --- writing goals -----------------------------------------------------------------------------


def check_goal(spec: PlaybookSpec, metric: str, target: float, period_kind: str) -> Metric:
    """The metric, or GoalError naming the bad field."""
    known = metric_list(spec)
    if metric not in known:
        raise GoalError(f"metric: {metric!r} is not one of {', '.join(known)}")
    m = known[metric]
    if not math.isfinite(target) or target < 0:
        raise GoalError("target: expected a number of at least 0")
    if m.kind in ("rate", "share") and target > 1:
        raise GoalError("target: a rate or share is at most 100%")
    if period_kind not in core.PERIOD_KINDS:
        raise GoalError(f"period: expected one of {', '.join(core.PERIOD_KINDS)}")
    return m


def create_goal(
    *,
    org: Org,
    metric: str,
    target: float,
    by: Person | None,
    person: Person | None = None,
    team: Team | None = None,
    higher_is_better: bool = True,
    period_kind: str = Goal.PeriodKind.MONTH,
    status: str = Goal.Status.ACTIVE,
    note: str = "",
) -> Goal:
    """A goal for a rep (``person``), a team or the org (neither). An active rep goal replaces
    the rep's active goal on the same metric (archived)."""
    check_goal(playbook_for(org), metric, target, period_kind)
    scope = Goal.Scope.REP if person else Goal.Scope.TEAM if team else Goal.Scope.ORG
    with transaction.atomic():
        if status == Goal.Status.ACTIVE:
            _archive_same(org, scope, person, team, metric)
        return Goal.objects.create(
            org=org,
            scope=scope,
            person=person,
            team=team,
            metric=metric,
            target=float(target),
            higher_is_better=higher_is_better,
            period_kind=period_kind,
            status=status,
            note=note[:300],
            created_by=by,
        )


def _archive_same(
    org: Org, scope: str, person: Person | None, team: Team | None, metric: str, keep: int = 0
) -> None:
    Goal.objects.filter(
        org=org, scope=scope, person=person, team=team, metric=metric, status=Goal.Status.ACTIVE
    ).exclude(pk=keep).update(status=Goal.Status.ARCHIVED)


def update_goal(
    goal: Goal,
    *,
    target: float | None = None,
    status: str | None = None,
    higher_is_better: bool | None = None,
    period_kind: str | None = None,
) -> Goal:
    """Edit a goal; accepting a suggestion (status ``active``) archives the goal it replaces."""
    if status is not None and status not in Goal.Status.values:
        raise GoalError(f"status: expected one of {', '.join(Goal.Status.values)}")
    new_target = goal.target if target is None else float(target)
    kind = period_kind or goal.period_kind
    check_goal(playbook_for(goal.org), goal.metric, new_target, kind)
    with transaction.atomic():
        goal.target, goal.period_kind = new_target, kind
        if higher_is_better is not None:
            goal.higher_is_better = higher_is_better
        if status is not None:
            goal.status = status
        if goal.status == Goal.Status.ACTIVE:
            _archive_same(goal.org, goal.scope, goal.person, goal.team, goal.metric, goal.pk)
        goal.save()
    return goal


def team_weights(team_ids: Iterable[int | None]) -> dict[int | None, tuple[float, float]]:
    """Each team's scorecard weights (the default 90/10 where none are set)."""
    out: dict[int | None, tuple[float, float]] = {t: core.DEFAULT_WEIGHTS for t in team_ids}
    for w in ScorecardWeights.objects.filter(team_id__in=[t for t in out if t]):
        out[w.team_id] = (w.behavior, w.result)
    return out


def set_weights(team: Team, behavior: float, result: float) -> ScorecardWeights:
    """Save a team's weights (normalised to add up to 1; GoalError when they cannot)."""
    try:
        b, r = core.check_weights(behavior, result)
    except ValueError as exc:
        raise GoalError(f"weights: {exc}") from exc
    w, _ = ScorecardWeights.objects.update_or_create(
        team=team, defaults={"behavior": b, "result": r}
    )
    return w


# --- suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    metric: str
    target: float
    note: str


def _deal_size(person: Person, as_of: date, report: GroupReport) -> float:
    """The rep's average won deal over the last 91 days, else the team's."""
    ids = [r.person.pk for r in report.reps]
    value, count = load_won(ids, as_of - timedelta(days=DEAL_SIZE_DAYS - 1), as_of)
    i = ids.index(person.pk)
    if count[i] > 0:
        return float(value[i] / count[i])
    return float(value.sum() / count.sum()) if count.sum() > 0 else math.nan


def suggestions(person: Person, report: GroupReport, as_of: date) -> list[Suggestion]:
    """A stage target at the rep's focus (the team's median shrunken rate) and the volume the
    quota needs at the rep's rates, read backwards through the funnel."""
    mine = report.for_person(person.pk)
    if mine is None:
        return []
    d, spec = mine.diagnosis, report.playbook
    keys = spec.stage_keys
    focus = d.focus if d.focus in keys else None
    stage = core.stage_of(d, keys)
    out: list[Suggestion] = []
    if stage is not None:
        own = d.stages[stage].mean
        mates = [r.diagnosis.stages[stage].mean for r in report.reps if r.person.pk != person.pk]
        target = core.stage_target(mates, own)
        if target is not None:
            name = spec.stage(stage).name
            why = (
                f"{name} is the focus"
                if stage == focus
                else f"No stage is a certain focus; a suggestion: {name} is where the evidence "
                "points most below the team"
            )
            out.append(
                Suggestion(
                    f"{core.STAGE_PREFIX}{stage}",
                    target,
                    f"{why}: the team's median rate is {target:.0%} (yours about {own:.0%}).",
                )
            )
    volume = _volume_suggestion(person, mine, report, as_of, stage)
    return out + ([volume] if volume else [])


def _volume_suggestion(
    person: Person, mine: RepReport, report: GroupReport, as_of: date, stage: str | None
) -> Suggestion | None:
    spec, d = report.playbook, mine.diagnosis
    quota = mine.pace.quota
    if not quota or not spec.stages:
        return None
    period = Period.of(as_of)
    days = core.business_days(period.start, period.last_day)
    keys = spec.stage_keys
    rates = [d.stages[k].mean for k in keys]
    team = [d.stages[k].group_rate if d.stages[k].comparable else d.stages[k].mean for k in keys]
    at = keys.index(stage) if stage else None
    vt = core.volume_targets(quota, days, rates, _deal_size(person, as_of, report), team, at)
    if not math.isfinite(vt.own):
        return None
    what = f"{spec.stages[0].entry}s"
    note = f"To reach quota at your rates you need {vt.own:.0f} {what} a day"
    if vt.at_team is not None and stage is not None:
        note += f"; at the team's {spec.stage(stage).name} rate, {vt.at_team:.0f}"
    return Suggestion(core.VOLUME, float(math.ceil(vt.own)), note + ".")


def suggest(person: Person, report: GroupReport, as_of: date, by: Person | None) -> list[Goal]:
    """Replace the rep's open suggestions with fresh ones."""
    found = suggestions(person, report, as_of)
    with transaction.atomic():
        Goal.objects.filter(person=person, status=Goal.Status.SUGGESTED).delete()
        return [
            create_goal(
                org=person.org,
                person=person,
                metric=s.metric,
                target=s.target,
                by=by,
                status=Goal.Status.SUGGESTED,
                note=s.note,
            )
            for s in found
        ]


def suggest_all(org: Org, as_of: date, accept: bool = False) -> int:
    """Suggestions for every rep of the org (each team diagnosed as its page does); accepted at
    once with ``accept`` (the benchmark's org). Returns how many goals were made."""
    made = 0
    for report in org_reports(org, Period.of(as_of), as_of):
        for r in report.reps:
            for goal in suggest(r.person, report, as_of, None):
                made += 1
                if accept:
                    update_goal(goal, status=Goal.Status.ACTIVE)
    return made


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    metric: Metric
    judgement: Judgement
    elapsed: Elapsed
    period: str
    #: A rate goal: the days of the stage's evidence window it is judged on.
    window_days: int | None = None

    @property
    def judged_on(self) -> str:
        """What the goal is judged on: 'Dec 2026 so far (day 1 of 23)', 'the last 36 days'."""
        if self.window_days is None:
            return self.period
        days = self.window_days
        return f"judged on the last {days} day{'s' if days != 1 else ''}"

    @property
    def target_text(self) -> str:
        sign = "at least" if self.goal.higher_is_better else "at most"
        return f"{sign} {self.metric.format(self.goal.target)}"

    @property
    def value_text(self) -> str:
        return self.metric.format(self.judgement.value)


def _period_label(kind: str, as_of: date, when: Elapsed | None = None) -> str:
    """'Dec 2026', and while it runs 'Dec 2026 so far (day 1 of 23)'."""
    first, _ = core.period_bounds(kind, as_of)
    if kind == "day":
        label = day_text(first)
    elif kind == "week":
        label = week_text(first)
    else:
        label = first.strftime("%b %Y")
    return f"{label} {when.so_far}" if when is not None and when.so_far else label


def _window_days(report: GroupReport, m: Metric) -> int | None:
    """The days a rate goal is judged on: the stage's evidence window (the diagnosis's
    posterior), which may reach back before the period, so the period would mislabel it."""
    w = report.window(m.stage) if m.kind == "rate" and m.stage else None
    return w.days if w is not None else None


def _share(hits: float, total: float, g: Goal) -> Judgement:
    return core.judge_share(hits, total, g.target, g.higher_is_better)


def _judge(
    g: Goal, m: Metric, counts: Counts, i: int, spec: PlaybookSpec, extra: dict[str, Any]
) -> Judgement:
    """One goal of the rep at row ``i`` of ``counts`` (not a rate: those need the posterior)."""
    when: Elapsed = extra["elapsed"]
    if m.key == core.VOLUME:  # on the whole business days only: a part-day is no day's worth
        n = extra["whole_days"].count[spec.stages[0].entry][i]
        return core.judge_volume(n, when.judged, when.total, g.target, g.higher_is_better)
    if m.key == "ways_adherence":
        entries = [s.entry for s in spec.stages]
        hits = sum(counts.with_way[t][i] for t in entries)
        return _share(hits, sum(counts.count[t][i] for t in entries), g)
    if m.key in ("recital", "one_on_ones"):
        hits, total = extra[m.key].get(extra["ids"][i], (0.0, 0.0))
        if m.key == "recital":
            return _share(hits, total, g)
        return core.judge_count(hits, g.target, when, g.higher_is_better)
    if m.key == "experiments":
        n = float(extra["experiments"][i])
        return core.judge_count(n, g.target, Elapsed(1, 1), g.higher_is_better)
    return core.Judgement(core.UNKNOWN, None, None)


def _rate_judgements(report: GroupReport, wanted: list[tuple[int, int, Goal]]) -> list[Judgement]:
    """Rate goals (rep row, stage index, goal) on the diagnosis's own posterior."""
    if not wanted or report.counts is None:
        return [core.Judgement(core.UNKNOWN, None, None) for _ in wanted]
    x, n, g = report.counts
    t = np.full((2, *x.shape), np.nan)
    for row, k, goal in wanted:
        near = core.NEAR if goal.higher_is_better else 1 / core.NEAR
        t[0, row, k], t[1, row, k] = goal.target, goal.target * near
    p = prob_at_least(x, n, g, t)
    by_row = {r.diagnosis.rep: r for r in report.reps}
    out = []
    for row, k, goal in wanted:
        meets, near = p[0, row, k], p[1, row, k]
        if not goal.higher_is_better:
            meets, near = 1 - meets, 1 - near
        mean = by_row[row].diagnosis.stages[report.playbook.stage_keys[k]].mean
        ratio = core.NEAR if goal.higher_is_better else 1 / core.NEAR
        more = int(tries_to_settle(goal.target, n[row, k], ratio))
        out.append(core.judge_rate(float(meets), float(near), mean, more))
    return out


def progress(person: Person, report: GroupReport, as_of: date) -> list[GoalProgress]:
    """Each active goal of the rep and how it stands at ``as_of``."""
    return progress_many([person], report, as_of).get(person.pk, [])


def progress_many(
    people: Sequence[Person], report: GroupReport, as_of: date
) -> dict[int, list[GoalProgress]]:
    """Each active goal that applies to each of ``people`` (reps of ``report``: their own,
    their team's, the org's) and how it stands at ``as_of``, judged as on the rep's own page;
    the counts read once for all of them."""
    rows = {p.pk: r for p in people if (r := report.for_person(p.pk)) is not None}
    people = [p for p in people if p.pk in rows]
    spec = report.playbook
    known = metric_list(spec)
    applying = {pk: [g for g in gs if g.metric in known] for pk, gs in goals_for(people).items()}
    if not any(applying.values()):
        return {p.pk: [] for p in people}
    ids = [p.pk for p in people]
    types = sorted({s.entry for s in spec.stages})
    by_kind: dict[str, tuple[Counts, dict[str, Any]]] = {}
    day_over = as_of < default_as_of()  # a live page's today is still under way
    for kind in {g.period_kind for gs in applying.values() for g in gs}:
        first, last = core.period_bounds(kind, as_of)
        upto = min(last, as_of)
        when = core.elapsed(kind, as_of, as_of, day_over)
        extra: dict[str, Any] = {
            "ids": ids,
            "elapsed": when,
            "recital": sources.read("recital", ids, first, upto) or {},
            "one_on_ones": sources.read("one_on_ones", ids, first, upto) or {},
            "experiments": experiments_running(ids, upto),
        }
        counts = activity_counts(ids, types, first, upto)
        extra["whole_days"] = (
            activity_counts(ids, types, first, upto - timedelta(days=1)) if when.partial else counts
        )
        by_kind[kind] = (counts, extra)
    keys = spec.stage_keys
    rates = [
        (rows[pk].diagnosis.rep, keys.index(known[g.metric].stage), g)
        for pk, gs in applying.items()
        for g in gs
        if known[g.metric].kind == "rate"
    ]
    # One rate goal per rep and stage (the most specific one), so (row, stage) names it.
    judged = dict(zip([(r, k) for r, k, _ in rates], _rate_judgements(report, rates), strict=True))
    out: dict[int, list[GoalProgress]] = {}
    for i, p in enumerate(people):
        mine, found = rows[p.pk], []
        for g in applying.get(p.pk, []):
            m = known[g.metric]
            counts, extra = by_kind[g.period_kind]
            if m.kind == "rate":
                j = judged[(mine.diagnosis.rep, keys.index(m.stage))]
            elif m.kind == "result":
                pace = mine.pace
                j = core.judge_result(pace.projected, pace.high, pace.quota, g.target)
            else:
                j = _judge(g, m, counts, i, spec, extra)
            period = _period_label(g.period_kind, as_of, extra["elapsed"])
            days = _window_days(report, m)
            found.append(GoalProgress(g, m, j, extra["elapsed"], period, days))
        out[p.pk] = found
    return out
