"""``ninety createoperator``: a Django superuser for the people who run the installation.

An operator belongs to no org and sees no product page; they use ``/admin/`` (every org's rows,
without private notes) for repairs. Keep the role to the few who already hold the database.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.people.management.commands.createadmin import checked_password


class Command(BaseCommand):
    help = "Create an operator: a Django superuser outside every org (the Django admin only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", default=None, help="Read from the prompt when omitted (safer)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        users = get_user_model().objects
        if users.filter(username=opts["username"]).exists():
            raise CommandError(f"username {opts['username']!r} is taken")
        password = checked_password(opts["password"], opts["username"], opts["email"])
        users.create_superuser(opts["username"], opts["email"], password)
        self.stdout.write(self.style.SUCCESS(f"Operator {opts['username']} created."))
