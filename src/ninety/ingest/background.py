"""Imports from the page and the API run as background tasks on Django's tasks queue
(``django-tasks`` with its database backend: the queue is a table, so it needs no other
server; ``ninety serve`` and ``ninety demo`` start a worker beside the web server, and
``ninety worker`` runs one alone).

The request saves the upload and an :class:`ImportBatch` in state *queued*, and answers at
once; the worker imports the file block by block, storing how far it has read with each block,
so the summary page shows a progress bar; a cancel stops before the next block (the blocks
written stay); the upload is deleted when the import ends, whatever the outcome.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from ninety.ingest.mapping import MappingError, load_preset, parse_mapping_text
from ninety.ingest.models import ImportBatch
from ninety.ingest.notifications import import_ended
from ninety.ingest.permissions import import_scope
from ninety.ingest.services import ImportError_, import_file, imports_dir
from ninety.people.models import Person

log = logging.getLogger(__name__)


def queue_import(
    viewer: Person,
    kind: str,
    path: Path,
    *,
    file_name: str,
    mapping_text: str = "",
    preset: str = "",
    strict: bool = False,
) -> ImportBatch:
    """Save a queued batch for ``path`` (an upload the worker deletes) and enqueue it."""
    batch = ImportBatch.objects.create(
        org_id=viewer.org_id,
        created_by=viewer,
        kind=kind,
        file_name=file_name[:255],
        sha256="",
        status=ImportBatch.Status.QUEUED,
        upload_path=str(path),
        bytes_total=path.stat().st_size,
        options={"mapping": mapping_text, "preset": preset, "strict": strict},
    )
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
        run_import.enqueue(batch.pk)  # tests: runs here and now
    else:
        # The worker must see the batch: enqueue once it is committed.
        transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    return batch


@task()
def run_import(batch_id: int) -> dict[str, Any]:
    """The task: import a queued batch; returns its summary (also kept on the batch)."""
    batch = ImportBatch.objects.select_related("org", "created_by").get(pk=batch_id)
    path = Path(batch.upload_path)
    try:
        if batch.cancel_requested:
            _close(batch, ImportBatch.Status.CANCELLED, "cancelled before it started")
            return {"status": "cancelled"}
        return _import(batch, path)
    except Exception as exc:
        # Whatever error stopped it (the write that records its end among them), the batch must
        # not stay "running": the page would show it running for ever.
        fail_if_open(batch_id, f"The import stopped on an error before it could finish: {exc}")
        raise
    except BaseException:
        # A forced stop (Ctrl+C twice, SystemExit): no error of the import's; the blocks written
        # stay and a re-import of the file completes it.
        end_if_open(batch_id, ImportBatch.Status.INTERRUPTED, STOPPED)
        raise
    finally:
        path.unlink(missing_ok=True)  # uploads never outlive their import
        ImportBatch.objects.filter(pk=batch_id).update(upload_path="")
        import_ended(batch_id)


def _import(batch: ImportBatch, path: Path) -> dict[str, Any]:
    opts = batch.options or {}
    viewer = batch.created_by
    try:
        if opts.get("mapping"):
            mapping = parse_mapping_text(opts["mapping"])
        else:
            mapping = load_preset(opts.get("preset") or "generic", batch.kind)
        summary = import_file(
            batch.org, batch.kind, path, mapping=mapping, strict=bool(opts.get("strict")),
            created_by=viewer, scope=import_scope(viewer) if viewer else None,
            file_name=batch.file_name, rejects_path=imports_dir() / f"{path.stem}.rejects.csv",
            batch=batch,
        )  # fmt: skip
    except (MappingError, ImportError_) as exc:
        _close(batch, ImportBatch.Status.FAILED, str(exc))
        return {"status": "failed", "error": str(exc)}
    return summary.to_json()


def _close(batch: ImportBatch, status: str, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, message=message[:2000], finished_at=timezone.now()
    )


#: The message of an import the worker's forced stop interrupted.
STOPPED = (
    "The import was stopped (the worker shut down) before it finished. The rows written are "
    "kept: import the file again to complete it."
)


def fail_if_open(batch_id: int, message: str) -> bool:
    """Mark the batch failed, with ``message``, unless it already ended; True if it was open."""
    return end_if_open(batch_id, ImportBatch.Status.FAILED, message)


def end_if_open(batch_id: int, status: str, message: str) -> bool:
    """End the batch as ``status``, with ``message``, unless it already ended; True if it was
    open."""
    open_ = ImportBatch.objects.filter(
        pk=batch_id, status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING]
    )
    try:
        return bool(open_.update(status=status, message=message[:2000], finished_at=timezone.now()))
    except DatabaseError:
        # The database is still away: the worker fails the task (and this batch) once it is back.
        log.warning("import %s: could not record its end (%s: %s)", batch_id, status, message)
        return False


def cancel(batch: ImportBatch) -> None:
    """Ask a queued or running import to stop (before its next block)."""
    ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
