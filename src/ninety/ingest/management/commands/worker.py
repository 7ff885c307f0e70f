"""``ninety worker``: run background imports (the task queue's database worker).

``ninety serve`` and ``ninety demo`` start one beside the web server (``--parent PID``: it stops
when that process does); run more with ``ninety worker`` on any machine that reaches the
database.

The queue's own worker stops for good on a database error it does not expect (SQLite "database
is locked" while ``ninety restore`` holds the file, PostgreSQL restarting): every import then
stays queued until someone restarts it. This one waits the error out and goes on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ninety.ingest.background import fail_if_open, run_import

log = logging.getLogger("ninety.worker")
RUN_IMPORT = run_import.module_path

FIRST_BACKOFF = 0.5  # seconds; doubled after each failure in a row, up to MAX_BACKOFF
MAX_BACKOFF = 30.0
HEALTHY_RUN = 60.0  # a run this long was healthy: the next failure backs off from the start


class Command(BaseCommand):
    help = "Run background imports from the task queue (stops with --parent's process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parent", type=int, help="stop when this process ends")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["parent"]:
            threading.Thread(target=_watch, args=(opts["parent"],), daemon=True).start()
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(1)
        worker = make_worker(interval=opts["interval"])
        worker.configure_signals()
        run_surviving(worker)


def make_worker(
    *, interval: float = 0.5, batch: bool = False, max_tasks: int | None = None
) -> Worker:
    """The queue's database worker, as ``manage.py db_worker`` makes it."""
    return Worker(
        queue_names=["default"], interval=interval, batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=max_tasks,
        worker_id=get_random_string(32), excluded_queue_names=[],
    )  # fmt: skip


def run_surviving(
    worker: Worker,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run ``worker`` until it ends (``batch``, ``max_tasks``, a signal); a database error
    (locked, connection lost) is logged, waited out and the worker started again, its broken
    connection closed so that the next query reconnects; the task it was ending then fails
    (:func:`fail_left_running`) rather than stay "running"."""
    delay = FIRST_BACKOFF
    failed_before = False
    while True:
        started = clock()
        try:
            if failed_before and getattr(worker, "worker_id", ""):
                fail_left_running(worker.worker_id)
            worker.run()
            return
        except (OperationalError, InterfaceError) as exc:
            if clock() - started > HEALTHY_RUN:
                delay = FIRST_BACKOFF
            log.warning("task queue: database error (%s); the worker goes on in %.1f s", exc, delay)
            close_old_connections()
            sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
            failed_before = True


class TaskEndLost(RuntimeError):
    """The task ran, but the database failed as the worker recorded how it ended."""


def fail_left_running(worker_id: str) -> int:
    """Tasks this worker claimed and left "running" when a database error stopped it (the write
    that ends a task among them): nothing will ever run them again, so they fail, with why, and
    an import they ran that is still open fails with them. Returns how many."""
    left = [
        r
        for r in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if worker_id in (r.worker_ids or [])
    ]
    why = "the database failed while the worker recorded how this task ended"
    for r in left:
        r.set_failed(TaskEndLost(why))
        args = (r.args_kwargs or {}).get("args") or []
        if r.task_path == RUN_IMPORT and args:
            fail_if_open(args[0], f"The import's end could not be recorded: {why}.")
        log.warning("task queue: task %s (%s) failed: %s", r.pk, r.task_path, why)
    return len(left)


def _watch(parent: int) -> None:
    """Exit when the parent (the web server) is gone: the worker is its companion."""
    while True:
        time.sleep(2)
        if os.getppid() != parent:
            os._exit(0)
