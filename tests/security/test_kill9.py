"""An import killed with SIGKILL half-way, on each database the suite runs on: whole chunks
only, counters and rollups agreeing with the stored rows, and the re-run completes it exactly.

SQLite always; PostgreSQL when ``NINETY_DATABASE_URL`` names a server (as on CI's second run),
in a database of its own on that server that the test creates and drops.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.ingest.test_interrupted import ROWS, _ninety, _write_files

SERVER = os.environ.get("NINETY_DATABASE_URL", "")
ENGINES = ["sqlite"] + (["postgresql"] if SERVER.startswith("postgres") else [])


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """(NINETY_DATABASE_URL for the subprocess, a function running one SQL query)."""
    if request.param == "sqlite":
        path = tmp_path / "kill.sqlite3"
        con = sqlite3.connect(path, isolation_level=None)
        yield str(path), lambda sql: con.execute(sql).fetchone()
        con.close()
        return
    base, _, _ = SERVER.rpartition("/")
    name = f"ninety_kill9_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    con = psycopg.connect(f"{base}/{name}", autocommit=True)
    yield f"{base}/{name}", lambda sql: con.execute(sql).fetchone()
    con.close()
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_kill9_mid_import_recovers_exactly(database: tuple[str, Callable], tmp_path: Path):
    url, one = database
    env = os.environ | {
        "NINETY_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "ninety.settings",
        "NINETY_IMPORT_BLOCK_BYTES": str(64 * 1024),
    }
    _write_files(tmp_path)
    assert _ninety(env, "migrate", "-v0").wait() == 0
    one(
        "INSERT INTO people_org (name, slug, created_at) "
        "VALUES ('K', 'k', '2026-01-01') RETURNING id"
    )
    assert _ninety(env, "import", "people", str(tmp_path / "people.csv")).wait() == 0

    proc = _ninety(env, "import", "activities", str(tmp_path / "activities.csv"), "--json")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        done = one("SELECT max(imported) FROM ingest_importbatch WHERE kind = 'activities'")[0]
        if done:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = one("SELECT count(*) FROM activity_activity")[0]
    assert 0 < stored < ROWS, "the import should have been killed half-way"
    assert one("SELECT sum(count) FROM activity_activityrollup")[0] == stored

    again = _ninety(env, "import", "activities", str(tmp_path / "activities.csv"), "--json")
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err.decode()
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert (summary["imported"] + summary["duplicates"], summary["duplicates"]) == (ROWS, stored)
    assert one("SELECT count(*) FROM activity_activity")[0] == ROWS
    totals = one(
        "SELECT sum(count), sum(advanced), sum(duration_seconds) FROM activity_activityrollup"
    )
    assert tuple(int(t) for t in totals) == (ROWS, ROWS // 5, sum(i % 90 for i in range(ROWS)))
