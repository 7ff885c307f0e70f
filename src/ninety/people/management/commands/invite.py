"""``ninety invite PERSON``: a login for a leader or rep, and a one-time link to set it up."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.core.dates import when_text
from ninety.people.cli import org_from_option
from ninety.people.invitations import invite
from ninety.people.models import Person


class Command(BaseCommand):
    help = "Give a person a login: prints a one-time link where they choose their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="name, e-mail or external id")
        parser.add_argument("--org", help="org slug (default: the only org)")
        parser.add_argument("--username", default="", help="default: from the e-mail or name")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where Ninety is served"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_from_option(opts["org"])
        key = opts["person"].strip()
        people = Person.objects.filter(org=org)
        found = list(people.filter(external_id__iexact=key)) or list(
            people.filter(email__iexact=key)
        )
        found = found or list(people.filter(name__iexact=key))
        if not found:
            raise CommandError(f"{key!r}: nobody in {org.slug} has this name, e-mail or id")
        if len(found) > 1:
            raise CommandError(f"{key!r}: {len(found)} people match; use the e-mail or id")
        person = found[0]
        record, path = invite(person, opts["username"])
        link = opts["base_url"].rstrip("/") + path
        assert person.user is not None
        self.stdout.write(
            f"{person.name} signs in as {person.user.username}; send them (works once, until "
            f"{when_text(record.expires_at.astimezone(UTC))} UTC):"
        )
        self.stdout.write(link)
