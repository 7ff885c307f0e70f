"""Goals as CSV: export what a viewer may see, import what they may change (all rows or none).

Columns: ``scope`` (rep, team, org), ``rep`` (external id or e-mail, for a rep goal), ``team``
(team name, for a team goal), ``metric`` (a key such as ``stage:greeting``), ``direction``
(``higher`` or ``lower``), ``target`` (in the metric's units; a rate or share as 0.4 or 40%),
``period`` (day, week, month), ``status`` (active, suggested, archived; default active),
``note``. Every exported cell is made formula-safe (a leading quote before = + - @).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ninety.core.safe_csv import safe_cell
from ninety.diagnosis.services import playbook_for
from ninety.goals.models import Goal
from ninety.goals.permissions import can_manage_person, can_manage_team
from ninety.goals.services import GoalError, check_goal, create_goal, metric_list
from ninety.people.models import Person, Role, Team

COLUMNS = ("scope", "rep", "team", "metric", "direction", "target", "period", "status", "note")
#: Largest goals file read (bytes) and rows.
MAX_BYTES, MAX_ROWS = 2_000_000, 20_000


def export_csv(goals: Iterable[Goal]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for g in goals:
        rep = (g.person.external_id or g.person.email) if g.person else ""
        row = [
            g.scope,
            rep,
            g.team.name if g.team else "",
            g.metric,
            "higher" if g.higher_is_better else "lower",
            repr(float(g.target)),
            g.period_kind,
            g.status,
            g.note,
        ]
        w.writerow([safe_cell(c) for c in row])
    return out.getvalue()


@dataclass(frozen=True)
class ImportResult:
    created: int
    errors: list[str]


def _target(text: str, kind: str) -> float:
    """A target as typed: 44, 0.4 or 40% (a percentage for rates, shares and the result)."""
    t = text.strip().lstrip("'")
    if not t:
        raise ValueError("expected a number")
    percent = t.endswith("%")
    value = float(t.rstrip("%").replace(",", ""))
    if percent:
        if kind not in ("rate", "share", "result"):
            raise ValueError("a percentage is for a rate, a share or the result")
        return value / 100
    if kind in ("rate", "share") and value > 1:
        raise ValueError("a rate or share is 0-1 or a percentage like 40%")
    return value


def _row(viewer: Person, cells: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """One row's goal, or ValueError naming the field."""
    scope = (cells.get("scope") or "rep").strip().lower()
    found: dict[str, Any] = {"person": None, "team": None}
    if scope == "rep":
        key = (cells.get("rep") or "").strip()
        person = (
            Person.objects.filter(org_id=viewer.org_id, role=Role.REP)
            .filter(external_id=key)
            .first()
            or Person.objects.filter(org_id=viewer.org_id, role=Role.REP, email=key).first()
        )
        if not key or person is None or not can_manage_person(viewer, person):
            raise ValueError(f"rep: {key!r} is not a rep whose goals you set")
        found["person"] = person
    elif scope == "team":
        name = (cells.get("team") or "").strip()
        team = Team.objects.filter(org_id=viewer.org_id, name=name).first()
        if team is None or not can_manage_team(viewer, team):
            raise ValueError(f"team: {name!r} is not a team whose goals you set")
        found["team"] = team
    elif scope == "org":
        if viewer.role != Role.ADMIN:
            raise ValueError("scope: only an admin sets organisation goals")
    else:
        raise ValueError(f"scope: {scope!r}: expected rep, team or org")
    metric = (cells.get("metric") or "").strip()
    if metric not in kinds:
        raise ValueError(f"metric: {metric!r} is not one of {', '.join(kinds)}")
    direction = (cells.get("direction") or "higher").strip().lower()
    if direction not in ("higher", "lower"):
        raise ValueError("direction: expected higher or lower")
    try:
        target = _target(cells.get("target") or "", kinds[metric])
    except ValueError as exc:
        raise ValueError(f"target: {exc}") from exc
    status = (cells.get("status") or "active").strip().lower()
    if status not in Goal.Status.values:
        raise ValueError(f"status: expected one of {', '.join(Goal.Status.values)}")
    period = (cells.get("period") or "month").strip().lower()
    return found | {
        "metric": metric,
        "target": target,
        "higher_is_better": direction == "higher",
        "period_kind": period,
        "status": status,
        "note": (cells.get("note") or "").strip(),
    }


def import_csv(viewer: Person, data: bytes, filename: str = "goals.csv") -> ImportResult:
    """Create the file's goals, or none when any row is bad (each error names file, row, field)."""
    if len(data) > MAX_BYTES:
        return ImportResult(0, [f"{filename}: over {MAX_BYTES // 1_000_000} MB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportResult(0, [f"{filename}: not UTF-8 text"])
    reader = csv.DictReader(io.StringIO(text))
    missing = {"metric", "target"} - set(reader.fieldnames or ())
    if missing:
        return ImportResult(0, [f"{filename}: missing column(s) {', '.join(sorted(missing))}"])
    spec = playbook_for(viewer.org)
    kinds = {k: m.kind for k, m in metric_list(spec).items()}
    rows, errors = [], []
    for n, cells in enumerate(reader, start=2):
        if n > MAX_ROWS + 1:
            errors.append(f"{filename}: more than {MAX_ROWS} rows")
            break
        try:
            row = _row(viewer, {k: v or "" for k, v in cells.items() if k}, kinds)
            check_goal(spec, row["metric"], row["target"], row["period_kind"])
        except (ValueError, GoalError) as exc:
            errors.append(f"{filename}, row {n}, {exc}")
            continue
        rows.append(row)
    if errors:
        return ImportResult(0, errors)
    with transaction.atomic():
        for row in rows:
            create_goal(org=viewer.org, by=viewer, **row)
    return ImportResult(len(rows), [])
