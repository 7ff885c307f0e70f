"""CSV and Excel downloads of what the pages show: the team dashboard's heatmap, a rep's
funnel, a rep's one-on-one history, the experiments and the overview's teams.

Each table is built from the same presenters the page renders, so the numbers are the page's.
Text cells are made safe against formula injection (a name such as ``=HYPERLINK(…)`` is
written with a leading apostrophe, in CSV and in Excel, where openpyxl would otherwise store a
formula); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from openpyxl import Workbook

from ninety.coaching.queries import history_for
from ninety.core.periods import Period
from ninety.diagnosis import presenters
from ninety.diagnosis.services import region_report, rep_report, team_report
from ninety.experiments.presenters import list_rows
from ninety.experiments.queries import results_shown, visible_experiments, with_people
from ninety.home.params import period_and_as_of
from ninety.ingest.services import safe_cell
from ninety.people.models import Person, Role
from ninety.people.permissions import visible_people, visible_teams
from ninety.people.views import viewer_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[list[Any]]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | date):
        return value
    return safe_cell(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if (c := _cell(v)) is None else c for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM: Excel opens UTF-8 names right


def to_xlsx(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.name[:31]
    ws.append([safe_cell(h) for h in table.headers])
    for row in table.rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rounded(x: float | None, digits: int = 0) -> float | None:
    return None if x is None or x != x else round(x, digits)


def dashboard_table(viewer: Person, team_id: str, period: Period, as_of: date) -> Table:
    """The team heatmap: each rep's factor points (as the cells show them) and focus."""
    if viewer.role == Role.REP or not team_id.isdigit():
        raise Http404("Choose a team you lead.")
    team = visible_teams(viewer).filter(pk=int(team_id)).first()
    if team is None:
        raise Http404("No such team.")
    report = team_report(team, period, as_of) or (
        region_report(team, period, as_of) if team.children.exists() else None
    )
    if report is None:
        return Table(team.name, ["Rep"], [])
    heat = presenters.heatmap(report)
    headers = ["Rep", *[f"{label} (points)" for _, label in heat.columns], "Focus", "Certainty"]
    rows = [
        [row.rep.person.name, *[_rounded(c.points) for c in row.cells], row.focus_label or "",
         _rounded(row.rep.diagnosis.focus_certainty, 3)]
        for row in heat.rows
    ]  # fmt: skip
    return Table(f"{team.name} {period}", headers, rows)


def _rep(viewer: Person, rep_id: str) -> Person:
    if not rep_id.isdigit():
        raise Http404("Choose a rep.")
    rep = visible_people(viewer).filter(pk=int(rep_id), role=Role.REP).first()
    if rep is None:
        raise Http404("No such rep.")
    return rep


def funnel_table(viewer: Person, rep_id: str, period: Period, as_of: date) -> Table:
    """The rep page's funnel: each stage's rate and interval against the team."""
    rep = _rep(viewer, rep_id)
    report = rep_report(rep, period, as_of)
    mine = report.for_person(rep.pk)
    assert mine is not None
    headers = ["Stage", "Step", "Rate", "Low (90%)", "High (90%)", "Team", "Successes", "Tries",
               "P(below team)", "Focus"]  # fmt: skip
    rows = [
        [s.name, s.step, _rounded(s.rate, 4), _rounded(s.low, 4), _rounded(s.high, 4),
         _rounded(s.team, 4), s.successes, s.tries, _rounded(s.p_below, 3), s.focus]
        for s in presenters.funnel_lines(report, mine)
    ]  # fmt: skip
    return Table(f"{rep.name} {period}", headers, rows)


def history_table(viewer: Person, rep_id: str, period: Period, as_of: date) -> Table:
    """A rep's closed one-on-ones (never the private notes)."""
    rep = _rep(viewer, rep_id)
    headers = ["Day", "Leader", "Held by", "Ways recited", "Ways asked", "Rep talk share",
               "Commitments", "Kept", "Reviewed", "Focus stage", "Focus certainty"]  # fmt: skip
    rows = [
        [h.day, h.leader, h.held_by, h.recited, h.ways_total, _rounded(h.talk_share, 3),
         h.commitments, h.kept, h.reviewed, h.focus_label or h.focus_stage,
         _rounded(h.focus_certainty, 3)]
        for h in history_for(rep)
    ]  # fmt: skip
    return Table(f"One-on-ones {rep.name}", headers, rows)


def experiments_table(viewer: Person, _: str, period: Period, as_of: date) -> Table:
    """Every experiment the viewer may see, with its cached verdict; a rep's rows as the list
    page shows them (their own name only, no pooled figures where they would show another's)."""
    headers = ["Id", "Hypothesis", "Subjects", "Metric", "Start", "Planned end", "Status",
               "Verdict", "P(improved)", "Effect"]  # fmt: skip
    experiments = list(with_people(visible_experiments(viewer)).order_by("-start", "-pk"))
    shown = results_shown(viewer, experiments)
    rows = []
    for r in list_rows(viewer, experiments, shown):
        e, ok = r.experiment, r.experiment.pk in shown
        rows.append([
            e.pk, e.hypothesis, r.names, e.metric, e.start, e.planned_end,
            e.get_status_display(), r.verdict if ok else "withheld (see the page)",
            _rounded(e.p_improved, 3) if ok else None, _rounded(e.effect, 4) if ok else None,
        ])  # fmt: skip
    return Table("Experiments", headers, rows)


TABLES: dict[str, Callable[[Person, str, Period, date], Table]] = {
    "dashboard": dashboard_table,
    "funnel": funnel_table,
    "one-on-ones": history_table,
    "experiments": experiments_table,
}

#: The query parameter each table reads its subject from.
SUBJECT = {"dashboard": "team", "funnel": "rep", "one-on-ones": "rep", "experiments": "none"}


def table_for(
    viewer: Person, what: str, request: HttpRequest, period: Period, as_of: date
) -> Table:
    if what not in TABLES:
        raise Http404("No such export.")
    return TABLES[what](viewer, request.GET.get(SUBJECT[what], ""), period, as_of)


@login_required
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """``/export/<what>.<csv|xlsx>``: a download of one page's table."""
    viewer = viewer_of(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Export as .csv or .xlsx.")
    period, as_of = period_and_as_of(request)
    table = table_for(viewer, what, request, period, as_of)
    if fmt == "csv":
        body, kind = to_csv(table), "text/csv; charset=utf-8"
    else:
        body, kind = to_xlsx(table), XLSX
    response = HttpResponse(body, content_type=kind)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", table.name).strip("-") or what
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
