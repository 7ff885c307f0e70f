"""``ninety createadmin``: an admin login and Person for an org (creating the org if needed)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from ninety.people.models import Org, Role
from ninety.people.services import create_person


class Command(BaseCommand):
    help = "Create an admin (RevOps) login for an org."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Org name (created if missing).")
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", default=None, help="Read from the prompt when omitted (safer)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if get_user_model().objects.filter(username=opts["username"]).exists():
            raise CommandError(f"username {opts['username']!r} is taken")
        password = opts["password"] or getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("password: use at least 8 characters")
        org, _ = Org.objects.get_or_create(
            slug=slugify(opts["org"])[:80] or "org", defaults={"name": opts["org"]}
        )
        person = create_person(
            org,
            opts["name"] or opts["username"],
            role=Role.ADMIN,
            email=opts["email"],
            username=opts["username"],
            password=password,
        )
        self.stdout.write(self.style.SUCCESS(f"Admin {person.name} created in org {org.name}."))
