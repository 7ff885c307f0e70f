"""Turn diagnosis reports into what the dashboard and rep page show (the views live in the home
app, which adds the other apps' cards)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ninety.activity.models import ActivityRollup
from ninety.activity.versions import key_from
from ninety.core.compare import Change, signed
from ninety.core.diagnosis import DEAL_SIZE, VOLUME
from ninety.core.periods import LAST_30, LAST_90, MONTH, Period
from ninety.core.pipeline import is_deal_step
from ninety.diagnosis.cache import cached, report_key, spec_mark
from ninety.diagnosis.charts import heat_style, waterfall
from ninety.diagnosis.compare import Comparison
from ninety.diagnosis.loaders import first_month_with_data
from ninety.diagnosis.services import (
    GroupReport,
    RepReport,
    months_of,
)
from ninety.people.models import Person, Role, Team
from ninety.people.permissions import sees_only_self
from ninety.playbook.models import Stage
from ninety.playbook.queries import (
    WAYS_WINDOW_DAYS,
    suggestions_for,
    team_evidence,
    which_ways_work,
)
from ninety.playbook.services import current_playbook


def teams_with_reps(teams: QuerySet[Team]) -> list[Team]:
    return list(
        teams.annotate(reps=Count("members", filter=Q(members__role=Role.REP)))
        .filter(reps__gt=0)
        .select_related("leader")
        .order_by("name")
    )


def period_choices(as_of: date, org_id: int | None = None) -> list[dict[str, Any]]:
    """The periods to pick from, in groups: the trailing 30 and 90 days, then the quarters and
    the months newest first, back to the org's first month with data (only periods with data;
    the current month and quarter always)."""
    current = Period.of(as_of)
    first = first_month_with_data(org_id) if org_id is not None else None
    first = min(first, current.start) if first is not None else current.start
    months = [current]
    while months[-1].start > first:
        months.append(months[-1].shift(-1))
    quarters = [Period.quarter_containing(as_of)]
    while quarters[-1].start > first:
        quarters.append(quarters[-1].shift(-1))
    return [
        {"label": "Rolling", "periods": [Period.trailing(k, as_of) for k in (LAST_30, LAST_90)]},
        {"label": "Quarters", "periods": quarters},
        {"label": "Months", "periods": months},
    ]


def dashboard_context(
    viewer: Person, teams: list[Team], team: Team | None, period: Period, as_of: date
) -> dict[str, Any]:
    return {
        "teams": teams,
        "team": team,
        "period": period,
        "period_end_word": {"month": "month", "quarter": "quarter"}.get(period.kind, "period"),
        "periods": period_choices(as_of, viewer.org_id),
        "as_of": as_of,
        "report": None,
        "heatmap": None,
    }


def _sure(p: float) -> str:
    """A probability as a certainty: never '100%' or '0%'."""
    return ">99%" if p > 0.99 else "<1%" if p < 0.01 else f"{p:.0%}"


#: A stage with fewer tries than this in its window shows no number on the heatmap.
THIN_TRIES = 10


@dataclass(frozen=True)
class Cell:
    factor: str
    points: float
    certainty: float
    style: str
    focus: bool
    title: str

    @property
    def text(self) -> str:
        if not math.isfinite(self.points):
            return "–"
        return "0" if abs(self.points) < 0.5 else f"{self.points:+.0f}".replace("-", "−")


@dataclass(frozen=True)
class Row:
    rep: RepReport
    cells: tuple[Cell, ...]
    focus_label: str | None


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[tuple[str, str], ...]  # (factor, label)
    rows: tuple[Row, ...]
    strong: tuple[dict[str, Any], ...] = ()


def _cell(report: GroupReport, r: RepReport, factor: str) -> Cell:
    d = r.diagnosis
    contribution = d.contributions.get(factor, float("nan"))
    p_worse = d.p_worse.get(factor, 0.5)
    certainty = p_worse if contribution < 0 else 1.0 - p_worse
    label = report.factor_label(factor)
    if factor in d.stages:
        s = d.stages[factor]
        w = report.window(factor)
        judged = f"judged on the last {w.days} days" if w else "judged on this period"
        if s.tries < THIN_TRIES or not s.comparable:
            title = f"{label}: only {int(s.tries)} tries ({judged}) — too few to say"
            return Cell(factor, float("nan"), 0.0, "", d.focus == factor, title)
        title = (
            f"{label}: {s.mean:.0%} (90% interval {s.low:.0%}–{s.high:.0%}) vs team "
            f"{s.group_rate:.0%}; {int(s.successes)}/{int(s.tries)}, {judged}; "
            f"{_sure(certainty)} sure it is {'below' if contribution < 0 else 'above'} the team; "
            f"{_sure(s.p_material)} likely materially below"
        )
    else:
        title = f"{label}: {signed(100 * contribution)} points, {_sure(certainty)} certain"
    return Cell(
        factor,
        100 * contribution,
        certainty,
        heat_style(contribution, certainty),
        d.focus == factor,
        title,
    )


def heatmap(report: GroupReport) -> Heatmap:
    columns = tuple((f, report.factor_label(f)) for f in report.factors)
    rows = tuple(
        Row(
            r,
            tuple(_cell(report, r, f) for f, _ in columns),
            report.factor_label(r.diagnosis.focus) if r.diagnosis.focus else None,
        )
        for r in sorted(report.reps, key=lambda r: r.person.name)
    )
    names = {r.diagnosis.rep: r.person.name for r in report.reps}
    strong = tuple(
        {"stage": report.factor_label(k), "names": [names[i] for i in idx]}
        for k, idx in report.group.peer_strength.items()
        if idx
    )
    return Heatmap(columns, rows, strong)


@dataclass(frozen=True)
class StageLine:
    key: str
    name: str
    step: str
    rate: float
    low: float
    high: float
    team: float
    successes: int
    tries: int
    p_below: float
    flag: str
    focus: bool
    p_material: float = float("nan")
    window_days: int | None = None
    more_tries: int = 0
    days_to_settle: int | None = None
    thin: bool = False

    @property
    def evidence_needed(self) -> str:
        """'about 25 more proposals, ~6 weeks' for an unsettled stage, else ''."""
        if not self.more_tries:
            return ""
        text = f"about {self.more_tries:,} more {self.entry_plural}"
        if self.days_to_settle:
            d = self.days_to_settle
            text += f", ~{d} days" if d < 14 else f", ~{round(d / 7)} weeks"
        return text

    @property
    def entry_plural(self) -> str:
        if self.step.startswith(DEALS_STEP):
            return "decided deals"
        entry = self.step.split(" → ")[0]
        return entry if entry.endswith("s") else f"{entry}s"

    @property
    def bar_left(self) -> float:
        return 100 * self.low

    @property
    def bar_width(self) -> float:
        return max(100 * (self.high - self.low), 1.0)


#: How a deal stage's step reads ("deals: opened → won").
DEALS_STEP = "deals: "


def _step(entry: str, exit_: str) -> str:
    if is_deal_step(entry):
        return f"{DEALS_STEP}{entry.removeprefix('deal:')} → {exit_.removeprefix('deal:')}"
    return f"{entry} → {exit_}"


def _stage_lines(report: GroupReport, r: RepReport) -> list[StageLine]:
    d = r.diagnosis
    lines = []
    for spec in report.playbook.stages:
        s = d.stages[spec.key]
        thin = s.tries < THIN_TRIES or not s.comparable
        flag = "" if thin else "below" if s.p_below >= 0.9 else "above" if s.p_above >= 0.9 else ""
        w = report.window(spec.key)
        lines.append(
            StageLine(
                spec.key,
                spec.name,
                _step(spec.entry, spec.exit),
                s.mean,
                s.low,
                s.high,
                s.group_rate,
                int(s.successes),
                int(s.tries),
                s.p_below,
                flag,
                d.focus == spec.key,
                p_material=s.p_material,
                window_days=w.days if w else None,
                more_tries=int(s.more_tries),
                days_to_settle=r.days_to_settle(spec.key),
                thin=thin,
            )
        )
    return lines


def funnel_lines(report: GroupReport, r: RepReport) -> list[StageLine]:
    """The rep page's funnel lines (its exports read the same)."""
    return _stage_lines(report, r)


