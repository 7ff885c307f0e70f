"""A background import whose end cannot be written (the database fails on the write that marks
it done) ends as failed, with a message, instead of staying "running" for ever: whether the
import's own end write fails, or the queue's write of the task's result."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from ninety.ingest.background import run_import
from ninety.ingest.management.commands import worker as ninety_worker
from ninety.ingest.models import ImportBatch
from ninety.ingest.services import Importer
from tests.conftest import World
from tests.ingest.queued_import import keep_the_test_connection, queue_import  # noqa: F401

CSV = "external_id,person,occurred_at,type\ne1,ext-sam,2026-10-01T09:00:00Z,dial\n"

pytestmark = [pytest.mark.django_db, pytest.mark.real_queue]


def _queue(client: Any, folder: Path, capture: Any) -> ImportBatch:
    return queue_import(client, folder, capture, CSV)


def _once(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, error: str) -> list[int]:
    """``owner.name`` raises ``OperationalError(error)`` on its first call only."""
    calls: list[int] = []
    real = getattr(owner, name)

    def flaky(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError(error)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def _run(sleeps: list[float] | None = None) -> None:
    worker = ninety_worker.make_worker(batch=True, max_tasks=1)
    ninety_worker.run_surviving(worker, sleep=(sleeps if sleeps is not None else []).append)


def test_the_imports_own_end_write_failing_leaves_it_failed_not_running(
    acme: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:  # fmt: skip
    client = client_for(acme.admin)
    batch = _queue(client, tmp_path, django_capture_on_commit_callbacks)
    _once(monkeypatch, Importer, "_finish", "disk I/O error")
    _run()
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.finished_at is not None
    assert batch.message == "The import stopped on an error before it could finish: disk I/O error"
    progress = client.get(f"/import/{batch.pk}/progress").json()
    assert progress["status"] == "failed"
    assert "disk I/O error" in client.get(f"/import/{batch.pk}/").content.decode()
    assert DBTaskResult.objects.get().status == "FAILED"


def test_the_queues_end_write_failing_fails_the_task_once_the_database_is_back(
    acme: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    # The import itself ends; then the database goes as the queue writes the result (and its
    # fallback, the failure): the queue's worker would leave the task RUNNING for good.
    batch = _queue(client_for(acme.admin), tmp_path, django_capture_on_commit_callbacks)
    _once(monkeypatch, DBTaskResult, "set_successful", "server closed the connection")
    _once(monkeypatch, DBTaskResult, "set_failed", "server closed the connection")
    sleeps: list[float] = []
    with caplog.at_level(logging.WARNING, logger="ninety.worker"):
        _run(sleeps)
    task = DBTaskResult.objects.get()
    assert sleeps == [ninety_worker.FIRST_BACKOFF]
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path.endswith("TaskEndLost")
    assert "the database failed while the worker recorded how this task ended" in task.traceback
    assert "failed: the database failed" in caplog.text
    batch.refresh_from_db()
    assert batch.status == "done"  # its own end was written: it stays as it was


def test_a_task_left_running_fails_its_open_import_too(
    acme: World, client_for, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    batch = _queue(client_for(acme.admin), tmp_path, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get()
    task.claim("w-1")
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    assert ninety_worker.fail_left_running("w-2") == 0  # another worker's: not this one's to end
    assert ninety_worker.fail_left_running("w-1") == 1
    batch.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "FAILED" and batch.status == "failed"
    assert batch.message.startswith("The import's end could not be recorded")


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), SystemExit(1)])
def test_a_forced_stop_interrupts_the_import_it_does_not_fail_it(
    acme: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks, stop: BaseException,
) -> None:  # fmt: skip
    # Ctrl+C twice (the queue's worker then exits mid-task) is no error of the import: the blocks
    # written stay and a re-import of the file completes it, as for any import killed half-way.
    batch = _queue(client_for(acme.admin), tmp_path, django_capture_on_commit_callbacks)

    def stopped(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise stop

    monkeypatch.setattr(Importer, "_finish", stopped)
    with pytest.raises(type(stop)):
        run_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "interrupted" and batch.finished_at is not None
    assert "error" not in batch.message and "again" in batch.message
