"""Diagnosis and pace for people the viewer may see: load, call the core, shape for display."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from django.db.models import QuerySet

from ninety.activity.models import ActivityRollup, Deal
from ninety.activity.versions import key_for
from ninety.conf import today
from ninety.core.diagnosis import (
    DEAL_SIZE,
    VOLUME,
    DiagnosisConfig,
    GroupDiagnosis,
    RepDiagnosis,
    diagnose_funnel,
    diagnose_group,
)
from ninety.core.evidence import EvidenceWindow, bucket_starts, choose_windows, window_sums
from ninety.core.funnel import Funnel, activity_funnel
from ninety.core.pace import PaceResult, pace_from_deals
from ninety.core.periods import (
    Period,
    business_day_progress,
    elapsed_share,
    quota_days_share,
    window_quota,
)
from ninety.core.pipeline import (
    deal_stages,
    deal_steps,
    fit_to_steps,
    funnel_kind,
    is_deal_step,
    pipeline_playbook,
)
from ninety.core.playbook_spec import PlaybookSpec, StageSpec, default_playbook
from ninety.diagnosis.cache import cached, get_many, put, report_key, spec_mark
from ninety.diagnosis.deal_rows import deal_step_grid, pace_arrays, won_sums
from ninety.diagnosis.loaders import (
    DEAL_HISTORY_DAYS,
    BucketData,
    GroupData,
    Inputs,
    load_deal_buckets,
    load_inputs,
    load_monthly,
    seen_steps,
)
from ninety.people.models import Org, Person, Role, Team
from ninety.people.permissions import team_ids_below
from ninety.playbook.services import current_playbook, playbook_spec


@dataclass(frozen=True)
class Pace:
    """One rep's projected period result against quota (80% interval)."""

    won_to_date: float
    projected: float
    low: float
    high: float
    quota: float | None
    vs_quota_pct: float | None
    low_vs_quota_pct: float | None
    high_vs_quota_pct: float | None

    @property
    def is_final(self) -> bool:
        return self.low == self.high == self.projected

    @property
    def phrase(self) -> str:
        """'projecting −15% (−24% to −6%)', or the projected amount when there is no quota."""
        if self.is_final and self.vs_quota_pct is not None:
            return f"finished {_signed(self.vs_quota_pct)} against quota"
        if self.vs_quota_pct is None:
            return f"projecting {self.projected:,.0f} (no quota)"
        return (
            f"projecting {_signed(self.vs_quota_pct)} "
            f"({_signed(self.low_vs_quota_pct)} to {_signed(self.high_vs_quota_pct)})"
        )


def _signed(pct: float | None) -> str:
    if pct is None:
        return "–"
    return f"{'+' if pct > 0 else '−' if pct < 0 else '±'}{abs(round(pct)):.0f}%"


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) or math.isinf(x) else float(x)


@dataclass(frozen=True)
class RepReport:
    person: Person
    diagnosis: RepDiagnosis
    pace: Pace
    #: Tries per day at each stage over its evidence window (this rep's pace).
    tries_per_day: dict[str, float] | None = None

    def days_to_settle(self, key: str) -> int | None:
        """About how many days at this rep's pace the tries that settle the stage take."""
        s = self.diagnosis.stages.get(key)
        rate = (self.tries_per_day or {}).get(key, 0.0)
        if s is None or not s.more_tries or rate <= 0:
            return None
        return max(1, math.ceil(s.more_tries / rate))


@dataclass(frozen=True)
class Progress:
    """How far the result period has run: business day ``done`` of ``total``; ``ended`` once its
    last day is over (a trailing window that ends today is still running)."""

    done: int
    total: int
    ended: bool | None = None
    trailing: bool = False

    @property
    def is_final(self) -> bool:
        return self.ended if self.ended is not None else self.done >= self.total

    @property
    def phrase(self) -> str:
        """'final', 'day 3 of 22', or for a trailing window still running 'to today'."""
        if self.is_final:
            return "final"
        if self.trailing:
            return "to today"
        return f"day {self.done} of {self.total}"


def progress_of(period: Period, as_of: date, today: date | None = None) -> Progress:
    """The period's progress at the end of ``as_of``: it has ended when ``as_of`` is past its
    last day, or is its last day and that day is over (before ``today``)."""
    today = today or default_as_of()
    done, total = business_day_progress(period, as_of)
    ended = as_of > period.last_day or (as_of == period.last_day and as_of < today)
    return Progress(done, total, ended, period.is_trailing)