def _ways_used(person: Person, report: GroupReport, stage_key: str) -> list[dict[str, Any]]:
    """Per way of the stage's behaviors: tries and conversions this period (rollup query)."""
    stage = report.playbook.stage(stage_key)
    rows = (
        ActivityRollup.objects.filter(
            person=person,
            type=stage.entry,
            way__isnull=False,
            way__behavior__stage__key=stage_key,
            day__gte=report.period.start,
            day__lte=report.period.clamp(report.as_of),
        )
        .values("way__key", "way__text")
        .annotate(tries=Sum("count"), won=Sum("advanced"))
        .order_by("-tries")
    )
    return [
        {
            "key": row["way__key"],
            "text": row["way__text"],
            "tries": row["tries"],
            "converted": row["won"],
            "rate": row["won"] / row["tries"] if row["tries"] else 0.0,
        }
        for row in rows
    ]


def _trend(subject: Person, report: GroupReport, months: int = 6) -> list[dict[str, Any]]:
    """The rep's focus and stage rates over the last months, one diagnosis per month."""
    # Calendar months up to the period's last month with data; a month period's own row is
    # the report itself (judged on its evidence windows), a quarter's or a trailing window's
    # months are all read month by month.
    base = Period.of(report.period.clamp(report.as_of))
    own = report.period.kind == MONTH
    periods = [base.shift(-i) for i in range(months - 1, 0 if own else -1, -1)]
    ids, past = months_of(subject, periods, report.as_of, report.playbook)
    index = ids.index(subject.pk)
    out = [{"period": p, "diagnosis": past[p].reps[index]} for p in periods]
    if own:
        mine = report.for_person(subject.pk)
        out.append({"period": report.period, "diagnosis": mine.diagnosis if mine else None})
    for row in out:
        d = row["diagnosis"]
        row["focus_label"] = report.factor_label(d.focus) if d is not None and d.focus else None
    # Months before the org's data begin say nothing: start at the first with any tries.
    while len(out) > 1 and not _has_tries(out[0]["diagnosis"]):
        out.pop(0)
    return out


