"""A report against the previous period's: each rep's stage rates and result, with changes
whose intervals say whether they are real (:mod:`ninety.core.compare`).

Both reports come from the one diagnosis path (``services.team_report`` / ``rep_report``), the
previous period read as of its own last day, so each side is what its page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ninety.core.compare import Z80, Change, change
from ninety.core.periods import Period
from ninety.diagnosis.services import GroupReport, Pace, RepReport

#: Fewer tries than this at a stage on either side: no change is read (the heatmap's rule).
THIN_TRIES = 10


@dataclass(frozen=True)
class StageChange:
    key: str
    name: str
    change: Change | None
    #: Days the two evidence windows share (their estimates share that data).
    shared_days: int


@dataclass(frozen=True)
class RepChange:
    rep: RepReport
    before: RepReport | None
    stages: tuple[StageChange, ...]
    #: Result against quota, in percent (the pace; final for an ended period).
    result: Change | None


@dataclass(frozen=True)
class Comparison:
    now: GroupReport
    before: GroupReport
    reps: tuple[RepChange, ...]

    def for_person(self, person_id: int) -> RepChange | None:
        return next((r for r in self.reps if r.rep.person.pk == person_id), None)


def _shared_days(now: GroupReport, before: GroupReport, key: str) -> int:
    a, b = now.window(key), before.window(key)
    if a is None or b is None:
        return 0
    return max(0, (min(a.last_day, b.last_day) - max(a.first_day, b.first_day)).days + 1)


def _stage_change(now: RepReport, before: RepReport | None, key: str) -> Change | None:
    if before is None:
        return None
    a, b = now.diagnosis.stages.get(key), before.diagnosis.stages.get(key)
    if a is None or b is None or min(a.tries, b.tries) < THIN_TRIES:
        return None
    return change(a.mean, (a.low, a.high), b.mean, (b.low, b.high))


def _result_change(now: RepReport, before: RepReport | None) -> Change | None:
    if before is None:
        return None
    p, q = now.pace, before.pace
    if p.vs_quota_pct is None or q.vs_quota_pct is None:
        return None
    return change(p.vs_quota_pct, _interval(p), q.vs_quota_pct, _interval(q), z=Z80)


def _interval(p: Pace) -> tuple[float, float]:
    """The pace's 80 % interval against quota (an ended period's is its result alone)."""
    mid = p.vs_quota_pct if p.vs_quota_pct is not None else float("nan")
    low = p.low_vs_quota_pct if p.low_vs_quota_pct is not None else mid
    high = p.high_vs_quota_pct if p.high_vs_quota_pct is not None else mid
    return low, high


def compare_reports(now: GroupReport, before: GroupReport) -> Comparison:
    """Each rep of ``now`` against the same rep in ``before`` (a rep new since has no change)."""
    stages = [(s.key, s.name) for s in now.playbook.stages]
    rows = []
    for r in now.reps:
        b = before.for_person(r.person.pk)
        changes = tuple(
            StageChange(key, name, _stage_change(r, b, key), _shared_days(now, before, key))
            for key, name in stages
        )
        rows.append(RepChange(r, b, changes, _result_change(r, b)))
    return Comparison(now, before, tuple(rows))


def previous_period(period: Period) -> tuple[Period, date]:
    """The period compared with, and the day it is read as of (its own last day)."""
    before = period.previous()
    return before, before.last_day
