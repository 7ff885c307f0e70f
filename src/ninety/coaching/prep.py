"""The prep sheet: what the leader reads before and during a one-on-one, generated from data.

In the issue's order and proportion: (1) the rep's behavior and process review — funnel vs team,
focus stage and certainty, ways adherence and the way to practise, experiments running, the last
meeting's commitments; (2) the drill-down — the focus stage's behaviors and diagnostic questions;
(3) results and pace, small. The sheet is plain JSON (kept on the meeting when it opens), so
the page shows what was on the table that day.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils.timezone import localtime

from ninety.activity.models import ActivityRollup
from ninety.coaching.models import Commitment, OneOnOne
from ninety.conversations.queries import evidence as call_evidence
from ninety.core.goals import stage_of
from ninety.core.periods import Period
from ninety.diagnosis.services import GroupReport, RepReport, rep_report
from ninety.experiments.queries import running_for
from ninety.goals.presenters import progress_json, scorecard_json
from ninety.goals.scorecards import scorecards
from ninety.goals.services import progress
from ninety.people.models import Person
from ninety.people.permissions import sees_only_self
from ninety.people.timezones import zone_of
from ninety.playbook.models import Stage
from ninety.playbook.queries import (
    WAYS_WINDOW_DAYS,
    playbook_tree,
    suggestions_for,
    team_evidence,
    which_ways_work,
)
from ninety.playbook.services import current_playbook


def _f(x: float | None) -> float | None:
    """JSON has no NaN (and PostgreSQL's jsonb refuses it)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def build_prep(meeting: OneOnOne, as_of: date) -> dict[str, Any]:
    """The prep sheet of ``meeting`` as of ``as_of`` (the rep compared with their team)."""
    rep = meeting.rep
    period = Period.of(as_of)
    report = rep_report(rep, period, as_of)
    mine = report.for_person(rep.pk)
    assert mine is not None
    playbook = current_playbook(rep.org)
    stages = playbook_tree(playbook) if playbook else []
    stage_key = _drill_stage(report, mine)
    stage = next((s for s in stages if s.key == stage_key), None)
    return {
        "as_of": as_of.isoformat(),
        "period": str(period),
        "period_label": period.label(),
        "focus": _focus(report, mine),
        "funnel": _funnel(report, mine),
        "contributions": [
            {"label": report.factor_label(f), "points": _f(100 * mine.diagnosis.contributions[f])}
            for f in report.factors
        ],
        "drill_stage": _stage_head(stage, mine, report) if stage else None,
        "ways": _ways(rep, playbook, stage, as_of, tuple(team_evidence(rep))) if stage else [],
        "experiments": _experiments(rep, as_of, meeting.leader),
        "last_meeting": _last_meeting(meeting),
        "drilldown": _drilldown(stage) if stage else [],
        # Evidence from call transcripts and recordings for the drill-down's questions.
        "calls": call_evidence(rep, as_of),
        "results": _results(mine),
        **_goals(rep, report, as_of),
    }


def _goals(rep: Person, report: GroupReport, as_of: date) -> dict[str, Any]:
    """The rep's goals with progress and this week's scorecard (the 90 % goals first)."""
    cards = scorecards([rep], as_of, weeks=6, spec=report.playbook)
    rows = sorted(
        (progress_json(p) for p in progress(rep, report, as_of)),
        key=lambda g: g["category"] != "behavior",
    )
    return {"goals": rows, "scorecard": scorecard_json(cards[0]) if cards else None}


def _drill_stage(report: GroupReport, mine: RepReport) -> str | None:
    """The focus stage; without one, the stage the evidence points most below the team (still
    worth a look): the very rule of the suggested stage goal, so both name the same stage."""
    return stage_of(mine.diagnosis, report.playbook.stage_keys)


def _focus(report: GroupReport, mine: RepReport) -> dict[str, Any] | None:
    d = mine.diagnosis
    if not d.focus:
        return None
    spec = report.stage(d.focus)
    return {
        "key": d.focus,
        "label": report.factor_label(d.focus),
        "step": f"{spec.entry} → {spec.exit}" if spec else "",
        "certainty": _f(d.focus_certainty),
        "points": _f(100 * d.contributions.get(d.focus, float("nan"))),
        "is_stage": spec is not None,
        "window_days": w.days if (w := report.window(d.focus)) else None,
        "tries": int(d.stages[d.focus].tries) if d.focus in d.stages else None,
    }


def _funnel(report: GroupReport, mine: RepReport) -> list[dict[str, Any]]:
    d = mine.diagnosis
    rows = []
    for spec in report.playbook.stages:
        s = d.stages[spec.key]
        flag = "below" if s.p_below >= 0.9 else "above" if s.p_above >= 0.9 else ""
        w = report.window(spec.key)
        rows.append(
            {
                "key": spec.key,
                "name": spec.name,
                "step": f"{spec.entry} → {spec.exit}",
                "rate": _f(s.mean),
                "low": _f(s.low),
                "high": _f(s.high),
                "team": _f(s.group_rate),
                "successes": int(s.successes),
                "tries": int(s.tries),
                "p_below": _f(s.p_below),
                "flag": flag,
                "focus": d.focus == spec.key,
                "p_material": _f(s.p_material),
                "window_days": w.days if w else None,
                "more_tries": int(s.more_tries),
                "days_to_settle": mine.days_to_settle(spec.key),
                "bar_left": _f(100 * s.low),
                "bar_width": _f(max(100 * (s.high - s.low), 1.0)),
            }
        )
    return rows


def _stage_head(stage: Stage, mine: RepReport, report: GroupReport) -> dict[str, Any]:
    s = mine.diagnosis.stages.get(stage.key)
    return {
        "key": stage.key,
        "name": stage.name,
        "step": f"{stage.entry_type} → {stage.exit_type}",
        "is_focus": mine.diagnosis.focus == stage.key,
        "rate": _f(s.mean) if s else None,
        "team": _f(s.group_rate) if s else None,
    }


def _ways(
    rep: Person, playbook: Any, stage: Stage, as_of: date, people: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Per behavior of the stage: the rep's adherence, the ways used, and the way to practise.

    The evidence on each way comes from ``people``: the rep's team (as on the rep page and the
    playbook page).
    """
    since = as_of - timedelta(days=WAYS_WINDOW_DAYS)
    team = which_ways_work(playbook, [stage], since=since, people=people or None)
    picks = suggestions_for(rep, team)
    # The rep's own use of the stage's ways over the same window (one query on the rollup).
    rows = (
        ActivityRollup.objects.filter(
            person=rep, type=stage.entry_type, day__gt=since, day__lte=as_of
        )
        .values("way_id", "way__behavior_id", "way__text")
        .annotate(tries=Sum("count"), won=Sum("advanced"))
    )
    total = 0
    used: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        total += row["tries"] or 0
        if row["way_id"] is not None:
            used.setdefault(row["way__behavior_id"], []).append(
                {
                    "text": row["way__text"],
                    "tries": int(row["tries"] or 0),
                    "converted": int(row["won"] or 0),
                    "rate": _f(row["won"] / row["tries"]) if row["tries"] else None,
                }
            )
    out = []
    for behavior in stage.behaviors.all():
        bw = team.get(behavior.pk)
        mine = sorted(used.get(behavior.pk, []), key=lambda r: -r["tries"])
        with_way = sum(r["tries"] for r in mine)
        pick = picks.get(behavior.pk)
        suggested = bw.ways.get(pick) if bw and pick else None
        out.append(
            {
                "behavior_id": behavior.pk,
                "behavior": behavior.name,
                "adherence": _f(with_way / total) if total else None,
                "team_adherence": _f(bw.result.adherence) if bw else None,
                "used": mine[:6],
                "suggested": {"key": suggested.key, "text": suggested.text} if suggested else None,
            }
        )
    return out


def _experiments(rep: Person, as_of: date, leader: Person) -> list[dict[str, Any]]:
    """Experiments running on the rep that the meeting's leader may see (none shared with
    another team's rep: the sheet is read by the rep's own leader and whoever holds it)."""
    return [
        {"id": e.pk, "title": e.title, "url": e.url, "sentence": e.sentence,
         "p_improved": _f(e.p_improved), "start": e.start.isoformat()}
        for e in running_for([rep], as_of, viewer=leader)
    ]  # fmt: skip


def sheet_for(viewer: Person | None, sheet: dict[str, Any]) -> dict[str, Any]:
    """The prep sheet as ``viewer`` reads it. It is built for the meeting's leader; a rep who
    holds the meeting as a delegate reads no experiment's pooled result (its sentence and
    P(improved) carry the numbers of every subject, teammates included)."""
    if not sees_only_self(viewer) or not sheet.get("experiments"):
        return sheet
    bare = [e | {"sentence": "", "p_improved": None} for e in sheet["experiments"]]
    return sheet | {"experiments": bare}


def _last_meeting(meeting: OneOnOne) -> dict[str, Any] | None:
    last = (
        OneOnOne.objects.filter(
            rep_id=meeting.rep_id,
            status=OneOnOne.Status.DONE,
            scheduled_at__lt=meeting.scheduled_at,
        )
        .order_by("-scheduled_at")
        .prefetch_related("recitals")
        .first()
    )
    if last is None:
        return None
    recitals = list(last.recitals.all())
    commitments = Commitment.objects.filter(meeting=last).order_by("pk")
    return {
        "id": last.pk,
        "date": localtime(last.scheduled_at, zone_of(meeting.leader)).date().isoformat(),
        "recited": sum(r.recited_count for r in recitals),
        "ways_total": sum(r.ways_total for r in recitals),
        "talk_share": _f(last.talk_share),
        "focus_label": last.focus_label,
        "commitments": [
            {"id": c.pk, "kind": c.get_kind_display(), "text": c.text, "kept": c.kept}
            for c in commitments
        ],
    }


def _drilldown(stage: Stage) -> list[dict[str, Any]]:
    return [
        {
            "behavior_id": b.pk,
            "behavior": b.name,
            "questions": [{"id": q.pk, "text": q.text} for q in b.questions.all()],
        }
        for b in stage.behaviors.all()
    ]


def _results(mine: RepReport) -> dict[str, Any]:
    p = mine.pace
    return {
        "phrase": p.phrase,
        "won_to_date": _f(p.won_to_date),
        "quota": _f(p.quota),
        "projected": _f(p.projected),
        "low": _f(p.low),
        "high": _f(p.high),
        "vs_quota_pct": _f(p.vs_quota_pct),
    }
