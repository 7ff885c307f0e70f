"""``ninety worker``: run background imports (the task queue's database worker).

``ninety serve`` and ``ninety demo`` start one beside the web server (``--parent PID``: it stops
when that process does); run more with ``ninety worker`` on any machine that reaches the
database.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background imports from the task queue (stops with --parent's process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parent", type=int, help="stop when this process ends")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["parent"]:
            threading.Thread(target=_watch, args=(opts["parent"],), daemon=True).start()
        call_command("db_worker", interval=opts["interval"], startup_delay=False, verbosity=1)


def _watch(parent: int) -> None:
    """Exit when the parent (the web server) is gone: the worker is its companion."""
    while True:
        time.sleep(2)
        if os.getppid() != parent:
            os._exit(0)
