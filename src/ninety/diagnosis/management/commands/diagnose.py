"""``ninety diagnose --period P [--compare] [--team NAME | --rep NAME] [--as-of DATE] [--json]``.

P is a month (``2026-11``), a quarter (``2026-Q4``) or ``last-30`` / ``last-90`` (the days to
``--as-of``), as on the pages and in the API.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from rich.console import Console
from rich.table import Table

from ninety.core.compare import signed
from ninety.core.diagnosis import DEAL_SIZE, VOLUME
from ninety.core.periods import PERIOD_FORMS, Period, parse_day
from ninety.diagnosis.compare import Comparison, compare_reports, previous_period
from ninety.diagnosis.presenters import comparison_table
from ninety.diagnosis.serialize import comparison_json, report_json
from ninety.diagnosis.services import (
    GroupReport,
    default_as_of,
    org_reports,
    rep_report,
    team_report,
)
from ninety.diagnosis.templatetags.ninety_format import certainty
from ninety.people.cli import console_for, org_from_option
from ninety.people.models import Org, Person, Role, Team


class Command(BaseCommand):
    help = "Which stage of the process explains each rep's result gap, and how sure it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help=f"{PERIOD_FORMS} (default: the month of --as-of)")
        parser.add_argument(
            "--compare", action="store_true", help="against the previous period of the same kind"
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--team", help="team name")
        scope.add_argument("--rep", help="rep name, e-mail or external id")
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--org", help="org slug (default: the only org)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        reports, only = build_reports(opts)
        comparisons = compare_all(reports, opts) if opts.get("compare") else None
        if opts["json"]:
            body = reports_json(reports, only)
            if comparisons is not None:
                bodies = [comparison_json(c, only) for c in comparisons]
                body["compare"] = {
                    **{k: v for k, v in bodies[0].items() if k != "reps"},
                    "reps": [rep for b in bodies for rep in b["reps"]],
                }
            self.stdout.write(json.dumps(body, indent=1))
            return
        out = console_for(self.stdout._out)
        for report in reports:
            print_table(report, only, out)
        for comparison in comparisons or []:
            print_changes(comparison, only, out)


def compare_all(reports: list[GroupReport], opts: dict[str, Any]) -> list[Comparison]:
    """Each report against the previous period's, read the same way (one team, one rep, or the
    whole org team by team)."""
    before, _ = build_reports(opts, previous=True)

    def key(r: GroupReport) -> object:
        return r.team.pk if r.team else ("rep", r.reps[0].person.pk if r.reps else None)

    by_key = {key(b): b for b in before}
    return [compare_reports(r, by_key[key(r)]) for r in reports if key(r) in by_key]


def print_changes(comparison: Comparison, only: set[int] | None, console: Console) -> None:
    table = comparison_table(comparison)
    out = Table(title=f"{table.now_label} against {table.before_label} ({table.before_progress})")
    out.add_column("rep")
    for name in table.columns:
        out.add_column(name, justify="right")
    out.add_column("result vs quota", justify="right")
    for row in table.rows:
        if only is not None and row.person.pk not in only:
            continue
        cells = [f"{c.text} ({c.interval})" if c.interval else c.text for _, c in row.stages]
        result = f"{row.result.text} ({row.result.interval})" if row.result.interval else "–"
        out.add_row(row.person.name, *cells, result)
    console.print(out)
    console.print(
        "Changes in points with their 90% interval; 'no clear change' when it includes zero."
    )


def reports_json(reports: list[GroupReport], only: set[int] | None) -> dict[str, Any]:
    """One report as the API gives it; the whole org as each team's report, reps joined."""
    if len(reports) == 1:
        return report_json(reports[0], only)
    bodies = [report_json(r, only) for r in reports]
    first = bodies[0]
    return {
        **{k: first[k] for k in ("period", "as_of", "funnel", "benchmark_kind", "factors")},
        "progress": first["progress"],
        "focus_rule": first["focus_rule"],
        "teams": [
            {"team": r.team.name if r.team else None, "windows": b["windows"]}
            for r, b in zip(reports, bodies, strict=True)
        ],
        "reps": [rep for b in bodies for rep in b["reps"]],
        "peer_strength": {},
    }


