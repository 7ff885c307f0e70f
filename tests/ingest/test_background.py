"""Page imports run on the task queue: queued at once, imported by the worker with progress,
cancellable, listed in a history, and their uploads deleted when done."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from ninety.activity.models import Activity
from ninety.ingest.models import ImportBatch
from tests.conftest import World

CSV = (
    "external_id,person,occurred_at,type,outcome\n"
    "q1,ext-sam,2026-10-01T09:00:00Z,dial,connect\n"
    "q2,ext-sam,2026-10-01T09:05:00Z,dial,none\n"
    "q3,Nobody,2026-10-01T09:10:00Z,dial,none\n"
)


def _post(client, path: Path, **extra: str):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return client.post(
            "/import/", {"kind": "activities", "step": "import", "preset": "ninety", "file": f,
                         **extra},
        )  # fmt: skip


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker closes connections it finds in a transaction: the test's own, here."""
    import django_tasks_db.management.commands.db_worker as worker

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)


def _queue(client, folder: Path, capture):  # type: ignore[no-untyped-def]
    """Post CSV to the import page, running the on-commit enqueue as a real request would."""
    path = folder / "calls.csv"
    path.write_text(CSV)
    with capture(execute=True):
        response = _post(client, path)
    return path, response


def _work(batch: ImportBatch) -> None:
    """One pass of the real worker (the queue's database backend) over the queued task."""
    call_command("db_worker", batch=True, startup_delay=False, max_tasks=1, verbosity=0)
    batch.refresh_from_db()


def _uploads(imports_dir: Path) -> list[Path]:
    folder = imports_dir / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db
@pytest.mark.real_queue
def test_a_page_import_is_queued_then_run_by_the_worker(
    acme: World, client_for, tmp_path: Path, imports_dir: Path, django_capture_on_commit_callbacks
) -> None:
    client = client_for(acme.admin)
    path, response = _queue(client, tmp_path, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{batch.pk}/"
    assert batch.status == "queued" and not Activity.objects.exists()
    page = client.get(f"/import/{batch.pk}/")
    assert b"<progress" in page.content and b"Cancel the import" in page.content
    assert len(_uploads(imports_dir)) == 1
    _work(batch)
    assert (batch.status, batch.read, batch.imported, batch.rejected) == ("done", 3, 2, 1)
    assert batch.bytes_read == batch.bytes_total == path.stat().st_size
    assert _uploads(imports_dir) == []  # deleted when done
    progress = client.get(f"/import/{batch.pk}/progress").json()
    assert (progress["status"], progress["percent"], progress["imported"]) == ("done", 100, 2)
    history = client.get("/import/").content.decode()
    assert "Past imports" in history and "calls.csv" in history and "rejects.csv" in history


@pytest.mark.django_db
@pytest.mark.real_queue
def test_a_cancelled_import_stops_and_its_upload_goes(
    acme: World, client_for, tmp_path: Path, imports_dir: Path, django_capture_on_commit_callbacks
) -> None:
    client = client_for(acme.leader)
    _queue(client, tmp_path, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert client.post(f"/import/{batch.pk}/cancel").status_code == 302
    _work(batch)
    assert batch.status == "cancelled" and not Activity.objects.exists()
    assert _uploads(imports_dir) == []


@pytest.mark.django_db
def test_a_missing_column_is_said_before_anything_is_queued(
    acme: World, client_for, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("external_id,person,type\nx,ext-sam,dial\n")
    response = _post(client_for(acme.admin), path)
    assert response.status_code == 400 and b"missing column" in response.content
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_cancel_between_blocks_keeps_whole_blocks(acme: World, tmp_path: Path) -> None:
    from ninety.ingest.background import run_import

    lines = [f"b{i},ext-sam,2026-10-01T09:{i % 60:02d}:00Z,dial,none" for i in range(30)]
    path = tmp_path / "big.csv"
    path.write_text("external_id,person,occurred_at,type,outcome\n" + "\n".join(lines) + "\n")
    batch = ImportBatch.objects.create(
        org=acme.org, created_by=acme.admin, kind="activities", file_name="big.csv",
        sha256="", status="queued", upload_path=str(path), options={"preset": "ninety"},
        cancel_requested=True,
    )  # fmt: skip
    run_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.imported == 0 and not path.exists()


@pytest.mark.django_db
@pytest.mark.real_queue
def test_the_bulk_api_queues_a_background_import(
    acme: World, client_for, imports_dir: Path, django_capture_on_commit_callbacks
) -> None:
    client = client_for(acme.leader)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/activities/bulk?preset=ninety&background=true", CSV, content_type="text/csv"
        ).json()
    assert answer["status"] == "queued" and not Activity.objects.exists()
    batch = ImportBatch.objects.get(pk=answer["batch_id"])
    _work(batch)
    assert (batch.status, batch.imported, batch.rejected) == ("done", 2, 1)
    assert client.get(answer["progress"]).json()["percent"] == 100
    assert _uploads(imports_dir) == []
