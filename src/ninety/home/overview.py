"""The director's and admin's view: teams × stages against the region, and the leaders' own
coaching behaviors side by side; for admins, how fresh the data is and what went wrong in
imports.

The teams' numbers are the diagnosis's own (:func:`ninety.diagnosis.services.org_reports`:
every team exactly as its dashboard shows it), kept in a :class:`TeamsSnapshot` until the data
they were read from changes; the leaders' behaviors are a handful of aggregate queries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.html import format_html_join
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from ninety.activity.versions import key_for
from ninety.coaching.models import OneOnOne, Recital
from ninety.conf import now_as_served
from ninety.core import attention
from ninety.core.diagnosis import DEAL_SIZE, VOLUME
from ninety.core.periods import Period
from ninety.core.regions import focus_stage, pooled_rate, versus_region
from ninety.delegation.models import Delegation, TimeEntry
from ninety.diagnosis.cache import spec_mark
from ninety.diagnosis.charts import heat_style
from ninety.diagnosis.services import (
    GroupReport,
    activity_days,
    default_as_of,
    org_reports,
    playbook_for,
)
from ninety.experiments.models import Experiment
from ninety.home.models import TeamsSnapshot
from ninety.ingest.models import ImportBatch
from ninety.people.listing import ListSpec, Sort
from ninety.people.models import Org, Person, Role, Team
from ninety.people.permissions import can_read_data_health, team_ids_below, visible_teams

#: How far back the leaders' coaching behaviors are read.
CADENCE_DAYS = 28
MEETING_DAYS = 90


def fingerprint(org: Org, period: Period, as_of: date) -> str:
    """What the teams' diagnosis depends on, in one short string: the org's data versions of
    the days it reads (every import, roster and quota change moves them:
    :mod:`ninety.activity.versions`), the playbook it is read against, and today (a period's
    last day is final once it is over)."""
    version = key_for(org.pk, *activity_days(period, as_of))
    mark = spec_mark(playbook_for(org))
    return f"{version}|{mark}|{default_as_of()}"[:200]


def _team_entry(report: GroupReport) -> dict[str, Any]:
    stages = {}
    for key in report.playbook.stage_keys:
        ests = [r.diagnosis.stages[key] for r in report.reps if key in r.diagnosis.stages]
        rates = [e.group_rate for e in ests if e.comparable]
        stages[key] = {
            "rate": median(rates) if rates else None,
            "successes": float(sum(e.successes for e in ests)),
            "tries": float(sum(e.tries for e in ests)),
        }
    focus, shared = focus_stage(
        [r.diagnosis.focus for r in report.reps],
        [r.diagnosis.focus_certainty or 0.0 for r in report.reps],
    )
    team = report.team
    assert team is not None
    return {
        "id": team.pk, "name": team.name, "parent_id": team.parent_id,
        "leader_id": team.leader_id, "reps": len(report.reps), "stages": stages,
        "focus": focus, "focus_reps": shared,
    }  # fmt: skip


def teams_snapshot(org: Org, period: Period, as_of: date) -> TeamsSnapshot:
    """The snapshot for ``org``, ``period`` and ``as_of``, recomputed if the data changed."""
    mark = fingerprint(org, period, as_of)
    snap = TeamsSnapshot.objects.filter(org=org, period=str(period), as_of=as_of).first()
    if snap is not None and snap.fingerprint == mark:
        return snap
    t0 = time.perf_counter()
    spec = playbook_for(org)
    teams = [_team_entry(r) for r in org_reports(org, period, as_of) if r.team is not None]
    data = {"stages": [[s.key, s.name] for s in spec.stages], "teams": teams}
    ms = int(1000 * (time.perf_counter() - t0))
    snap, _ = TeamsSnapshot.objects.update_or_create(
        org=org, period=str(period), as_of=as_of,
        defaults={"fingerprint": mark, "data": data, "compute_ms": ms, "pending": ""},
    )  # fmt: skip
    return snap


@task()
def compute_snapshot(org_id: int, period: str, as_of: str) -> int:
    """The task: (re)compute one snapshot; returns how long the diagnosis took (ms)."""
    org = Org.objects.get(pk=org_id)
    day = date.fromisoformat(as_of)  # a trailing period (last-30) ends on this day, not today
    return teams_snapshot(org, Period.parse(period, day), day).compute_ms


EMPTY = {"stages": [], "teams": []}


def snapshot_for_page(org: Org, period: Period, as_of: date) -> tuple[TeamsSnapshot, bool]:
    """The snapshot to show and whether it is current. The diagnosis of every team of a large
    org takes longer than a request may, so a stale or missing one is recomputed on the task
    queue (queued once per change) while the page shows the last one it has."""
    mark = fingerprint(org, period, as_of)
    snap = TeamsSnapshot.objects.filter(org=org, period=str(period), as_of=as_of).first()
    if snap is not None and snap.fingerprint == mark:
        return snap, True
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
        return teams_snapshot(org, period, as_of), True  # tests and the demo's first look
    if snap is None:
        snap = TeamsSnapshot.objects.create(org=org, period=str(period), as_of=as_of,
                                            fingerprint="", data=EMPTY)  # fmt: skip
    if snap.pending != mark:
        TeamsSnapshot.objects.filter(pk=snap.pk).update(pending=mark)
        args = (org.pk, str(period), as_of.isoformat())
        transaction.on_commit(lambda: compute_snapshot.enqueue(*args))
    return snap, False


@dataclass(frozen=True)
class TeamCell:
    key: str
    text: str
    style: str
    title: str
    focus: bool
    rate: float | None = None  # what the column sorts by (None: too few tries to compare)
    label: str = ""  # the stage's name (a phone shows it beside the cell)


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    leader: str
    reps: int
    focus: str
    cells: tuple[TeamCell, ...]

    @property
    def rates(self) -> dict[str, float | None]:
        return {c.key: c.rate for c in self.cells}

    @property
    def cells_html(self) -> str:
        """The row's cells, escaped here: a hundred teams × stages through the template
        engine's inner loop cost more than the rest of the page."""
        return format_html_join(
            "",
            '<td class="num heat{}" style="{}" title="{}" data-stage="{}" data-label="{}">{}</td>',
            (
                (" focus" if c.focus else "", c.style, c.title, c.key, c.label, c.text)
                for c in self.cells
            ),
        )