def build_reports(
    opts: dict[str, Any], previous: bool = False
) -> tuple[list[GroupReport], set[int] | None]:
    """The reports ``opts`` asks for: one team, one rep, or every team of the org; with
    ``previous``, those of the period before (read as of its last day)."""
    if opts.get("team") or opts.get("rep"):
        report, only = build_report(opts, previous)
        return [report], only
    org, period, as_of = _scope(opts, previous)
    reports = org_reports(org, period, as_of)
    if not reports:
        raise CommandError("no reps yet: import people first")
    return reports, None


def _scope(opts: dict[str, Any], previous: bool = False) -> tuple[Org, Period, date]:
    org = org_from_option(opts.get("org"))
    try:
        as_of = parse_day(opts["as_of"], "--as-of") if opts.get("as_of") else default_as_of()
        period = Period.parse(opts["period"], as_of) if opts.get("period") else Period.of(as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if previous:
        period, as_of = previous_period(period)
    return org, period, as_of


def build_report(
    opts: dict[str, Any], previous: bool = False
) -> tuple[GroupReport, set[int] | None]:
    org, period, as_of = _scope(opts, previous)
    if opts.get("team"):
        team = Team.objects.filter(org=org, name=opts["team"]).first()
        if team is None:
            raise CommandError(f"--team {opts['team']!r}: no such team in {org.name}")
        report = team_report(team, period, as_of)
        if report is None:
            raise CommandError(f"team {team.name} has no reps")
        return report, None
    if opts.get("rep"):
        key = opts["rep"]
        person = (
            Person.objects.filter(org=org, role=Role.REP)
            .filter(Q(name=key) | Q(email__iexact=key) | Q(external_id=key))
            .select_related("team", "org")
            .first()
        )
        if person is None:
            raise CommandError(f"--rep {key!r}: no rep with that name, e-mail or external id")
        return rep_report(person, period, as_of), {person.pk}
    raise CommandError("name a --team or a --rep (or neither, for the whole org)")


def print_table(report: GroupReport, only: set[int] | None, console: Console) -> None:
    """The pages' words: signs with a real minus ('−48'), certainty never 99% for >99%."""
    table = Table(
        title=f"Diagnosis {report.period.label()} (as of {report.as_of}; "
        f"benchmark: {report.group.benchmark_kind.replace('_', ' ')})"
    )
    table.add_column("rep")
    table.add_column("team")
    for f in report.factors:
        table.add_column(
            {VOLUME: "volume", DEAL_SIZE: "size"}.get(f, report.factor_label(f)), justify="right"
        )
    table.add_column("focus")
    table.add_column("pace vs quota", justify="right")
    for r in report.reps:
        if only is not None and r.person.pk not in only:
            continue
        d = r.diagnosis
        cells = [signed(100 * d.contributions[f]) for f in report.factors]
        focus = (
            f"{report.factor_label(d.focus)} ({certainty(d.focus_certainty or 0)})"
            if d.focus
            else "—"
        )
        table.add_row(
            r.person.name,
            r.person.team.name if r.person.team else "",
            *cells,
            focus,
            r.pace.phrase.replace("projecting ", ""),
        )
    console.print(table)
    console.print("Cells: each factor's contribution to the gap, in log points (≈ %).")
    if report.windows:
        judged = ", ".join(
            f"{s.name}: last {w.days} days"
            for s, w in zip(report.playbook.stages, report.windows, strict=True)
        )
        console.print(f"Judged on: {judged}.")
    if report.progress:
        console.print(f"Results: {report.progress.phrase} of {report.period.label()}.")
    console.print(
        "Focus (%): probability that the factor is materially (20%+) below the team; "
        f"shown when at least {100 * report.group.config.focus_certainty:.0f}%."
    )
