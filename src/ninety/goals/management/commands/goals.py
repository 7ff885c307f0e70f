"""``ninety goals --period YYYY-MM [--team NAME | --rep NAME] [--as-of DATE] [--json]``.

Each rep's goals with their progress (judged as on the pages) and the scorecard of the week of
the as-of day (the period's last day for a past period).
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from ninety.diagnosis.management.commands.diagnose import Command as DiagnoseCommand
from ninety.diagnosis.management.commands.diagnose import build_reports
from ninety.goals.presenters import progress_json, scorecard_json
from ninety.goals.scorecards import scorecards
from ninety.goals.services import progress
from ninety.people.cli import console_for


class Command(DiagnoseCommand):
    help = "Behavior goals: progress of each rep's goals and the week's scorecard."

    def handle(self, *args: Any, **opts: Any) -> None:
        reports, only = build_reports(opts)
        first = reports[0]
        as_of = first.period.clamp(first.as_of)
        reps = []
        for report in reports:
            people = [r.person for r in report.reps if only is None or r.person.pk in only]
            cards = {c.person.pk: c for c in scorecards(people, as_of, spec=report.playbook)}
            for p in people:
                reps.append(
                    {
                        "rep": p.name,
                        "external_id": p.external_id,
                        "team": p.team.name if p.team else None,
                        "goals": [progress_json(g) for g in progress(p, report, as_of)],
                        "scorecard": scorecard_json(cards[p.pk]),
                    }
                )
        reps.sort(
            key=lambda r: (r["scorecard"]["behavior"] is None, -(r["scorecard"]["behavior"] or 0))
        )
        if opts["json"]:
            body = {"period": str(first.period), "as_of": as_of.isoformat(), "reps": reps}
            self.stdout.write(json.dumps(body, indent=1))
            return
        _print(reps, str(first.period), as_of.isoformat(), console_for(self.stdout._out))


def _print(reps: list[dict[str, Any]], period: str, as_of: str, console: Console) -> None:
    table = Table(title=f"Goals {period} (as of {as_of}; sorted by the behavior score)")
    for col in ("rep", "team", "behavior", "result", "score", "goals"):
        table.add_column(col, justify="right" if col in ("behavior", "result", "score") else "left")
    for r in reps:
        c = r["scorecard"]
        goals = "; ".join(
            f"{g['label']} {g['target_text']}: {g['value_text']}, {g['progress_label']}"
            for g in r["goals"]
        )
        table.add_row(
            r["rep"],
            r["team"] or "",
            *("–" if c[k] is None else f"{c[k]:.0f}" for k in ("behavior", "result", "score")),
            goals or "no goals",
        )
    console.print(table)
