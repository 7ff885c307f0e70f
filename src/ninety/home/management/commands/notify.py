"""``ninety notify [--as-of DATE] [--digest]``: the periodic notifications.

Run it from cron or a scheduler: hourly for what is due (one-on-ones tomorrow, self-reports
due, overdue delegations: each reaches a person once, however often it runs), and once a
morning with ``--digest`` to send each person's daily digest e-mail. It also brings each org's
overview comparison up to date (recomputed only when the data changed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ninety.coaching.notifications import remind_tomorrow
from ninety.conf import today
from ninety.core.periods import Period
from ninety.delegation.notifications import remind_overdue
from ninety.diagnosis.services import default_as_of
from ninety.home.overview import teams_snapshot
from ninety.notify.tasks import send_digests
from ninety.people.models import Org

#: The periodic checks: each writes what is due on ``as_of`` (once per person and event).
CHECKS = {"one-on-ones tomorrow": remind_tomorrow, "overdue delegations": remind_overdue}


class Command(BaseCommand):
    help = "Write the notifications that are due; with --digest, send the daily digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument("--digest", action="store_true", help="send the daily digests too")

    def handle(self, *args: Any, **opts: Any) -> None:
        as_of = opts["as_of"] or today()
        for name, check in CHECKS.items():
            count = check(as_of)
            self.stdout.write(f"{name}: {count} notification(s)")
        # The overview's teams comparison of today, ready before directors open it.
        for org in Org.objects.order_by("pk"):
            snap = teams_snapshot(org, Period.of(default_as_of()), default_as_of())
            self.stdout.write(f"overview of {org.slug}: {len(snap.data['teams'])} teams")
        if opts["digest"]:
            sent = send_digests.call()
            self.stdout.write(f"digests: {sent} e-mail(s) sent")