@dataclass(frozen=True)
class GroupReport:
    """The diagnosis of a set of reps for one period, with the playbook it was read against."""

    period: Period
    as_of: date
    playbook: PlaybookSpec
    group: GroupDiagnosis
    reps: tuple[RepReport, ...]
    team: Team | None = None
    #: Everyone diagnosed together (the team and its sibling teams), shown or not.
    comparison_ids: tuple[int, ...] = ()
    #: The evidence window each stage was judged on, in stage order.
    windows: tuple[EvidenceWindow, ...] = ()
    progress: Progress | None = None
    #: Deal stages read from each deal's current stage alone (no stage history imported).
    inferred: tuple[str, ...] = ()
    #: The window the gap's result is read over when it is not the period (the last stage's):
    #: without quotas always (a month without wins yet is no −100%), with quotas while the
    #: period is too young to hold that stage's evidence (then against the window's quota).
    result_window: EvidenceWindow | None = None
    #: What the stage model read, over everyone diagnosed together (rows: ``diagnosis.rep``):
    #: successes, tries (reps, stages) and team index, so a goal is judged on the same posterior.
    counts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def kind(self) -> str:
        """``activity``, ``pipeline`` (deals only) or ``joined``."""
        return self.group.kind

    def window(self, key: str) -> EvidenceWindow | None:
        keys = self.playbook.stage_keys
        return self.windows[keys.index(key)] if key in keys and self.windows else None

    @property
    def factors(self) -> tuple[str, ...]:
        return self.group.factors

    def stage(self, key: str | None) -> StageSpec | None:
        if key is None or key in (VOLUME, DEAL_SIZE):
            return None
        return self.playbook.stage(key)

    def factor_label(self, key: str) -> str:
        if key == VOLUME:
            return "Volume"
        if key == DEAL_SIZE:
            return "Deal size"
        return self.playbook.stage(key).name

    def for_person(self, person_id: int) -> RepReport | None:
        return next((r for r in self.reps if r.person.pk == person_id), None)


def playbook_for(org: Org) -> PlaybookSpec:
    """The org's published playbook; without one, the default for the data the org has: the
    pipeline playbook (fitted to the deal steps seen) when it has deals and no logged
    activities, else the inside-sales default."""
    playbook = current_playbook(org)
    if playbook:
        return playbook_spec(playbook)
    if is_pipeline_only(org):
        spec = pipeline_playbook()
        return fit_to_steps(spec, seen_steps(org.pk, deal_steps(spec)))
    return default_playbook()


def is_pipeline_only(org: Org) -> bool:
    """Deals but no logged activities (stage history, ``deal:`` rows, does not count)."""
    if not Deal.objects.filter(org=org).exists():
        return False
    people = Person.objects.filter(org=org).values("pk")
    logged = ActivityRollup.objects.filter(person_id__in=people).exclude(type__startswith="deal:")
    return not logged.exists()


def default_as_of() -> date:
    return today()


def team_reps(team: Team) -> list[Person]:
    return list(
        Person.objects.filter(team=team, role=Role.REP, is_active=True)
        .select_related("team")
        .order_by("name")
    )


def _funnel_types(spec: PlaybookSpec) -> list[str]:
    """The activity types the playbook's stages count (their entries and exits)."""
    types = {s.entry for s in spec.stages} | {s.exit for s in spec.stages}
    return sorted(t for t in types if not is_deal_step(t))


def _with_deals(
    buckets: BucketData, inputs: Inputs, spec: PlaybookSpec, last_day: date, history: bool
) -> tuple[BucketData, np.ndarray | None]:
    """The activity buckets joined with the deal steps', and the deals opened per bucket (None
    without deal stages)."""
    steps = deal_steps(spec)
    if not steps:
        return buckets, None
    entries, advanced, pending, opened = deal_step_grid(
        inputs.deals, inputs.person_ids, steps, buckets.starts, last_day, history
    )
    joined = replace(
        buckets,
        type_counts=buckets.type_counts | entries,
        advanced=buckets.advanced | advanced,
        pending=buckets.pending | pending,
    )
    return joined, opened


