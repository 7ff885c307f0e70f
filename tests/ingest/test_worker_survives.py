"""The import worker outlives a database error: SQLite "database is locked" (``ninety restore``
holding the file while ``ninety serve`` runs) or a lost connection is logged, waited out, and
the next task runs; before, the queue's worker died and every import stayed queued."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResultQuerySet

from ninety.ingest.management.commands import worker as ninety_worker
from ninety.ingest.models import ImportBatch
from tests.conftest import World
from tests.ingest.queued_import import keep_the_test_connection, queue_import  # noqa: F401

CSV = "external_id,person,occurred_at,type\nw1,ext-sam,2026-10-01T09:00:00Z,dial\n"


def _queue(client: Any, folder: Path, capture: Any) -> ImportBatch:
    return queue_import(client, folder, capture, CSV)


def _fail_once(monkeypatch: pytest.MonkeyPatch, where: str) -> list[int]:
    """Make the worker's next fetch of a task fail once, where the review saw it fail."""
    failed: list[int] = []
    if where == "connection lost":
        get_locked = DBTaskResultQuerySet.get_locked

        def flaky(self: DBTaskResultQuerySet) -> Any:
            if not failed:
                failed.append(1)
                raise OperationalError("server closed the connection unexpectedly")
            return get_locked(self)

        monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky)
    else:  # SQLite's BEGIN EXCLUSIVE on a file another process holds
        exclusive = db_worker.exclusive_transaction

        @contextmanager
        def locked(using: str | None = None) -> Iterator[None]:
            if not failed:
                failed.append(1)
                raise OperationalError("database is locked")
            with exclusive(using):
                yield

        monkeypatch.setattr(db_worker, "exclusive_transaction", locked)
    return failed


@pytest.mark.django_db
@pytest.mark.real_queue
@pytest.mark.parametrize("where", ["database is locked", "connection lost"])
def test_the_next_task_runs_after_a_failed_fetch(
    acme: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks, caplog: pytest.LogCaptureFixture, where: str,
) -> None:  # fmt: skip
    batch = _queue(client_for(acme.admin), tmp_path, django_capture_on_commit_callbacks)
    failed = _fail_once(monkeypatch, where)
    with pytest.raises(OperationalError):  # what the queue's own worker does: it dies
        call_command("db_worker", batch=True, startup_delay=False, max_tasks=1, verbosity=0)
    failed.clear()
    sleeps: list[float] = []
    with caplog.at_level(logging.WARNING, logger="ninety.worker"):
        ninety_worker.run_surviving(
            ninety_worker.make_worker(batch=True, max_tasks=1), sleep=sleeps.append
        )
    batch.refresh_from_db()
    assert failed == [1] and sleeps == [ninety_worker.FIRST_BACKOFF]
    assert (batch.status, batch.imported) == ("done", 1)
    assert "task queue: database error" in caplog.text


@pytest.mark.django_db
@pytest.mark.real_queue
def test_the_ninety_worker_command_survives(
    acme: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:  # fmt: skip
    batch = _queue(client_for(acme.admin), tmp_path, django_capture_on_commit_callbacks)
    _fail_once(monkeypatch, "database is locked")
    make = ninety_worker.make_worker
    monkeypatch.setattr(
        ninety_worker, "make_worker", lambda interval: make(interval=0, batch=True, max_tasks=1)
    )
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    call_command("worker")
    batch.refresh_from_db()
    assert batch.status == "done"


def test_the_back_off_doubles_to_its_cap_and_restarts_after_a_healthy_run() -> None:
    runs = iter([0, 0, 0, 0, 0, 0, 0, 100, 0])  # seconds each run lasted before failing

    class Failing:
        calls = 0

        def run(self) -> None:
            self.calls += 1
            if self.calls > 9:
                return
            now[0] += next(runs)
            raise OperationalError("database is locked")

    now = [0.0]
    sleeps: list[float] = []
    ninety_worker.run_surviving(Failing(), sleep=sleeps.append, clock=lambda: now[0])  # type: ignore[arg-type]
    assert sleeps == [0.5, 1, 2, 4, 8, 16, 30, 0.5, 1]
