"""``ninety export DIR [--org SLUG]``: one org's whole data as JSON Lines files (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.backup.export import ExportError, export_org
from ninety.people.cli import org_from_option


class Command(BaseCommand):
    help = "Export one org (people, logins, playbook, activity, one-on-ones …) into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="a new or empty directory")
        parser.add_argument("--org", default=None, help="the org's slug (needed if several)")
        parser.add_argument(
            "--without-private-notes",
            action="store_true",
            help="leave the leaders' private one-on-one notes out of the files",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_from_option(opts["org"])
        try:
            manifest = export_org(
                org, Path(opts["dir"]), private_notes=not opts["without_private_notes"]
            )
        except ExportError as exc:
            raise CommandError(f"export of {org.slug}: {exc}") from exc
        rows = sum(t["rows"] for t in manifest["tables"])
        notes = "with" if manifest["private_notes"] else "without"
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {org.slug}: {rows:,} rows in {len(manifest['tables'])} files "
                f"({notes} private notes) into {opts['dir']} (readable by you only)."
            )
        )
