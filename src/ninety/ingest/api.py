"""``POST /api/activities/bulk``: activities as CSV or JSON lines, validated like a file import."""

from __future__ import annotations

import csv
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.errors import HttpError

from ninety.ingest.background import queue_import
from ninety.ingest.fields import field_names
from ninety.ingest.mapping import MappingError, load_preset
from ninety.ingest.permissions import can_import, import_scope
from ninety.ingest.services import (
    ImportError_,
    RowError,
    check_importable,
    import_file,
    imports_dir,
)

router = Router(tags=["import"])
MAX_BYTES = 50 << 20


def _raw_body(request: HttpRequest) -> bytes:
    """The raw body, up to ``MAX_BYTES`` (413 beyond).

    ``request.body`` stops at Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB), which stays the
    limit for every other endpoint; this one reads the stream itself, to its own limit.
    """
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES:
        raise HttpError(413, f"send at most {MAX_BYTES >> 20} MiB per request")
    data = request.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HttpError(413, f"send at most {MAX_BYTES >> 20} MiB per request")
    return data


def _payload(request: HttpRequest) -> tuple[bytes, str]:
    """(body, "csv" | "jsonl") from a raw body or a multipart form (file, csv or jsonl field)."""
    ctype = (request.content_type or "").lower()
    if ctype.startswith("multipart/") or ctype == "application/x-www-form-urlencoded":
        if "file" in request.FILES:
            up = request.FILES["file"]
            fmt = "jsonl" if str(up.name).lower().endswith((".jsonl", ".ndjson")) else "csv"
            return up.read(), fmt
        for fmt in ("csv", "jsonl"):
            if request.POST.get(fmt):
                return request.POST[fmt].encode(), fmt
        raise HttpError(400, "send the rows as a 'file', 'csv' or 'jsonl' form field")
    if ctype == "application/json":
        # One JSON document: {"csv": "..."}, {"jsonl": "..."}, {"rows": [...]} or [...].
        try:
            doc = json.loads(_raw_body(request) or b"null")
        except ValueError as exc:
            raise HttpError(400, f"not valid JSON: {exc}") from exc
        if isinstance(doc, dict) and isinstance(doc.get("csv"), str):
            return doc["csv"].encode(), "csv"
        if isinstance(doc, dict) and isinstance(doc.get("jsonl"), str):
            return doc["jsonl"].encode(), "jsonl"
        rows = doc.get("rows") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise HttpError(400, "send {'rows': [...]}, {'csv': '...'} or {'jsonl': '...'}")
        return "\n".join(json.dumps(r) for r in rows).encode(), "jsonl"
    fmt = "jsonl" if ("json" in ctype) else "csv"
    return _raw_body(request), fmt


def _jsonl_to_csv(body: bytes, path: Path) -> list[RowError]:
    """JSON lines -> a canonical CSV; lines that are not JSON objects become row errors."""
    errors: list[RowError] = []
    names = field_names("activities")
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(names)
        for line_no, line in enumerate(body.decode("utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError
            except ValueError:
                errors.append(RowError(line_no, "", "not a JSON object"))
                continue
            w.writerow(["" if obj.get(n) is None else str(obj.get(n)) for n in names])
    return errors


def _queue(viewer: Any, body: bytes, fmt: str, preset: str, strict: bool) -> dict[str, Any]:
    if fmt != "csv":
        raise HttpError(400, "background imports take CSV; send JSON lines without background")
    folder = imports_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{viewer.org_id}-{viewer.pk}-{uuid.uuid4().hex}.csv"
    path.write_bytes(body)
    try:
        check_importable("activities", path, load_preset(preset, "activities"), file_name="api-csv")
    except (ImportError_, MappingError) as exc:
        path.unlink(missing_ok=True)
        raise HttpError(400, str(exc)) from exc
    batch = queue_import(
        viewer, "activities", path, file_name="api-csv", preset=preset, strict=strict
    )
    progress = reverse("import-progress", kwargs={"batch_id": batch.pk})
    return {"batch_id": batch.pk, "status": batch.status, "progress": progress}


@router.post("/activities/bulk", summary="Import activities (CSV or JSON lines)")
def bulk_activities(
    request: HttpRequest,
    preset: str = "generic",
    strict: bool = False,
    dry_run: bool = False,
    background: bool = False,
) -> dict[str, Any]:
    """Rows as the canonical activity fields (or a preset's columns, CSV only). Returns the
    summary: ``{"read", "imported", "duplicates", "rejected", "errors"}``. Leaders import for
    the people they lead; admins for the whole org. With ``background=true`` (CSV) the import
    is queued like a page import: the answer is ``{"batch_id", "status": "queued",
    "progress"}`` and ``progress`` (the import page's JSON) follows it."""
    viewer = request.person  # type: ignore[attr-defined]
    if not can_import(viewer, "activities"):
        raise HttpError(403, "Only leaders and admins import activities.")
    body, fmt = _payload(request)
    if len(body) > MAX_BYTES:
        raise HttpError(413, f"send at most {MAX_BYTES >> 20} MiB per request")
    if background:
        return _queue(viewer, body, fmt, preset, strict)
    folder = imports_dir() / "api"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / "activities.csv"
        pre_errors: list[RowError] = []
        if fmt == "jsonl":
            pre_errors = _jsonl_to_csv(body, path)
            preset = "ninety"
        else:
            path.write_bytes(body)
        try:
            mapping = load_preset(preset, "activities")
            summary = import_file(
                viewer.org, "activities", path, mapping=mapping, strict=strict,
                dry_run=dry_run, created_by=viewer, scope=import_scope(viewer),
                file_name=f"api-{fmt}", rejects_path=folder / f"{path.parent.name}.rejects.csv",
            )  # fmt: skip
        except (ImportError_, MappingError) as exc:
            raise HttpError(400, str(exc)) from exc
    if fmt == "jsonl":
        for e in summary.errors:  # CSV row n = JSON line n - 1 (the header is row 1)
            e.row = e.row - 1 if e.row else e.row
    summary.errors = pre_errors + summary.errors
    summary.read += len(pre_errors)
    summary.rejected += len(pre_errors)
    out = summary.to_json()
    out.pop("rejects_file", None)
    out["batch_id"] = summary.batch_id
    return out
