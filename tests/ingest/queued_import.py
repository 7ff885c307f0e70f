"""Shared by the worker tests: an import queued through the page, and the test's own database
connection kept open while ``ninety worker`` runs in the test's process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.management.commands import db_worker

from ninety.ingest.management.commands import worker as ninety_worker
from ninety.ingest.models import ImportBatch


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker closes connections it finds in a transaction: the test's own, here."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(ninety_worker, "close_old_connections", lambda: None)


def queue_import(client: Any, folder: Path, capture: Any, csv: str) -> ImportBatch:
    """Post ``csv`` as an activities import (queued on commit) and return its batch."""
    path = folder / "calls.csv"
    path.write_text(csv)
    with capture(execute=True), path.open("rb") as f:
        client.post("/import/", {"kind": "activities", "step": "import", "preset": "ninety",
                                 "file": f})  # fmt: skip
    return ImportBatch.objects.get()
