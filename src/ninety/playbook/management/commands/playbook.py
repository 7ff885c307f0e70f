"""``ninety playbook export FILE.yaml`` / ``ninety playbook import FILE.yaml`` [--org SLUG]."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.core.playbook_spec import PlaybookSpecError, load_playbook_yaml
from ninety.people.cli import org_from_option
from ninety.playbook.services import current_playbook, import_playbook, playbook_spec


class Command(BaseCommand):
    help = "Export the published playbook to YAML, or import one as the org's next version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", help="YAML file ('-' for standard output/input)")
        parser.add_argument("--org", help="org slug (needed when there is more than one org)")
        parser.add_argument(
            "--draft", action="store_true", help="import as a draft instead of publishing it"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_from_option(opts["org"])
        path = opts["file"]
        if opts["action"] == "export":
            current = current_playbook(org)
            if current is None:
                raise CommandError(f"{org.slug} has no published playbook.")
            text = playbook_spec(current).to_yaml()
            if path == "-":
                sys.stdout.write(text)
            else:
                Path(path).write_text(text, encoding="utf-8")
                self.stderr.write(f"Exported {current} of {org.slug} to {path}.")
            return
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            spec = load_playbook_yaml(text)
        except PlaybookSpecError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        stored = import_playbook(org, spec, publish=not opts["draft"])
        self.stderr.write(f"Imported {path} into {org.slug} as {stored} ({stored.status}).")
