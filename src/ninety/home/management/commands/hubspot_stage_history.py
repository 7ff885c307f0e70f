"""``ninety hubspot_stage_history DEALS.csv --out HISTORY.csv [--load]``: HubSpot's "Date entered
<stage>" columns as stage-history rows (one per stage a deal entered)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.core.pipeline import date_entered_rows
from ninety.ingest.services import import_file
from ninety.people.cli import org_from_option


class Command(BaseCommand):
    help = (
        'Turn a HubSpot deals export\'s "Date entered <stage>" columns into stage-history rows '
        "(canonical activity headers); --load imports them after the deals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the HubSpot deals export (CSV)")
        parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
        parser.add_argument("--deal-column", default="Record ID")
        parser.add_argument("--owner-column", default="Deal owner")
        parser.add_argument("--load", action="store_true", help="import the rows as activities")
        parser.add_argument("--org", help="org slug (default: the only org)")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                header = next(reader, [])
                rows, problems = date_entered_rows(
                    header, reader, deal=opts["deal_column"], owner=opts["owner_column"]
                )
        except (OSError, ValueError, csv.Error) as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        if problems:  # nothing written half-way
            raise CommandError(f"{path.name}: " + "; ".join(problems[:20]))
        with opts["out"].open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["external_id", "person", "occurred_at", "type", "deal"])
            writer.writerows(rows)
        self.stdout.write(f"{opts['out']}: {len(rows):,} stage entries")
        if opts["load"]:
            org = org_from_option(opts.get("org"))
            s = import_file(org, "activities", opts["out"], preset="ninety")
            self.stdout.write(f"imported {s.imported:,}, rejected {s.rejected}")
            for e in s.errors[:20]:
                self.stdout.write(f"  {e}")