def _has_tries(d: Any) -> bool:
    return d is not None and any(s.tries for s in d.stages.values())


def _practise_next(subject: Person, report: GroupReport, d: Any) -> dict[str, Any] | None:
    """The way to practise next at the rep's focus stage (or weakest stage): Thompson sampling
    over the team's evidence on each way, seeded by the rep and the day."""
    stage_keys = [s.key for s in report.playbook.stages]
    key = d.focus if d.focus in stage_keys else min(stage_keys, key=lambda k: d.contributions[k])
    playbook = current_playbook(subject.org)
    if playbook is None or key not in stage_keys:
        return None
    # The evidence of the rep's team: the same set as the playbook page and the prep sheet,
    # kept in the report cache for the team (the rollups it reads run from ``since`` on).
    since = report.as_of - timedelta(days=WAYS_WINDOW_DAYS)
    people = team_evidence(subject)
    ways_key = report_key(
        subject.org_id,
        ("ways", playbook.pk, key, since, tuple(sorted(people)), spec_mark(report.playbook)),
        key_from(subject.org_id, since),
    )

    def rank() -> dict[int, Any] | None:
        stage = (
            Stage.objects.filter(playbook=playbook, key=key)
            .prefetch_related("behaviors__ways")
            .first()
        )
        if stage is None:
            return None
        return which_ways_work(playbook, [stage], since=since, people=people)

    ways = cached(ways_key, rank)
    if ways is None:
        return None
    picks = suggestions_for(subject, ways)
    items = []
    for behavior_id, pick in picks.items():
        bw = ways[behavior_id]
        estimate = bw.estimates.get(pick)
        items.append(
            {
                "behavior": bw.behavior.name,
                "way": bw.ways[pick].text,
                "p_best": estimate.p_best if estimate else None,
            }
        )
    if not items:
        return None
    evidence = subject.team.name if subject.team is not None else subject.name
    stage_name = report.playbook.stage(key).name
    return {"stage": stage_name, "is_focus": key == d.focus, "items": items, "evidence": evidence}


def rep_context(
    viewer: Person, subject: Person, report: GroupReport, period: Period, as_of: date
) -> dict[str, Any]:
    mine = report.for_person(subject.pk)
    assert mine is not None
    d = mine.diagnosis
    terms = [(report.factor_label(f), d.contributions[f]) for f in report.factors]
    if math.isfinite(d.benchmark_term) and abs(d.benchmark_term) > 1e-9:
        terms.append(("Quota vs typical rep", d.benchmark_term))
    if math.isfinite(d.chance) and abs(d.chance) > 1e-9:
        terms.append(("Luck (small numbers)", d.chance))
    # Nothing won: the gap is −100 %, which no sum of log points reaches (log 0). The bars then
    # add up to what the factors predict, and the page says that the rest is chance or timing.
    nothing_won = d.gap_pct == -100.0 or (math.isinf(d.log_gap) and d.log_gap < 0)
    focus_label = report.factor_label(d.focus) if d.focus else None
    stage = report.stage(d.focus)
    is_self = viewer.pk == subject.pk
    return {
        "practise": _practise_next(subject, report, d),
        "subject": subject,
        "report": report,
        "mine": mine,
        "period": period,
        "periods": period_choices(as_of, subject.org_id),
        "as_of": as_of,
        "stages": _stage_lines(report, mine),
        "focus_label": focus_label,
        "focus_stage": stage,
        "focus_window": report.window(d.focus) if d.focus else None,
        "focus_tries": int(d.stages[d.focus].tries) if d.focus in d.stages else None,
        "progress": report.progress,
        "waterfall": waterfall(
            terms, "Factors' gap" if nothing_won else "Gap", emphasis=focus_label
        ),
        "nothing_won": nothing_won,
        "waterfall_terms": terms,
        "ways_used": _ways_used(subject, report, stage.key) if stage else [],
        "ways_window_days": WAYS_WINDOW_DAYS,
        "trend": _trend(subject, report),
        "factor_labels": {f: report.factor_label(f) for f in report.factors},
        # A rep sees the team only as an anonymous distribution, never other reps' names.
        "show_names": not is_self or not sees_only_self(viewer),
        "distribution": _distribution(report),
        "volume_key": VOLUME,
        "deal_size_key": DEAL_SIZE,
    }


