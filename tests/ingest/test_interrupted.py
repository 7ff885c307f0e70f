"""An import killed with SIGKILL half-way leaves whole chunks only; running it again completes it.

The import runs in a subprocess against its own SQLite file (the test database of the suite is
not visible to another process).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROWS = 120_000


def _ninety(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    code = "from ninety.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _write_files(folder: Path) -> None:
    (folder / "people.csv").write_text(
        "external_id,name,email,role,manager,team,high_potential,hired_on\n"
        + "".join(f"p{i},Rep {i},rep{i}@example.com,rep,,,false,\n" for i in range(20))
    )
    with (folder / "activities.csv").open("w") as f:
        f.write("external_id,person,occurred_at,type,deal,way,duration_seconds,outcome\n")
        for i in range(ROWS):
            day, sec = 1 + i % 28, i % 86_400
            f.write(
                f"A{i:07d},p{i % 20},2026-10-{day:02d}T{sec // 3600:02d}:{sec // 60 % 60:02d}:"
                f"{sec % 60:02d}Z,dial,,,{i % 90},{'connect' if i % 5 == 0 else 'none'}\n"
            )


def test_an_interrupted_import_completes_when_run_again(tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite3"
    env = os.environ | {
        "NINETY_DATABASE_URL": str(db),
        "DJANGO_SETTINGS_MODULE": "ninety.settings",
        "NINETY_IMPORT_BLOCK_BYTES": str(64 * 1024),
    }
    _write_files(tmp_path)
    assert _ninety(env, "migrate", "-v0").wait() == 0
    con = sqlite3.connect(db)
    con.execute("INSERT INTO people_org (name, slug, created_at) VALUES ('K', 'k', '2026-01-01')")
    con.commit()
    assert _ninety(env, "import", "people", str(tmp_path / "people.csv")).wait() == 0

    proc = _ninety(env, "import", "activities", str(tmp_path / "activities.csv"), "--json")
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        row = con.execute(
            "SELECT max(imported) FROM ingest_importbatch WHERE kind = 'activities'"
        ).fetchone()
        done = row[0] or 0
        if done > 0:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = con.execute("SELECT count(*) FROM activity_activity").fetchone()[0]
    assert 0 < stored < ROWS, "the import should have been killed half-way"
    # Whole chunks only: the batch's counters and the rollups match the stored rows.
    rolled = con.execute("SELECT sum(count) FROM activity_activityrollup").fetchone()[0]
    assert rolled == stored
    weekly = con.execute("SELECT sum(count) FROM activity_activityweekrollup").fetchone()[0]
    assert weekly == stored

    again = _ninety(env, "import", "activities", str(tmp_path / "activities.csv"), "--json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    import json

    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["imported"] + summary["duplicates"] == ROWS
    assert summary["duplicates"] == stored
    assert con.execute("SELECT count(*) FROM activity_activity").fetchone()[0] == ROWS
    totals = con.execute(
        "SELECT sum(count), sum(advanced), sum(duration_seconds) FROM activity_activityrollup"
    ).fetchone()
    assert totals == (ROWS, ROWS // 5, sum(i % 90 for i in range(ROWS)))
    weeks = con.execute(
        "SELECT sum(count), sum(advanced), sum(duration_seconds) FROM activity_activityweekrollup"
    ).fetchone()
    assert weeks == totals
    statuses = dict(con.execute("SELECT status, count(*) FROM ingest_importbatch GROUP BY 1"))
    assert statuses.get("interrupted") == 1 and statuses.get("done") == 2  # people + re-run
