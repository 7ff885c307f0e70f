"""The import pages' and bulk API's rows of the permission matrix.

Each write posts three activities: one for Sam (Dana's team, Acme), one for Grace (Chris's
team, Acme) and one for Oscar (the other org), so that every persona allowed to import writes
at least one row: a leader only for the people they lead, an admin only in their own org.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ninety.activity.models import Activity
from ninety.ingest.models import ImportBatch
from tests.conftest import World

MATRIX_CSV = (
    "external_id,person,occurred_at,type,outcome\n"
    "matrix-1,ext-sam,2026-10-01T09:00:00Z,dial,connect\n"
    "matrix-2,ext-grace,2026-10-01T09:05:00Z,dial,none\n"
    "matrix-3,ext-oscar,2026-10-01T09:10:00Z,dial,none\n"
)
PERSONAS = ("anon", "rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


class _Upload:
    """A file for the test client that can be posted again and again."""

    name = "matrix.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return MATRIX_CSV.encode()


def _imports_dir() -> Path:
    # Uploads and rejects go to a scratch folder, not the working tree.
    folder = os.environ.get("NINETY_IMPORTS_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="ninety-imports-")
        os.environ["NINETY_IMPORTS_DIR"] = folder
    return Path(folder)


def _no_matrix_activity(w: World) -> bool:
    return not Activity.objects.filter(external_id__startswith="matrix-").exists()


def _dana_batch(w: World, status: str = "done") -> int:
    rejects = _imports_dir() / "matrix.rejects.csv"
    rejects.write_text("row,field,reason\n3,person,unknown person\n")
    batch = ImportBatch.objects.create(
        org=w.org, created_by=w.leader, kind="activities", file_name="x.csv", sha256="0" * 64,
        status=status, read=3, imported=1, rejected=2, rejects_path=str(rejects),
    )  # fmt: skip
    return batch.pk


def _import_path(w: World) -> str:
    _imports_dir()
    return "/import/"


_IMPORTERS = {"anon": 302, "rep": 403, "teammate": 403} | {
    p: 200 for p in ("leader", "other_leader", "director", "admin", "outsider")
}
_OWN_BATCH = {
    "anon": 302, "rep": 403, "teammate": 403, "leader": 200, "other_leader": 404,
    "director": 404, "admin": 200, "outsider": 404,
}  # fmt: skip


def page_cases(case: Any) -> dict[str, list[Any]]:
    return {
        "import": [
            case("get", _import_path, _IMPORTERS),
            case(
                "post",
                _import_path,
                _IMPORTERS | {p: 302 for p in PERSONAS[3:]},
                data={
                    "kind": "activities",
                    "step": "import",
                    "preset": "ninety",
                    "file": _Upload(),
                },
                unchanged=_no_matrix_activity,
            ),
        ],
        "import-batch": [case("get", lambda w: f"/import/{_dana_batch(w)}/", _OWN_BATCH)],
        "import-rejects": [
            case("get", lambda w: f"/import/{_dana_batch(w)}/rejects.csv", _OWN_BATCH)
        ],
        "import-progress": [
            case("get", lambda w: f"/import/{_dana_batch(w, 'running')}/progress", _OWN_BATCH)
        ],
        "import-cancel": [
            case(
                "post",
                lambda w: f"/import/{_dana_batch(w, 'running')}/cancel",
                _OWN_BATCH | {"leader": 302, "admin": 302},
                unchanged=_no_cancel_requested,
            )
        ],
    }


def _no_cancel_requested(w: World) -> bool:
    return not ImportBatch.objects.filter(cancel_requested=True).exists()


def api_cases(case: Any) -> dict[tuple[str, str], list[Any]]:
    return {
        ("post", "/api/activities/bulk"): [
            case(
                "post",
                lambda w: (_imports_dir(), "/api/activities/bulk")[1],
                {p: 200 for p in PERSONAS[1:]} | {"rep": 403, "teammate": 403},
                data={"csv": MATRIX_CSV},
                unchanged=_no_matrix_activity,
            )
        ]
    }
