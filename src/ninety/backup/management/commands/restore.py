"""``ninety restore DIR [--slug NEW] [--without-logins]``: an org's export back into this
database, all or nothing, never touching another org (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.backup.restore import RestoreError, restore_org


class Command(BaseCommand):
    help = "Restore an org exported by `ninety export` (run `ninety migrate` first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="the directory `ninety export` wrote")
        parser.add_argument("--slug", default=None, help="restore as a copy under this slug")
        parser.add_argument(
            "--without-logins",
            action="store_true",
            help="restore the people without their logins (when usernames are taken here)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = restore_org(
                Path(opts["dir"]), slug=opts["slug"], logins=not opts["without_logins"]
            )
        except RestoreError as exc:
            raise CommandError(f"nothing restored: {exc}") from exc
        rows = sum(result["rows"].values())
        ids = "ids kept" if result["ids_kept"] else "ids moved past the ones in use"
        self.stdout.write(
            self.style.SUCCESS(f"Restored {result['org'].slug}: {rows:,} rows ({ids}).")
        )
