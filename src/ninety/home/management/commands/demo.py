"""``ninety demo``: migrate, build the demo org, print the logins, and serve on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from ninety.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo_org
from ninety.people.management.commands.serve import announce_base_url, serve


class Command(BaseCommand):
    help = "Build the demo org (Dana Reyes's team) and serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Only build the demo org.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Simulate up to this day (YYYY-MM-DD) instead of today: a reproducible demo.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console()
        announce_base_url("127.0.0.1", opts["port"])  # the demo's own e-mails link to its port
        call_command("migrate", interactive=False, verbosity=0)
        console.print("Simulating the demo org and importing it (the same path as a CRM export)…")
        org = build_demo_org(opts["as_of"], progress=True)
        url = f"http://127.0.0.1:{opts['port']}/"
        table = Table(title=f"Demo org: {org.name}", show_lines=False)
        for col in ("login", "password", "who"):
            table.add_column(col)
        for login in DEMO_LOGINS:
            table.add_row(login.username, DEMO_PASSWORD, f"{login.name} — {login.note}")
        console.print(table)
        console.print(f"Open [bold]{url}[/bold] and sign in as [bold]dana[/bold].")
        if opts["as_of"] is not None and not opts["no_serve"]:
            serve_as_of(opts["as_of"])
            console.print(
                f"Pages read {opts['as_of']} as today (NINETY_TODAY), as the team saw them then."
            )
        if not opts["no_serve"]:
            # The demo is what a customer sees: Ninety's error pages, not Django's debug ones.
            os.environ.setdefault("NINETY_DEBUG", "0")
            serve("127.0.0.1", opts["port"])


def serve_as_of(day: date) -> None:
    """A demo built as of a past day is served as of that day too (its pages, its worker): on
    today's date its one-on-ones read as overdue and its month as days older than its data."""
    os.environ["NINETY_TODAY"] = day.isoformat()
    settings.NINETY_TODAY = day