@dataclass(frozen=True)
class Evidence:
    """The counts each stage is judged on (its own window), volume and the wins deal size uses."""

    windows: tuple[EvidenceWindow, ...]
    volume: np.ndarray
    tries: np.ndarray
    successes: np.ndarray
    won_value: np.ndarray
    won_count: np.ndarray
    tries_per_day: np.ndarray


def _window_data(buckets: BucketData) -> list[GroupData]:
    """The counts of the first b buckets, for b = 1 .. all: running sums over the buckets, read
    once instead of one sum per window (the counts are whole numbers: the same values)."""

    def running(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {t: np.cumsum(v, axis=-1) for t, v in d.items()}

    counts, advanced, pending = (
        running(d) for d in (buckets.type_counts, buckets.advanced, buckets.pending)
    )
    value, won = np.cumsum(buckets.won_value, axis=-1), np.cumsum(buckets.won_count, axis=-1)
    quota = np.full(value.shape[0], np.nan)

    def first(d: dict[str, np.ndarray], b: int) -> dict[str, np.ndarray]:
        return {t: v[..., b] for t, v in d.items()}

    return [
        GroupData(
            person_ids=(),
            type_counts=first(counts, b),
            advanced=first(advanced, b),
            pending=first(pending, b),
            won_value=value[..., b],
            won_count=won[..., b],
            quota=quota,
            deals={},
        )
        for b in range(len(buckets.starts))
    ]


def build_evidence(
    buckets: BucketData, spec: PlaybookSpec, period_start: date, last_day: date
) -> Evidence:
    """Choose each stage's window from the bucket counts and gather its counts."""
    per_bucket = [build_funnel(data, spec) for data in _window_data(buckets)]
    # Counts of bucket b alone (cumulative differences), for the window choice.
    tries = np.stack([f.tries for f in per_bucket], axis=2)
    succ = np.stack([f.successes for f in per_bucket], axis=2)
    tries_b = np.diff(tries, axis=2, prepend=0.0)
    succ_b = np.diff(succ, axis=2, prepend=0.0)
    windows = tuple(choose_windows(tries_b, succ_b, period_start, last_day))
    n_reps, n_stages = tries.shape[:2]
    t = np.empty((n_reps, n_stages))
    x = np.empty((n_reps, n_stages))
    per_day = np.empty((n_reps, n_stages))
    for k, w in enumerate(windows):
        t[:, k], x[:, k] = tries[:, k, w.buckets - 1], succ[:, k, w.buckets - 1]
        per_day[:, k] = t[:, k] / max(w.days, 1)
    first, last = windows[0], windows[-1]
    return Evidence(
        windows=windows,
        volume=per_bucket[first.buckets - 1].volume,
        tries=t,
        successes=x,
        won_value=window_sums(buckets.won_value, last.buckets),
        won_count=window_sums(buckets.won_count, last.buckets),
        tries_per_day=per_day,
    )


def _load_evidence(
    inputs: Inputs, spec: PlaybookSpec, period_start: date, last_day: date
) -> tuple[Evidence, bool]:
    """Each stage's evidence (activities and deals joined), and whether stage history was read."""
    history = bool(deal_steps(spec)) and bool(inputs.with_history)
    buckets, opened = _with_deals(inputs.buckets, inputs, spec, last_day, history)
    ev = build_evidence(buckets, spec, period_start, last_day)
    if opened is not None and is_deal_step(spec.stages[0].entry):
        # A pipeline's volume is the deals opened in the first stage's window (its tries count
        # deals by when their outcome became known).
        ev = replace(ev, volume=window_sums(opened, ev.windows[0].buckets))
    return ev, history


def _result_side(
    ev: Evidence,
    period: Period,
    as_of: date,
    progress: Progress,
    quota: np.ndarray,
    won_value: np.ndarray,
    won_count: np.ndarray,
    month_quotas: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, EvidenceWindow | None, float]:
    """The gap's result, its quota (None: no quotas), the window it was read over when not the
    period, and the volume scale that puts the typical rep in the result's units."""
    quota_share = quota * elapsed_share(period, as_of)
    has_quota = bool(np.isfinite(quota_share).all() and (quota_share > 0).all())
    last = ev.windows[-1]
    result_window = None
    result_days = (period.clamp(as_of) - period.start).days + 1
    if not has_quota or (not progress.is_final and last.first_day < period.start):
        # Without quotas, or while the period is too young to hold the last stage's evidence
        # (day 1 of a month: a few hours of wins against a day of quota is luck, not a gap),
        # the result is what was won over the last stage's window, against the quotas of the
        # months that window covers (a rep whose quota changed this month is held to what
        # applied then), or, where a month of it has none, at this period's daily quota.
        result_window = last
        won_value, won_count = ev.won_value, ev.won_count
        result_days = last.days
        if has_quota:
            daily = quota * quota_days_share(period, last.first_day, last.last_day)
            months = window_quota(month_quotas or {}, last.first_day, last.last_day)
            quota_share = daily if months is None else np.where(np.isfinite(months), months, daily)
    # The typical rep's volume comes from the first stage's window: scaled to the result's days
    # so that the typical result and the result are in the same units.
    scale = result_days / max(ev.windows[0].days, 1)
    return won_value, won_count, (quota_share if has_quota else None), result_window, scale


def diagnose_people(
    people: list[Person],
    period: Period,
    as_of: date,
    spec: PlaybookSpec,
    *,
    groups: list[int] | None = None,
    team: Team | None = None,
    inputs: Inputs | None = None,
) -> GroupReport:
    """Diagnosis and pace of ``people`` (already permission-checked by the caller).

    The result (won to date, quota, pace) is the period's; each stage's behavior is judged on
    its evidence window (:mod:`ninety.core.evidence`). ``inputs``, loaded for these people or
    more (:func:`org_reports` loads the whole org once), saves reading the database again.
    """
    ids = [p.pk for p in people]
    last_day = period.clamp(as_of)
    if inputs is None:
        inputs = load_inputs(ids, _funnel_types(spec), deal_steps(spec), period, last_day)
    inputs = inputs.of(ids)
    won_value, won_count = (a[:, 0] for a in won_sums(inputs.deals, ids, [period.start], last_day))
    quota = inputs.quota
    kind = funnel_kind(spec)
    ev, history = _load_evidence(inputs, spec, period.start, last_day)
    progress = progress_of(period, as_of)
    won_value, won_count, quota_share, result_window, scale = _result_side(
        ev, period, as_of, progress, quota, won_value, won_count, inputs.month_quotas
    )
    diagnosis = diagnose_group(
        ev.volume,
        ev.tries,
        ev.successes,
        won_value,
        won_count,
        spec.stage_keys,
        quota_share=quota_share,
        groups=groups,
        kind=kind,
        size_value=ev.won_value,
        size_count=ev.won_count,
        volume_scale=scale,
    )
    since = last_day - timedelta(days=DEAL_HISTORY_DAYS)
    pace = pace_from_deals(
        **pace_arrays(inputs.deals, ids, since, spec.stage_keys),
        n_reps=len(ids),
        as_of=last_day,
        period_start=period.start,
        period_end=period.end,
        quota=quota,
        groups=groups,
        n_stages=len(spec.stage_keys),
        holidays=np.array([], dtype="datetime64[D]"),
    )
    keys = spec.stage_keys
    reps = tuple(
        RepReport(
            person=p,
            diagnosis=diagnosis.reps[i],
            pace=_pace_at(pace, i),
            tries_per_day={k: float(ev.tries_per_day[i, j]) for j, k in enumerate(keys)},
        )
        for i, p in enumerate(people)
    )
    return GroupReport(
        period,
        as_of,
        spec,
        diagnosis,
        reps,
        team,
        tuple(ids),
        windows=ev.windows,
        progress=progress,
        inferred=() if history else tuple(s.key for s in deal_stages(spec)[:-1]),
        result_window=result_window,
        counts=(ev.successes, ev.tries, _group_index(groups, len(ids))),
    )


def _group_index(groups: list[int] | None, n: int) -> np.ndarray:
    """Each rep's team index as the stage model read it (one team when ``groups`` is None)."""
    return np.zeros(n, np.int64) if groups is None else np.asarray(groups, np.int64)


def build_funnel(data: GroupData, spec: PlaybookSpec) -> Funnel:
    """The period's funnel: entries followed to their outcome where outcomes are recorded.

    A stage whose entry activities carry outcomes is counted as a cohort (tries = the period's
    entries with a known outcome, successes = those that advanced): less noisy than counting each
    event type in the period. A stage without outcomes in the data (many CRM exports) falls back
    to counting the period's entry and exit events.
    """
    period = activity_funnel(data.type_counts, spec, data.won_value, data.won_count)
    tries = period.tries.copy()
    successes = period.successes.copy()
    for k, stage in enumerate(spec.stages):
        known = data.type_counts[stage.entry] - data.pending[stage.entry]
        if known.sum() > 0 and data.advanced[stage.entry].sum() > 0:
            tries[:, k] = known
            successes[:, k] = np.minimum(data.advanced[stage.entry], known)
    return replace(period, tries=tries, successes=successes, counting="cohort")


TREND_CONFIG = DiagnosisConfig()


def diagnose_months(
    people: list[Person],
    periods: list[Period],
    as_of: date,
    spec: PlaybookSpec,
    *,
    groups: list[int] | None = None,
) -> dict[Period, GroupDiagnosis]:
    """The diagnosis of several months at once (no pace): for trends. Two queries in all."""
    ids = [p.pk for p in people]
    data = load_monthly(ids, _funnel_types(spec), periods, as_of)
    steps = deal_steps(spec)
    if steps and periods:
        newest_first = sorted(periods, reverse=True)
        deals = load_deal_buckets(
            ids, steps, [p.start for p in newest_first], newest_first[0].clamp(as_of)
        )
        for b, period in enumerate(newest_first):
            d = data[period]
            data[period] = replace(
                d,
                type_counts=d.type_counts | {k: v[:, b] for k, v in deals.entries.items()},
                advanced=d.advanced | {k: v[:, b] for k, v in deals.advanced.items()},
                pending=d.pending | {k: v[:, b] for k, v in deals.pending.items()},
            )
    out = {}
    for period, d in data.items():
        # A trend shows rates and the focus; fewer Monte Carlo draws are plenty.
        out[period] = diagnose_funnel(build_funnel(d, spec), groups=groups, config=TREND_CONFIG)
    return out


def months_of(
    subject: Person, periods: list[Period], as_of: date, spec: PlaybookSpec
) -> tuple[tuple[int, ...], dict[Period, GroupDiagnosis]]:
    """:func:`diagnose_months` of the rep's comparison (their team's, as :func:`team_report`;
    the rep alone without a team): who was diagnosed, in order, and each month's diagnosis.
    Kept in the report cache, shared by the team's reps."""
    if not periods:
        return (subject.pk,), {}
    who = ("months", "team", subject.team_id) if subject.team_id else ("months", "rep", subject.pk)
    first, last = min(periods), max(periods)
    version = key_for(subject.org_id, first.start, last.clamp(as_of))
    key = report_key(
        subject.org_id,
        (*who, tuple(str(p) for p in periods), as_of, default_as_of(), spec_mark(spec)),
        version,
    )

    def compute() -> tuple[tuple[int, ...], dict[Period, GroupDiagnosis]]:
        people, groups = comparison_reps(subject.team) if subject.team else ([subject], None)
        past = diagnose_months(people, periods, as_of, spec, groups=groups)
        return tuple(p.pk for p in people), past

    return cached(key, compute)


def _pace_at(pace: PaceResult, i: int) -> Pace:
    return Pace(
        won_to_date=float(pace.won_to_date[i]),
        projected=float(pace.projected[i]),
        low=float(pace.low[i]),
        high=float(pace.high[i]),
        quota=_num(pace.quota[i]),
        vs_quota_pct=_num(pace.vs_quota_pct[i]),
        low_vs_quota_pct=_num(pace.low_vs_quota_pct[i]),
        high_vs_quota_pct=_num(pace.high_vs_quota_pct[i]),
    )


#: Upper bound on the reps diagnosed together to learn how much reps differ (the prior).
MAX_COMPARISON_REPS = 250


#: Fewer reps than this in a team and its siblings: the whole org is the comparison.
MIN_COMPARISON_REPS = 8


def comparison_reps(team: Team) -> tuple[list[Person], list[int]]:
    """The reps a team is diagnosed with, and each one's group index.

    Each rep is compared with their own team's rates, but how much reps differ from their team
    (the prior) and how much teams differ are learnt over the sibling teams under the same leader
    above; a small team without enough siblings (fewer than ``MIN_COMPARISON_REPS`` reps in all)
    is diagnosed with the whole org, so two or three reps are never each other's only yardstick.
    """
    teams = [team]
    if team.parent_id:
        teams += list(Team.objects.filter(parent_id=team.parent_id).exclude(pk=team.pk))
    people = _active_reps(Person.objects.filter(team__in=teams))
    if len(people) < MIN_COMPARISON_REPS:
        people = _active_reps(Person.objects.filter(org_id=team.org_id))
    return _grouped(team, people)


def _grouped(team: Team, people: list[Person]) -> tuple[list[Person], list[int]]:
    """The comparison cut to the team when too big, and each rep's group (the team is 0)."""
    if len(people) > MAX_COMPARISON_REPS:
        people = [p for p in people if p.team_id == team.pk]
    # The team itself is group 0; other teams follow (in team id order), people without a team
    # each form their own group.
    order: dict[object, int] = {team.pk: 0}
    groups = []
    for p in people:
        key = p.team_id if p.team_id is not None else ("alone", p.pk)
        groups.append(order.setdefault(key, len(order)))
    return people, groups


def _active_reps(qs: QuerySet[Person]) -> list[Person]:
    return list(
        qs.filter(role=Role.REP, is_active=True).select_related("team").order_by("name", "pk")
    )


def _subset(report: GroupReport, keep: set[int]) -> GroupReport:
    """Only the kept reps; peer strength and the group's rows too (the sibling teams' reps are
    not the viewer's, and a cached team report need not carry them: a third of the pickle).
    Each kept row keeps its index in the comparison (``diagnosis.rep``, the rows of ``counts``).
    """
    reps = tuple(r for r in report.reps if r.person.pk in keep)
    kept = {r.diagnosis.rep for r in reps}
    strength = {
        k: tuple(i for i in idx if i in kept) for k, idx in report.group.peer_strength.items()
    }
    group = replace(report.group, peer_strength=strength, reps=tuple(r.diagnosis for r in reps))
    return replace(report, reps=reps, group=group)


def activity_days(period: Period, as_of: date) -> tuple[date, date]:
    """The first and last day of activities a report of ``period`` on ``as_of`` reads (the
    oldest evidence bucket to the period's last day so far)."""
    last_day = period.clamp(as_of)
    return min(period.start, bucket_starts(period.start, last_day)[-1]), last_day


def _key(
    org_id: int, what: tuple[object, ...], period: Period, as_of: date, mark: str, version: str
) -> str:
    """The report cache's key: who, the period, the day (and today: a period's last day is final
    only once it is over), the playbook (its :func:`spec_mark`) and the data versions."""
    when = (str(period), period.start, period.end, as_of, default_as_of())
    return report_key(org_id, (*what, *when, mark), version)


def _version(org_id: int, period: Period, as_of: date) -> str:
    return key_for(org_id, *activity_days(period, as_of))


def team_report(team: Team, period: Period, as_of: date) -> GroupReport | None:
    """The team's reps, each against the team; None when the team has no reps. Kept in the
    report cache (:mod:`ninety.diagnosis.cache`) until the data it read changes."""
    spec = playbook_for(team.org)
    key = _key(team.org_id, ("team", team.pk), period, as_of, spec_mark(spec),
               _version(team.org_id, period, as_of))  # fmt: skip
    return cached(key, lambda: _team_report(team, period, as_of, spec))


def _team_report(team: Team, period: Period, as_of: date, spec: PlaybookSpec) -> GroupReport | None:
    people, groups = comparison_reps(team)
    mine = {p.pk for p in people if p.team_id == team.pk}
    if not mine:
        return None
    report = diagnose_people(people, period, as_of, spec, groups=groups, team=team)
    return _subset(report, mine)


def rep_report(person: Person, period: Period, as_of: date) -> GroupReport:
    """A rep diagnosed within their team; a rep without a team against the org."""
    report = team_report(person.team, period, as_of) if person.team_id else None
    if report is not None and report.for_person(person.pk) is not None:
        return report
    spec = playbook_for(person.org)
    key = _key(person.org_id, ("rep", person.pk), period, as_of, spec_mark(spec),
               _version(person.org_id, period, as_of))  # fmt: skip
    return cached(key, lambda: _alone_report(person, period, as_of, spec))


def _alone_report(person: Person, period: Period, as_of: date, spec: PlaybookSpec) -> GroupReport:
    """A rep outside a team (or not in their team's comparison) against the org."""
    others = [p for p in _active_reps(Person.objects.filter(org_id=person.org_id))]
    if person.pk not in {p.pk for p in others}:
        others.append(person)
    others = others[:MAX_COMPARISON_REPS] + [p for p in others[MAX_COMPARISON_REPS:] if p == person]
    index: dict[object, int] = {}
    groups = [
        index.setdefault(p.team_id if p.team_id and p != person else ("alone", p.pk), len(index))
        for p in others
    ]
    full = diagnose_people(others, period, as_of, spec, groups=groups)
    return _subset(full, {person.pk})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for a bounded computation, then let run.

    A whole-org run allocates a million-odd objects (arrays, report rows, their dicts) that
    hold no cycles; the collections they trigger find nothing, yet a full one walks every
    object of the process: 0.1–0.3 s of a one-second run, more the bigger the process (what
    made a bench process slower than a lean script). Only the caller that paused it resumes
    it, so an overlapping run in another thread never leaves it off.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def org_reports(org: Org, period: Period, as_of: date) -> list[GroupReport]:
    """Every team of the org with reps, each exactly as its team page and the API show it.

    One code path: each team goes through :func:`comparison_reps` like :func:`team_report`, and
    teams that share a comparison (sibling teams) are diagnosed once. Reps without a team follow
    :func:`rep_report`. Teams in the report cache are read from it (one round trip), the others
    computed from inputs loaded once for all of them and kept there.
    """
    with _gc_paused():
        return _org_reports(org, period, as_of)


def _org_reports(org: Org, period: Period, as_of: date) -> list[GroupReport]:
    everyone = _active_reps(Person.objects.filter(org=org))
    by_team: dict[int, list[Person]] = {}
    for p in everyone:
        if p.team_id is not None:
            by_team.setdefault(p.team_id, []).append(p)
    teams = list(Team.objects.filter(pk__in=by_team).order_by("name"))
    siblings: dict[int | None, list[int]] = {}
    for t in Team.objects.filter(org=org).values_list("pk", "parent_id"):
        siblings.setdefault(t[1], []).append(t[0])
    spec = playbook_for(org)
    version = _version(org.pk, period, as_of)
    mark = spec_mark(spec)  # once: the playbook's repr is the dearest part of a key
    keys = {t.pk: _key(org.pk, ("team", t.pk), period, as_of, mark, version) for t in teams}
    found = get_many(list(keys.values()))
    position = {p.pk: i for i, p in enumerate(everyone)}
    comparisons = {}
    for team in teams:
        if keys[team.pk] in found:
            continue
        # What comparison_reps(team) reads, from the lists above (no query per team).
        mates = {team.pk, *(siblings.get(team.parent_id, []) if team.parent_id else [])}
        people = [p for t in mates for p in by_team.get(t, ())]
        people.sort(key=lambda p: position[p.pk])  # everyone's order, as the page reads them
        if len(people) < MIN_COMPARISON_REPS:
            people = everyone
        comparisons[team.pk] = _grouped(team, people)
    if comparisons:
        # Everything the missing comparisons read, loaded once and cut per comparison.
        ids = sorted({p.pk for people, _ in comparisons.values() for p in people})
        inputs = load_inputs(
            ids, _funnel_types(spec), deal_steps(spec), period, period.clamp(as_of)
        )
    done: dict[tuple[int, ...], GroupReport] = {}
    out = []
    for team in teams:
        key = keys[team.pk]
        if key in found:
            out.append(found[key])
            continue
        people, groups = comparisons[team.pk]
        ck = tuple(p.pk for p in people)
        full = done.get(ck)
        if full is None:  # the same numbers whichever sibling team is group 0
            full = diagnose_people(
                people, period, as_of, spec, groups=groups, team=team, inputs=inputs
            )
            done[ck] = full
        report = replace(_subset(full, {p.pk for p in by_team[team.pk]}), team=team)
        put(key, report)
        out.append(report)
    for person in _active_reps(Person.objects.filter(org=org, team__isnull=True)):
        out.append(rep_report(person, period, as_of))
    return out


def region_report(region: Team, period: Period, as_of: date) -> GroupReport | None:
    """A region (a team of teams): the reps of every team below it, each row exactly as on its
    own team's page (the stage windows shown are the first team's); None without reps."""
    below = team_ids_below(region)
    reports = [r for r in org_reports(region.org, period, as_of) if r.team and r.team.pk in below]
    if not reports:
        return None
    rows = tuple(sorted((rep for r in reports for rep in r.reps), key=lambda x: x.person.name))
    return replace(reports[0], reps=rows, team=region)
