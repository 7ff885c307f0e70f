"""``ninety createadmin``: an org admin (RevOps) login and Person (creating the org if needed).

An org admin manages their org through the product; they are not Django staff. The Django admin
is for operators: ``ninety createoperator``.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from ninety.people.models import Org, Role
from ninety.people.services import create_person


def checked_password(given: str | None, username: str, email: str = "") -> str:
    """The password from the option or the prompt, through the configured validators."""
    password = given or getpass.getpass("Password: ")
    user = get_user_model()(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise CommandError("password: " + " ".join(exc.messages)) from None
    return password


class Command(BaseCommand):
    help = "Create an org admin (RevOps) login; the org is created when missing."

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
        password = checked_password(opts["password"], opts["username"], opts["email"])
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