def _cell(key: str, label: str, team: dict[str, Any], region_rate: float) -> TeamCell:
    s = team["stages"].get(key) or {}
    vs = versus_region(s.get("rate") or float("nan"), s.get("tries", 0), region_rate)
    focus = team["focus"] == key
    if vs is None:
        return TeamCell(key, "—", "", f"{label}: too few tries to compare", focus, label=label)
    side = "below" if vs.log_ratio < 0 else "above"
    title = (
        f"{label}: team {vs.rate:.0%} vs region {vs.region_rate:.0%} "
        f"({int(s['successes'])}/{int(s['tries'])} tries); "
        f"{min(vs.certainty, 0.99):.0%} sure it is {side} the region"
    )
    style = heat_style(vs.log_ratio, vs.certainty)
    return TeamCell(key, f"{vs.rate:.0%}", style, title, focus, vs.rate, label)


def heatmap_rows(snap: TeamsSnapshot, team_ids: set[int], names: dict[int, str]) -> list[TeamRow]:
    """One row per team of ``team_ids`` (with reps); the region is those teams pooled."""
    stages = snap.data["stages"]
    teams = [t for t in snap.data["teams"] if t["id"] in team_ids]
    region = {
        key: pooled_rate(
            [t["stages"][key]["successes"] for t in teams if key in t["stages"]],
            [t["stages"][key]["tries"] for t in teams if key in t["stages"]],
        )
        for key, _ in stages
    }
    # A team's shared focus may be a factor that is no stage (volume, deal size).
    labels = {VOLUME: "Volume", DEAL_SIZE: "Deal size"} | dict((k, v) for k, v in stages)
    return [_row(t, labels, names, stages, region) for t in sorted(teams, key=lambda t: t["name"])]


def _row(team: dict[str, Any], labels: dict[str, str], names: dict[int, str],
         stages: list[list[str]], region: dict[str, float]) -> TeamRow:  # fmt: skip
    focus = team["focus"]
    return TeamRow(
        team["id"], team["name"], names.get(team["leader_id"], "—"), team["reps"],
        f"{labels.get(focus, '')} ({team['focus_reps']} of {team['reps']} reps)"
        if focus else "no shared focus",
        tuple(_cell(k, label, team, region[k]) for k, label in stages),
    )  # fmt: skip


@dataclass
class LeaderRow:
    """One leader's coaching behaviors over the last weeks."""

    person_id: int
    name: str
    teams: str
    meetings_due: int = 0
    meetings_held: int = 0
    talk_share: float | None = None
    recited: int = 0
    ways_total: int = 0
    experiments_running: int = 0
    experiments_concluded: int = 0
    delegations_open: int = 0
    delegations_reported: int = 0
    delegations_overdue: int = 0
    attention: dict[str, int] | None = None

    @property
    def cadence(self) -> float | None:
        return self.meetings_held / self.meetings_due if self.meetings_due else None

    @property
    def recital(self) -> float | None:
        return self.recited / self.ways_total if self.ways_total else None

    def attention_share(self, category: str) -> float | None:
        total = sum((self.attention or {}).values())
        return (self.attention or {}).get(category, 0) / total if total else None

    @property
    def attention_behavior(self) -> float | None:
        return self.attention_share(attention.BEHAVIOR)

    @property
    def attention_results(self) -> float | None:
        return self.attention_share(attention.RESULTS)

    @property
    def attention_tactical(self) -> float | None:
        return self.attention_share(attention.TACTICAL)


