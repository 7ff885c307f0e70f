"""``ninety attention --leader NAME [--week YYYY-Www] [--json]`` and
``ninety attention import-ics FILE --leader NAME [--since DATE] [--until DATE]``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from ninety.core import attention
from ninety.core.attention import IsoWeek
from ninety.delegation.ics import CalendarError
from ninety.delegation.queries import attention_week
from ninety.delegation.services import DelegationError, find_leader, import_calendar
from ninety.diagnosis.services import default_as_of
from ninety.people.models import Org


class Command(BaseCommand):
    help = "A leader's attention per ISO week (90 : 10 target), or import their .ics calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["import-ics"], help="import-ics FILE")
        parser.add_argument("file", nargs="?", help="the .ics export (Google Calendar, Outlook)")
        parser.add_argument("--leader", required=True, help="leader name, e-mail or external id")
        parser.add_argument("--week", help="YYYY-Www (default: this week)")
        parser.add_argument("--since", type=date.fromisoformat, help="import from this date")
        parser.add_argument("--until", type=date.fromisoformat, help="import up to this date")
        parser.add_argument("--org", help="org slug (when there are several)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        org_id = None
        if opts.get("org"):
            org = Org.objects.filter(slug=opts["org"]).first()
            if org is None:
                raise CommandError(f"--org {opts['org']}: no such org")
            org_id = org.pk
        try:
            leader = find_leader(org_id, opts["leader"])
        except DelegationError as exc:
            raise CommandError(str(exc)) from exc
        if opts["action"] == "import-ics":
            self._import(leader, opts)
            return
        try:
            week = IsoWeek.parse(opts["week"]) if opts.get("week") else IsoWeek.of(default_as_of())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        meter = attention_week(leader, week)
        if opts["json"]:
            self.stdout.write(json.dumps(meter.as_json(), indent=1))
            return
        table = Table(title=f"{leader.name} — {week.label()}")
        for col in ("category", "hours", "share"):
            table.add_column(col, justify="left" if col == "category" else "right")
        for key in attention.CATEGORIES:
            table.add_row(
                attention.CATEGORY_LABELS[key],
                f"{meter.split.minutes[key] / 60:.1f}",
                f"{meter.percent[key]}%",
            )
        console = Console(file=self.stdout)  # type: ignore[arg-type]
        console.print(table)
        ratio = meter.split.behavior_vs_results
        console.print(
            "behavior & process : results = "
            + (f"{100 * ratio:.0f} : {100 - 100 * ratio:.0f}" if ratio is not None else "–")
            + " (target 90 : 10)"
        )
        for c in meter.candidates:
            console.print(f"delegate next: {c.title} ({c.hours:.1f} h)")

    def _import(self, leader: Any, opts: dict[str, Any]) -> None:
        if not opts.get("file"):
            raise CommandError("import-ics needs a FILE")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            summary = import_calendar(
                leader, path.read_bytes(), since=opts.get("since"), until=opts.get("until")
            )
        except CalendarError as exc:
            raise CommandError(f"{path}: nothing imported — {exc}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(summary.__dict__, default=str))
        else:
            self.stdout.write(f"{path.name} → {leader.name}: {summary}")