def _distribution(report: GroupReport) -> list[dict[str, Any]]:
    """Per stage, the team's spread of shrunken rates (min, median, max): no names."""
    out = []
    for spec in report.playbook.stages:
        rates = sorted(r.diagnosis.stages[spec.key].mean for r in report.reps)
        if not rates:
            continue
        out.append(
            {
                "name": spec.name,
                "min": rates[0],
                "median": rates[len(rates) // 2],
                "max": rates[-1],
                "n": len(rates),
            }
        )
    return out


@dataclass(frozen=True)
class ChangeCell:
    """One change as shown: the signed difference, its interval, and whether it is clear."""

    text: str
    interval: str
    css: str
    title: str
    clear: bool


#: The interval cell of a change between two final results.
FINAL_CHANGE = "final: what was won, no interval"


def change_cell(c: Change | None, what: str, rate: bool, shared: int = 0) -> ChangeCell:
    """``c`` in points (a rate's change in percentage points, a result's in points of quota);
    an unclear change reads 'no clear change', never as a difference."""
    if c is None:
        return ChangeCell("–", "", "muted", f"{what}: too few tries on one side to compare", False)
    scale = 100 if rate else 1
    # Two final results have no interval: the change is what was won, not an estimate.
    exact = c.low == c.high
    # Said in the cell: an arrow without an interval under a header promising one misleads.
    interval = FINAL_CHANGE if exact else f"{signed(scale * c.low)} to {signed(scale * c.high)}"
    now, then = (f"{100 * v:.0f}%" if rate else signed(v, unit="%") for v in (c.now, c.then))
    title = f"{what}: {now} now, {then} before; change {signed(scale * c.delta)} points" + (
        "; both final" if exact else f", 90% interval {interval}"
    )
    if shared:
        title += f"; the two evidence windows share {shared} days"
    if not c.clear:
        return ChangeCell("no clear change", interval, "muted", title, False)
    arrow, css = ("▲", "pos") if c.delta > 0 else ("▼", "neg")
    return ChangeCell(f"{arrow} {signed(scale * c.delta)} pts", interval, css, title, True)


@dataclass(frozen=True)
class ChangeRow:
    person: Person
    stages: tuple[tuple[str, ChangeCell], ...]
    result: ChangeCell
    #: (stage name, cell) and the result: the phone list's chips.
    named: tuple[tuple[str, ChangeCell], ...] = ()


@dataclass(frozen=True)
class ComparisonTable:
    now_label: str
    now_progress: str
    before_label: str
    before_progress: str
    columns: tuple[str, ...]
    rows: tuple[ChangeRow, ...]
    #: Stages whose evidence windows overlap, with the days shared.
    shared: tuple[tuple[str, int], ...]
    #: Nothing to compare: the previous period has too few tries (or no quota) everywhere.
    empty: bool = False
    #: Some result's change is between two final results (no interval: what was won).
    final_results: bool = False


def comparison_table(comparison: Comparison, only: set[int] | None = None) -> ComparisonTable:
    """The comparison as the dashboard and the rep page show it (same numbers as the API);
    ``only`` these people's rows (a rep page never carries a teammate's)."""
    rows = []
    shared: dict[str, int] = {}
    for r in comparison.reps:
        if only is not None and r.rep.person.pk not in only:
            continue
        cells = []
        for sc in r.stages:
            what = f"{sc.name} rate"
            cells.append((sc.key, change_cell(sc.change, what, True, sc.shared_days)))
            if sc.shared_days:
                shared[sc.name] = sc.shared_days
        result = change_cell(r.result, "Result vs quota", False)
        names = [sc.name for sc in r.stages] + ["Result vs quota"]
        named = tuple(zip(names, [c for _, c in cells] + [result], strict=True))
        rows.append(ChangeRow(r.rep.person, tuple(cells), result, named))
    before = comparison.before
    return ComparisonTable(
        now_label=comparison.now.period.label(),
        now_progress=comparison.now.progress.phrase if comparison.now.progress else "",
        before_label=before.period.label(),
        before_progress=before.progress.phrase if before.progress else "",
        columns=tuple(s.name for s in comparison.now.playbook.stages),
        rows=tuple(rows),
        empty=all(
            c.interval == "" and c.text == "–"
            for row in rows
            for _, c in (*row.stages, ("", row.result))
        ),
        shared=tuple(shared.items()),
        final_results=any(row.result.interval == FINAL_CHANGE for row in rows),
    )
