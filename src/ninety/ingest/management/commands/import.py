"""``ninety import KIND FILE``: import people, activities, deals or quotas from a CRM export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from ninety.ingest.fields import KINDS
from ninety.ingest.mapping import MappingError, load_mapping, preset_names
from ninety.ingest.services import ImportError_, import_file
from ninety.people.cli import org_from_option
from ninety.people.models import Org


class Command(BaseCommand):
    help = "Import a CSV or .xlsx file of people, activities, deals or quotas into an org."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--org",
            help="org slug (default: the only org); the first people import into an empty "
            "install creates it",
        )
        parser.add_argument("--org-name", help="the name of the org a first import creates")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--mapping", type=Path, help="a mapping YAML file")
        group.add_argument("--preset", help=f"a shipped mapping: {', '.join(preset_names())}")
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument("--strict", action="store_true", help="all rows or nothing")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--rejects", type=Path, help="where to write the rejects CSV")
        parser.add_argument(
            "--create-unknown-people",
            action="store_true",
            help="create a rep for each person the file names and the org does not have",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        org = self._org(opts)
        try:
            mapping = load_mapping(opts["mapping"]) if opts["mapping"] else None
        except (MappingError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        show_bar = not opts["json"] and sys.stderr.isatty()
        try:
            if show_bar:
                summary = self._with_bar(org, mapping, opts)
            else:
                summary = self._run(org, mapping, opts, None)
        except ImportError_ as exc:
            if opts["json"]:
                self.stdout.write(json.dumps({"error": str(exc)}))
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(summary.to_json()))
        else:
            self._print(summary)
        if summary.strict_failed:
            raise CommandError("--strict: some rows were rejected, nothing was imported")

    def _org(self, opts: dict[str, Any]) -> Org:
        """The org to import into; an empty install gets one from its first people file."""
        if Org.objects.exists():
            return org_from_option(opts["org"])
        if opts["kind"] != "people":
            raise CommandError(
                "there is no org yet: import people first — `ninety import people FILE "
                "--org SLUG` creates the org — or run `ninety demo` for the demo org"
            )
        name = opts["org_name"] or (opts["org"] or "my-org").replace("-", " ").title()
        slug = slugify(opts["org"] or name)[:80] or "my-org"
        org = Org.objects.create(name=name, slug=slug)
        self.stdout.write(f"created the org {org.name!r} (--org {org.slug})")
        return org

    def _run(self, org: Org, mapping: Any, opts: dict[str, Any], progress: Any) -> Any:
        return import_file(
            org,
            opts["kind"],
            opts["file"],
            mapping=mapping,
            preset=opts["preset"],
            strict=opts["strict"],
            dry_run=opts["dry_run"],
            create_unknown_people=opts["create_unknown_people"],
            rejects_path=opts["rejects"],
            progress=progress,
        )

    def _with_bar(self, org: Org, mapping: Any, opts: dict[str, Any]) -> Any:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(f"Importing {opts['file'].name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return self._run(org, mapping, opts, progress)

    def _print(self, s: Any) -> None:
        verb = "would import" if s.dry_run else "imported"
        line = (
            f"{s.file_name}: read {s.read:,}, {verb} {s.imported:,}"
            + (f", updated {s.updated:,}" if s.updated else "")
            + f", duplicates {s.duplicates:,}, rejected {s.rejected:,}"
        )
        self.stdout.write(line)
        if s.skipped:
            why = "; ".join(f"{n:,} {reason}" for reason, n in s.skip_reasons.most_common())
            self.stdout.write(f"  skipped {s.skipped:,} rows that are not behavior done: {why}")
        for note in s.notes:
            self.stdout.write(f"  {note}")
        for e in s.errors[:20]:
            where = f"row {e.row}" if e.row else "file"
            self.stdout.write(f"  {where}, {e.field or '-'}: {e.reason}")
        if s.rejected > 20:
            self.stdout.write(f"  … {s.rejected - 20:,} more")
        if s.rejects_path:
            self.stdout.write(f"rejected rows: {s.rejects_path}")
