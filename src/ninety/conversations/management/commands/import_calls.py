"""``ninety import_calls FILE...``: import call transcripts (VTT, SRT, text exports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from ninety.conversations.forms import decode
from ninety.conversations.services import CallFile, ImportError_, embedder, import_call
from ninety.core.conversations.roles import RoleError, parse_mapping
from ninety.people.cli import org_from_option
from ninety.people.models import Org, Person, Role


class Command(BaseCommand):
    help = "Import call transcripts; each is attached to its activity or becomes a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--org", help="org slug (default: the only org)")
        parser.add_argument("--rep", help="the rep's external id or username")
        parser.add_argument("--activity", default="", help="activity external id to attach to")
        parser.add_argument("--at", help="when the call was (ISO 8601), for a new activity")
        parser.add_argument("--outcome", default="", help="a new activity's outcome")
        parser.add_argument("--speakers", default="", help="e.g. 'Agent 1=rep,Caller=prospect'")
        parser.add_argument("--recording", type=Path, help="WAV/MP3 of the call (one file)")
        parser.add_argument("--as", dest="as_user", help="importing person (default: an admin)")

    def _person(self, org: Org, ref: str | None, admin: bool = False) -> Person | None:
        qs = Person.objects.filter(org=org)
        if ref:
            found = (qs.filter(external_id=ref) | qs.filter(user__username=ref)).first()
            if found is None:
                raise CommandError(f"{ref}: no such person in {org.slug}")
            return found
        if admin:
            found = qs.filter(role=Role.ADMIN).order_by("pk").first()
            if found is None:
                raise CommandError(f"{org.slug} has no admin: name the importer with --as")
            return found
        return None

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_from_option(opts["org"])
        importer = self._person(org, opts["as_user"], admin=True)
        rep = self._person(org, opts["rep"])
        at = parse_datetime(opts["at"]) if opts["at"] else None
        if opts["at"] and at is None:
            raise CommandError(f"--at {opts['at']}: expected ISO 8601, e.g. 2026-11-20T10:00Z")
        try:
            mapping = parse_mapping(opts["speakers"]) or None
        except RoleError as e:
            raise CommandError(f"--speakers: {e}") from e
        emb, note = embedder()
        self.stdout.write(f"ways detection: {emb.name}" + (f" ({note})" if note else ""))
        failed = 0
        for path in opts["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            call = CallFile(path.name, decode(path.name, path.read_bytes()), rep=rep,
                            activity_external_id=opts["activity"], occurred_at=at,
                            mapping=mapping, outcome=opts["outcome"],
                            recording=opts["recording"])  # fmt: skip
            try:
                conv = import_call(importer, call)  # type: ignore[arg-type]
            except ImportError_ as e:
                failed += 1
                self.stderr.write(str(e))
                continue
            way = conv.detected_way.text if conv.detected_way else "no way told"
            self.stdout.write(f"{path.name}: call {conv.pk} of {conv.person.name}; way: {way}")
        if failed:
            raise CommandError(f"{failed} of {len(opts['files'])} files not imported")
