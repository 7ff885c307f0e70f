"""Requests that cannot hog a worker, and database trouble shown as a page, not a traceback.

- :class:`RequestTimeLimitMiddleware`: each request gets ``NINETY_REQUEST_SECONDS`` (default 20)
  of wall time, imports ``NINETY_IMPORT_SECONDS``; past that it stops with
  :class:`RequestTimedOut` (a 503). On PostgreSQL the request's statements get the same
  ``statement_timeout``. The alarm works where a request runs on the main thread, as in
  gunicorn's sync workers; gunicorn's own ``--timeout`` (a little longer) is the last resort.
- :class:`DatabaseTroubleMiddleware`: a full disk, a read-only or locked database, a lost
  connection answer 503 with a short page (JSON under ``/api/``), never a traceback.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from collections.abc import Callable
from contextvars import ContextVar
from types import FrameType
from typing import Any

import psycopg
from django.conf import settings
from django.db import InternalError, OperationalError, connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger("ninety.reliability")

# What the database says (SQLite, PostgreSQL) when it cannot take a write or a read just now.
_TROUBLE = {
    "database or disk is full": "the database's disk is full",
    "no space left on device": "the database's disk is full",
    "could not extend file": "the database's disk is full",
    "attempt to write a readonly database": "the database is read-only",
    "read-only transaction": "the database is read-only",
    "database is locked": "the database is busy",
    "canceling statement due to statement timeout": "the request ran out of time",
    "server closed the connection": "the database connection was lost",
    "connection refused": "the database is not reachable",
    "unable to open database file": "the database file cannot be opened",
    "disk i/o error": "the database's disk failed",
}


#: Errors a database raises when it cannot take a request: Django's, and the drivers' own (the
#: bulk writers talk to sqlite3 and psycopg directly).
#: A read-only PostgreSQL transaction is an InternalError; only messages that name a known
#: trouble become a 503, anything else stays a real error.
DB_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InternalError,
    sqlite3.OperationalError,
    psycopg.OperationalError,
    psycopg.InternalError,
)


class RequestTimedOut(Exception):
    """The request used up its time (``NINETY_REQUEST_SECONDS``)."""


def unavailable_reason(exc: BaseException) -> str | None:
    """A short reason when ``exc`` is the database being unavailable, else None."""
    text = str(exc).lower()
    for needle, reason in _TROUBLE.items():
        if needle in text:
            return reason
    return None


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise RequestTimedOut()


#: The statement timeout (ms) of the request being served, for a connection opened during it.
_statement_ms: ContextVar[int | None] = ContextVar("ninety_statement_ms", default=None)


@receiver(connection_created)
def _apply_statement_timeout(sender: Any, connection: Any, **kwargs: Any) -> None:
    ms = _statement_ms.get()
    if ms is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [ms])


def _limit_statements(ms: int) -> None:
    """PostgreSQL statements of this request get ``ms`` (0: none). A connection already open is
    set now; one opened later by the request is set as it opens. A request that never touches
    the database opens none."""
    _statement_ms.set(ms)
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [ms])


def request_seconds(path: str) -> float:
    """The time a request to ``path`` may take (0: no limit)."""
    if path.startswith(tuple(settings.NINETY_LONG_REQUEST_PATHS)):
        return float(settings.NINETY_IMPORT_SECONDS)
    return float(settings.NINETY_REQUEST_SECONDS)


class RequestTimeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = request_seconds(request.path)
        token = _statement_ms.set(None)
        try:
            _limit_statements(int(seconds * 1000))  # 0 turns PostgreSQL's limit off
            return self._timed(request, seconds)
        finally:
            _statement_ms.reset(token)

    def _timed(self, request: HttpRequest, seconds: float) -> HttpResponse:
        if seconds <= 0 or threading.current_thread() is not threading.main_thread():
            return self.get_response(request)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return self.get_response(request)
        except RequestTimedOut:
            log.warning("request ran out of time (%.0f s): %s", seconds, request.path)
            return trouble_response(request, "the request ran out of time")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def trouble_response(request: HttpRequest, reason: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": reason}, status=503)
    else:
        # No request context: the page must render without touching the database.
        body = render_to_string("503.html", {"reason": reason})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseTroubleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, RequestTimedOut):
            return trouble_response(request, "the request ran out of time")
        if isinstance(exc, DB_ERRORS):
            reason = unavailable_reason(exc)
            if reason is not None:
                log.error("database unavailable (%s): %s", reason, exc)
                return trouble_response(request, reason)
        return None
