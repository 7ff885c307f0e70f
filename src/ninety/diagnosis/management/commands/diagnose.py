"""``ninety diagnose --period YYYY-MM [--team NAME | --rep NAME] [--as-of DATE] [--json]``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from rich.console import Console
from rich.table import Table

from ninety.core.diagnosis import DEAL_SIZE, VOLUME
from ninety.core.periods import Period
from ninety.diagnosis.serialize import report_json
from ninety.diagnosis.services import (
    GroupReport,
    default_as_of,
    org_report,
    rep_report,
    team_report,
)
from ninety.people.cli import org_from_option
from ninety.people.models import Person, Role, Team


class Command(BaseCommand):
    help = "Which stage of the process explains each rep's result gap, and how sure it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="YYYY-MM (default: the month of --as-of)")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--team", help="team name")
        scope.add_argument("--rep", help="rep name, e-mail or external id")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)
        parser.add_argument("--org", help="org slug (default: the only org)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        report, only = build_report(opts)
        if opts["json"]:
            self.stdout.write(json.dumps(report_json(report, only), indent=1))
        else:
            print_table(report, only)


def build_report(opts: dict[str, Any]) -> tuple[GroupReport, set[int] | None]:
    org = org_from_option(opts.get("org"))
    as_of = opts.get("as_of") or default_as_of()
    try:
        period = Period.parse(opts["period"]) if opts.get("period") else Period.of(as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
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
    reps = list(
        Person.objects.filter(org=org, role=Role.REP, is_active=True)
        .select_related("team")
        .order_by("team__name", "name")
    )
    if not reps:
        raise CommandError("no reps yet: import people first")
    return org_report(reps, period, as_of, org), None


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:+.0f}%"


def print_table(report: GroupReport, only: set[int] | None) -> None:
    console = Console()
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
        cells = [f"{100 * d.contributions[f]:+.0f}" for f in report.factors]
        focus = (
            f"{report.factor_label(d.focus)} ({100 * (d.focus_certainty or 0):.0f}%)"
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