def _meetings(rows: dict[int, LeaderRow], now: Any) -> None:
    ids = list(rows)
    due = (
        OneOnOne.objects.filter(leader_id__in=ids, scheduled_at__lt=now,
                                scheduled_at__gte=now - timedelta(days=CADENCE_DAYS))
        .exclude(status=OneOnOne.Status.CANCELLED)  # called off by a move: not due any more
        .values("leader_id")
        .annotate(n=Count("pk"), held=Count("pk", filter=Q(status=OneOnOne.Status.DONE)))
    )  # fmt: skip
    for r in due:
        rows[r["leader_id"]].meetings_due, rows[r["leader_id"]].meetings_held = r["n"], r["held"]
    done = OneOnOne.objects.filter(
        leader_id__in=ids, status=OneOnOne.Status.DONE,
        scheduled_at__gte=now - timedelta(days=MEETING_DAYS),
    )  # fmt: skip
    for r in done.values("leader_id").annotate(
        rep=Sum("talk_rep_seconds"), lead=Sum("talk_leader_seconds")
    ):
        total = (r["rep"] or 0) + (r["lead"] or 0)
        rows[r["leader_id"]].talk_share = r["rep"] / total if total else None
    recitals = Recital.objects.filter(meeting__in=done).values("meeting__leader_id")
    for r in recitals.annotate(got=Sum("recited_count"), of=Sum("ways_total")):
        row = rows[r["meeting__leader_id"]]
        row.recited, row.ways_total = r["got"] or 0, r["of"] or 0


def _experiments_and_delegations(rows: dict[int, LeaderRow], today: date) -> None:
    ids = list(rows)
    for r in (
        Experiment.objects.filter(created_by_id__in=ids)
        .values("created_by_id")
        .annotate(
            running=Count("pk", filter=Q(status=Experiment.Status.RUNNING)),
            concluded=Count("pk", filter=Q(status=Experiment.Status.CONCLUDED)),
        )
    ):
        row = rows[r["created_by_id"]]
        row.experiments_running, row.experiments_concluded = r["running"], r["concluded"]
    open_ = Q(status=Delegation.Status.OPEN)
    for r in Delegation.objects.filter(delegated_by_id__in=ids).values("delegated_by_id").annotate(
        open=Count("pk", filter=open_),
        reported=Count("pk", filter=Q(status__in=[Delegation.Status.REPORTED,
                                                  Delegation.Status.REVIEWED])),
        overdue=Count("pk", filter=open_ & Q(task__due__lt=today)),
    ):  # fmt: skip
        row = rows[r["delegated_by_id"]]
        row.delegations_open, row.delegations_reported = r["open"], r["reported"]
        row.delegations_overdue = r["overdue"]


def _attention(rows: dict[int, LeaderRow], now: Any) -> None:
    entries = TimeEntry.objects.filter(
        leader_id__in=list(rows), start__gte=now - timedelta(days=CADENCE_DAYS), start__lt=now
    )
    for r in entries.values("leader_id", "category").annotate(m=Sum("minutes")):
        row = rows[r["leader_id"]]
        row.attention = (row.attention or {}) | {r["category"]: r["m"]}


def leader_rows(teams: list[Team], today: date) -> list[LeaderRow]:
    """The leaders of ``teams`` (those with reps), each with their coaching behaviors."""
    rows: dict[int, LeaderRow] = {}
    names: dict[int, list[str]] = {}
    for t in sorted(teams, key=lambda t: t.name):
        if t.leader_id is None:
            continue
        row = rows.setdefault(t.leader_id, LeaderRow(t.leader_id, t.leader.name, t.name))
        led = names.setdefault(t.leader_id, [])
        if t.name not in led:  # a list, not the text split on ", " (a name may hold a comma)
            led.append(t.name)
            row.teams = ", ".join(led)
    if rows:
        now = now_as_served()
        _meetings(rows, now)
        _experiments_and_delegations(rows, today)
        _attention(rows, now)
    return sorted(rows.values(), key=lambda r: r.name)


