"""Diagnosis and pace for people the viewer may see: load, call the core, shape for display."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from django.utils import timezone

from ninety.core.diagnosis import (
    DEAL_SIZE,
    VOLUME,
    DiagnosisConfig,
    GroupDiagnosis,
    RepDiagnosis,
    diagnose_funnel,
)
from ninety.core.funnel import Funnel, activity_funnel
from ninety.core.pace import PaceResult, pace_from_deals
from ninety.core.periods import Period, elapsed_share
from ninety.core.playbook_spec import PlaybookSpec, StageSpec, default_playbook
from ninety.diagnosis.loaders import GroupData, load_group, load_monthly
from ninety.people.models import Org, Person, Role, Team
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
    playbook = current_playbook(org)
    return playbook_spec(playbook) if playbook else default_playbook()


def default_as_of() -> date:
    return timezone.localdate()


def team_reps(team: Team) -> list[Person]:
    return list(
        Person.objects.filter(team=team, role=Role.REP, is_active=True)
        .select_related("team")
        .order_by("name")
    )


def _funnel_types(spec: PlaybookSpec) -> list[str]:
    """The activity types the playbook's stages count (their entries and exits)."""
    return sorted({s.entry for s in spec.stages} | {s.exit for s in spec.stages})


def diagnose_people(
    people: list[Person],
    period: Period,
    as_of: date,
    spec: PlaybookSpec,
    *,
    groups: list[int] | None = None,
    team: Team | None = None,
) -> GroupReport:
    """Diagnosis and pace of ``people`` (already permission-checked by the caller)."""
    ids = [p.pk for p in people]
    data = load_group(ids, period, as_of, _funnel_types(spec), spec.stage_keys)
    funnel = build_funnel(data, spec)
    share = elapsed_share(period, as_of)
    quota_share = data.quota * share
    has_quota = bool(np.isfinite(quota_share).all() and (quota_share > 0).all())
    diagnosis = diagnose_funnel(
        funnel, quota_share=quota_share if has_quota else None, groups=groups
    )
    last_day = period.clamp(as_of)
    pace = pace_from_deals(
        **data.deals,
        n_reps=len(ids),
        as_of=last_day,
        period_start=period.start,
        period_end=period.end,
        quota=data.quota,
        groups=groups,
        n_stages=len(spec.stage_keys),
        holidays=np.array([], dtype="datetime64[D]"),
    )
    reps = tuple(
        RepReport(person=p, diagnosis=diagnosis.reps[i], pace=_pace_at(pace, i))
        for i, p in enumerate(people)
    )
    return GroupReport(period, as_of, spec, diagnosis, reps, team, tuple(ids))


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


TREND_CONFIG = DiagnosisConfig(n_draws=100)


def diagnose_months(
    people: list[Person],
    periods: list[Period],
    as_of: date,
    spec: PlaybookSpec,
    *,
    groups: list[int] | None = None,
) -> dict[Period, GroupDiagnosis]:
    """The diagnosis of several months at once (no pace): for trends. Two queries in all."""
    data = load_monthly([p.pk for p in people], _funnel_types(spec), periods, as_of)
    out = {}
    for period, d in data.items():
        # A trend shows rates and the focus; fewer Monte Carlo draws are plenty.
        out[period] = diagnose_funnel(build_funnel(d, spec), groups=groups, config=TREND_CONFIG)
    return out


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


def comparison_reps(team: Team) -> tuple[list[Person], list[int]]:
    """The reps a team is diagnosed with, and each one's group index.

    Each rep is compared with their own team's rates, but how much reps differ from their team
    (the spread of the prior) is learnt over the sibling teams under the same leader above,
    when there are any: nine reps alone say little about the spread, and one outlier on a
    small team would otherwise loosen the shrinkage for everyone.
    """
    teams = [team]
    if team.parent_id:
        siblings = list(Team.objects.filter(parent_id=team.parent_id).exclude(pk=team.pk))
        teams += siblings
    people = list(
        Person.objects.filter(team__in=teams, role=Role.REP, is_active=True)
        .select_related("team")
        .order_by("name")
    )
    if len(people) > MAX_COMPARISON_REPS:
        people = [p for p in people if p.team_id == team.pk]
    # The team itself is group 0; siblings follow.
    order = {t.pk: i for i, t in enumerate(teams)}
    groups = [order[p.team_id] for p in people]
    return people, groups


def _subset(report: GroupReport, keep: set[int]) -> GroupReport:
    """Only the kept reps; peer strength too (the sibling teams' reps are not the viewer's)."""
    reps = tuple(r for r in report.reps if r.person.pk in keep)
    kept = {r.diagnosis.rep for r in reps}
    strength = {
        k: tuple(i for i in idx if i in kept) for k, idx in report.group.peer_strength.items()
    }
    return replace(report, reps=reps, group=replace(report.group, peer_strength=strength))


def team_report(team: Team, period: Period, as_of: date) -> GroupReport | None:
    """The team's reps, each against the team; None when the team has no reps."""
    people, groups = comparison_reps(team)
    mine = {p.pk for p in people if p.team_id == team.pk}
    if not mine:
        return None
    report = diagnose_people(
        people, period, as_of, playbook_for(team.org), groups=groups, team=team
    )
    return _subset(report, mine)


def rep_report(person: Person, period: Period, as_of: date) -> GroupReport:
    """A rep diagnosed within their team (the comparison group)."""
    if person.team_id is None:
        return diagnose_people([person], period, as_of, playbook_for(person.org))
    report = team_report(person.team, period, as_of)
    if report is None or report.for_person(person.pk) is None:
        return diagnose_people([person], period, as_of, playbook_for(person.org))
    return report


def org_report(reps: list[Person], period: Period, as_of: date, org: Org) -> GroupReport:
    """Many teams at once: each rep compared with their own team (one prior over all)."""
    team_index: dict[int | None, int] = {}
    groups = [team_index.setdefault(p.team_id, len(team_index)) for p in reps]
    return diagnose_people(reps, period, as_of, playbook_for(org), groups=groups)
