"""``ninety pace --period YYYY-MM [--team NAME | --rep NAME] [--as-of DATE] [--json]``."""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table

from ninety.diagnosis.management.commands.diagnose import Command as DiagnoseCommand
from ninety.diagnosis.management.commands.diagnose import build_reports, reports_json
from ninety.people.cli import console_for


class Command(DiagnoseCommand):
    help = "Projected month-end result against quota, with an 80% interval (the 10%)."

    def handle(self, *args: Any, **opts: Any) -> None:
        reports, only = build_reports(opts)
        body = reports_json(reports, only)
        reps = [
            {k: r[k] for k in ("rep", "external_id", "team", "quota", "pace")} for r in body["reps"]
        ]
        if opts["json"]:
            out = {"period": body["period"], "as_of": body["as_of"], "reps": reps}
            self.stdout.write(json.dumps(out, indent=1))
            return
        first = reports[0]
        table = Table(title=f"Pace {first.period.label()} (as of {first.as_of})")
        for col in ("rep", "team", "won so far", "projected", "80% interval", "quota", "vs quota"):
            table.add_column(col, justify="left" if col in ("rep", "team") else "right")
        for r in (r for report in reports for r in report.reps):
            if only is not None and r.person.pk not in only:
                continue
            p = r.pace
            table.add_row(
                r.person.name,
                r.person.team.name if r.person.team else "",
                f"{p.won_to_date:,.0f}",
                f"{p.projected:,.0f}",
                f"{p.low:,.0f}–{p.high:,.0f}",
                f"{p.quota:,.0f}" if p.quota else "–",
                p.phrase.replace("projecting ", ""),
            )
        console_for(self.stdout._out).print(table)