def freshness(org: Org) -> dict[str, Any]:
    """The admin's part: the last good import of each kind, and the imports that went wrong."""
    last = dict(
        ImportBatch.objects.filter(org=org, status=ImportBatch.Status.DONE)
        .values("kind")
        .annotate(t=Max("finished_at"))
        .values_list("kind", "t")
    )
    problems = list(
        ImportBatch.objects.filter(org=org)
        .filter(Q(status__in=[ImportBatch.Status.FAILED, ImportBatch.Status.INTERRUPTED])
                | Q(rejected__gt=0))
        .select_related("created_by")
        .order_by("-started_at")[:10]
    )  # fmt: skip
    kinds = [(k, label, last.get(k)) for k, label in ImportBatch.Kind.choices]
    return {"kinds": kinds, "problems": problems}


def region_choices(viewer: Person) -> list[Team]:
    """The teams of teams the viewer may pick as the region."""
    visible = list(visible_teams(viewer).select_related("leader"))
    parents = {t.parent_id for t in visible}
    return [t for t in visible if t.pk in parents]


def region_team_ids(viewer: Person, region: Team | None) -> set[int]:
    """The teams shown: those below ``region`` (or every team the viewer may see)."""
    visible = set(visible_teams(viewer).values_list("pk", flat=True))
    return visible & team_ids_below(region) if region is not None else visible


def team_list(stages: list[list[str]]) -> ListSpec:
    """The teams' table: by name (as computed), leader, reps, each stage's rate, the focus."""
    by_stage = {f"stage-{k}": Sort(label, (f"rates.{k}", "name")) for k, label in stages}
    return ListSpec(
        sorts={"team": Sort("Team", ("name",)), "leader": Sort("Leader", ("leader", "name")),
               "reps": Sort("Reps", ("reps", "name"))} | by_stage
        | {"focus": Sort("Focus", ("focus", "name"))},
        default="team",
    )  # fmt: skip


#: The leaders' table (``leaders_`` parameters: the page's second list).
LEADERS = ListSpec(
    sorts={
        "leader": Sort("Leader", ("name",)),
        "held": Sort("One-on-ones held", ("cadence", "name")),
        "talk": Sort("Rep talk share", ("talk_share", "name")),
        "recited": Sort("Ways recited", ("recital", "name")),
        "experiments": Sort("Experiments running · concluded",
                            ("experiments_running", "experiments_concluded", "name")),
        "delegations": Sort("Delegations open · reported · overdue",
                            ("delegations_overdue", "delegations_open", "name")),
        "attention": Sort("Attention B · R · T", ("attention_behavior", "name")),
    },
    default="leader",
    prefix="leaders_",
)  # fmt: skip


#: The dashboard's list of teams (when no team is chosen: ``?team=`` picks one there).
DASHBOARD_TEAMS = ListSpec(
    sorts={
        "team": Sort("Team", ("name",)),
        "leader": Sort("Leader", ("leader.name", "name")),
        "reps": Sort("Reps", ("reps", "name")),
    },
    default="",
)


def pace_list(label: str) -> ListSpec:
    """The dashboard's results table (``pace_``), its column named as the period reads it."""
    return ListSpec(
        sorts={
            "rep": Sort("Rep", ("rep.person.name",)),
            "pace": Sort(label, ("rep.pace.vs_quota_pct", "rep.person.name")),
        },
        default="",
        prefix="pace_",
    )


def overview_context(viewer: Person, region: Team | None, period: Period, as_of: date) -> dict:  # type: ignore[type-arg]
    """What the overview page shows ``viewer`` (already allowed by the gate)."""
    ids = region_team_ids(viewer, region)
    snap, current = snapshot_for_page(viewer.org, period, as_of)
    with_reps = {t["id"] for t in snap.data["teams"]} & ids
    # The leaders' table reads the roster, not the snapshot: while a first comparison is still
    # being computed it said "no leader with a team of reps here".
    staffed = set(
        Team.objects.filter(
            pk__in=ids, members__role=Role.REP, members__is_active=True
        ).values_list("pk", flat=True)
    )
    shown = list(Team.objects.filter(pk__in=with_reps | staffed).select_related("leader"))
    teams = [t for t in shown if t.pk in staffed]
    names = {t.leader_id: t.leader.name for t in shown if t.leader_id}
    context = {
        "region": region, "regions": region_choices(viewer), "period": period, "as_of": as_of,
        "stages": snap.data["stages"], "rows": heatmap_rows(snap, with_reps, names),
        "leaders": leader_rows(teams, as_of), "snapshot": snap, "current": current,
    }  # fmt: skip
    if can_read_data_health(viewer):
        context["health"] = freshness(viewer.org)
    return context
