"""``ninety serve [--port N]``: serve Ninety on 127.0.0.1 with gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Ninety on 127.0.0.1 (gunicorn, 2 workers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **opts: Any) -> None:
        serve(opts["host"], opts["port"], opts["workers"])


def announce_base_url(host: str, port: int) -> None:
    """Links in e-mails point where this server listens (``ninety demo --port 8123`` mailed
    links to :8000), unless ``NINETY_BASE_URL`` says where it is reached from: this process and
    the worker and gunicorn it starts."""
    if not os.environ.get("NINETY_BASE_URL"):
        os.environ["NINETY_BASE_URL"] = f"http://{host}:{port}"
        settings.NINETY_BASE_URL = os.environ["NINETY_BASE_URL"]


def serve(host: str, port: int, workers: int = 2) -> None:
    """Start the background worker (``ninety worker``, imports), then replace this process
    with gunicorn serving ``ninety.wsgi``; the worker stops when gunicorn does."""
    announce_base_url(host, port)
    parent = os.getpid()  # execv keeps the pid: the worker watches gunicorn's
    subprocess.Popen([sys.executable, "-m", "ninety.cli", "worker", "--parent", str(parent)])
    argv = [
        sys.executable, "-m", "gunicorn", "ninety.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--access-logfile", "-", "--graceful-timeout", "5",
        # Requests stop themselves (NINETY_REQUEST_SECONDS, imports NINETY_IMPORT_SECONDS);
        # gunicorn's timeout is the last resort above the longest of them.
        "--timeout", str(max(settings.NINETY_REQUEST_SECONDS, settings.NINETY_IMPORT_SECONDS) + 30),
    ]  # fmt: skip
    sys.stdout.flush()
    os.execv(sys.executable, argv)
