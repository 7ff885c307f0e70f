"""A page import of a large file runs in the background to the end, with its progress bar,
while another page of the product keeps answering."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connections

from ninety.activity.models import Activity
from ninety.ingest import reader
from ninety.ingest.models import ImportBatch
from ninety.ingest.services import Importer
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.real_queue, pytest.mark.django_db(transaction=True)]
ROWS = 60_000


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    """The task queue's real database worker, in a thread beside the live server."""
    from django_tasks_db.management.commands.db_worker import Worker

    w = Worker(
        queue_names=["default"], interval=0.2, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="browser-test", excluded_queue_names=[],
    )  # fmt: skip

    def run() -> None:
        # The test database is a file on SQLite too (and a server on PostgreSQL): the worker
        # holds its own connection, as the separate process of `ninety serve` does.
        try:
            w.run()
        finally:
            connections["default"].close()  # the test database is dropped after

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield w
    w.running = False
    thread.join(timeout=30)


def _big_file(folder: Path) -> Path:
    path = folder / "big_activities.csv"
    lines = ["external_id,person,occurred_at,type,outcome"]
    for i in range(ROWS):
        who = "ext-sam" if i % 2 else "ext-alex"
        lines.append(f"big-{i},{who},2026-10-{1 + i % 28:02d}T09:{i % 60:02d}:00Z,dial,none")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_large_page_import_runs_to_the_end_with_its_progress_bar(
    live_server, page, browser, acme: World, worker, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(reader, "BLOCK_BYTES", 64 << 10)  # many blocks: the bar moves
    # And each block takes a moment, so a quiet machine does not finish before the page has
    # polled once (the worker is a thread of this process).
    check = Importer._check_cancel

    def slow_check(self: Importer) -> None:
        time.sleep(0.05)
        check(self)

    monkeypatch.setattr(Importer, "_check_cancel", slow_check)
    path = _big_file(tmp_path)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "riley")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_preset", "ninety")
    page.click("button[type=submit]")
    page.click("button:has-text('Import')")
    page.wait_for_selector("progress")
    seen: set[int] = set()
    other = page.context.new_page()
    answered: list[float] = []
    deadline = time.monotonic() + 180
    while page.locator("progress").count() and time.monotonic() < deadline:
        seen.add(int(page.locator("progress").get_attribute("value") or 0))
        if len(answered) < 3:
            t0 = time.monotonic()
            other.goto(f"{live_server.url}/people/")
            assert other.locator("h1").count() == 1
            answered.append(time.monotonic() - t0)
            if len(answered) == 1:
                screenshot(page, "import-progress")
        page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid=status]:has-text('Done')", timeout=30_000)
    assert page.locator("[data-testid=imported]").inner_text() == str(ROWS)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.imported, batch.upload_path) == ("done", ROWS, "")
    assert Activity.objects.count() == ROWS
    assert any(0 < v < 100 for v in seen), seen  # the bar showed a part done
    assert answered and max(answered) < 5, answered  # the other page kept answering
    screenshot(page, "import-done")
