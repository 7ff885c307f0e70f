"""The import page: upload, preview with a suggested mapping, import, summary, rejects."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from ninety.ingest.background import cancel, queue_import
from ninety.ingest.fields import KINDS, field_names
from ninety.ingest.mapping import (
    MappingError,
    load_preset,
    parse_mapping_text,
    preset_names,
    suggest_preset,
)
from ninety.ingest.models import ImportBatch
from ninety.ingest.permissions import can_import, visible_batches
from ninety.ingest.reader import FileError, inspect, iter_blocks
from ninety.ingest.services import ImportError_, check_importable, imports_dir
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person
from ninety.people.views import viewer_of

HISTORY_ROWS = 20
TOKEN_RE = re.compile(r"^\d+-\d+-[0-9a-f]{32}\.(csv|xlsx)$")
PREVIEW_ROWS = 10
PREVIEW_COLUMNS = 50  # a file may have thousands: the page shows these, and says how many


def _importer(request: HttpRequest) -> Person:
    viewer = viewer_of(request)
    if not can_import(viewer):
        raise PermissionDenied("Only leaders and admins import data.")
    return viewer


def _save_upload(viewer: Person, upload) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    ext = "xlsx" if str(upload.name).lower().endswith(".xlsx") else "csv"
    token = f"{viewer.org_id}-{viewer.pk}-{uuid.uuid4().hex}.{ext}"
    folder = imports_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / token
    if upload.size > settings.NINETY_UPLOAD_MAX_BYTES:
        raise FileError(
            f"{upload.name}: {upload.size >> 20} MiB is over the "
            f"{settings.NINETY_UPLOAD_MAX_BYTES >> 20} MiB upload limit: split the file"
        )
    with path.open("wb") as f:
        for chunk in upload.chunks():
            f.write(chunk)
    return token, path


def _upload_path(viewer: Person, token: str) -> Path:
    # The token names the uploader: nobody can import someone else's upload.
    if not TOKEN_RE.match(token) or not token.startswith(f"{viewer.org_id}-{viewer.pk}-"):
        raise Http404("No such upload.")
    path = imports_dir() / "uploads" / token
    if not path.exists():
        raise Http404("The upload has expired; upload the file again.")
    return path


HISTORY = ListSpec(
    sorts={
        "file": Sort("File", ("file_name", "started_at")),
        "kind": Sort("What", ("kind", "started_at")),
        "status": Sort("Status", ("status", "started_at")),
        "read": Sort("Read", ("read",)),
        "imported": Sort("Imported", ("imported",)),
        "rejected": Sort("Rejected", ("rejected",)),
        "started": Sort("Started", ("started_at",)),
    },
    default="-started",
    search=("file_name",),
    filters={
        "kind": Filter("What", "kind", tuple(ImportBatch.Kind.choices)),
        "status": Filter("Status", "status", tuple(ImportBatch.Status.choices)),
    },
    search_label="File",
)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    viewer = _importer(request)
    context = {
        "kinds": list(KINDS),
        "presets": preset_names(),
        "history": listing(
            request,
            visible_batches(viewer).select_related("created_by"),
            HISTORY,
            limit=HISTORY_ROWS,
        ),
    }
    if request.method != "POST":
        return render(request, "ingest/import.html", context)
    kind = request.POST.get("kind", "activities")
    if kind not in KINDS:
        return render(request, "ingest/import.html", context | {"error": "Choose what to import."})
    if not can_import(viewer, kind):
        raise PermissionDenied("Only admins import people.")
    if "file" in request.FILES:
        try:
            token, path = _save_upload(viewer, request.FILES["file"])
        except FileError as exc:
            return render(request, "ingest/import.html", context | {"error": str(exc)}, status=413)
        name = request.FILES["file"].name
    elif request.POST.get("token"):
        token = request.POST["token"]
        path = _upload_path(viewer, token)
        name = request.POST.get("name") or "the uploaded file"  # never the name on disk
    else:
        return render(request, "ingest/import.html", context | {"error": "Choose a file."})
    try:
        mapping_text = request.POST.get("mapping", "").strip()
        preset = request.POST.get("preset") or ""
        if mapping_text:
            mapping = parse_mapping_text(mapping_text)
        elif preset:
            mapping = load_preset(preset, kind)
        else:
            mapping = None
        if request.POST.get("step") == "preview":
            return _preview(request, kind, token, name, path, mapping, preset)
        # The file and mapping are checked here (a missing column is said at once); the import
        # itself runs on the task queue, and the summary page follows its progress.
        check_importable(
            kind, path, mapping or load_preset(preset or "generic", kind), file_name=str(name)
        )
        batch = queue_import(
            viewer, kind, path, file_name=str(name), mapping_text=mapping_text,
            preset="" if mapping_text else (preset or "generic"),
            strict=bool(request.POST.get("strict")),
        )  # fmt: skip
    except (MappingError, ImportError_, FileError) as exc:
        return render(request, "ingest/import.html", context | {"error": str(exc)}, status=400)
    return redirect("import-batch", batch_id=batch.pk)


def _preview(request, kind, token, name, path, mapping, preset) -> HttpResponse:  # type: ignore[no-untyped-def]
    src = inspect(path, encoding=mapping.encoding if mapping else None, name=str(name))
    first = next(iter(iter_blocks(src)), None)
    rows = first.batch.slice(0, PREVIEW_ROWS).to_pylist() if first is not None else []
    suggested = mapping or suggest_preset(kind, src.headers)
    columns = suggested.resolve_columns(kind, src.headers) if suggested else {}
    # The preview shows the columns this file has (a preset's alternatives resolved).
    suggested.columns, suggested.alternatives = columns, {}
    shown = src.headers[:PREVIEW_COLUMNS]
    fields = [
        {
            "name": f,
            "source": ", ".join(columns.get(f, [])) or "—",
            "required": f in _required(kind),
        }
        for f in field_names(kind)
    ]
    return render(
        request,
        "ingest/preview.html",
        {
            "kind": kind, "token": token, "name": name, "src": src, "preset": preset,
            "headers": shown, "hidden_columns": len(src.headers) - len(shown),
            "rows": [[r.get(h, "") for h in shown] for r in rows],
            "fields": fields, "mapping_yaml": suggested.to_yaml(), "suggested": suggested.name,
        },
    )  # fmt: skip


def _required(kind: str) -> set[str]:
    return {f.name for f in KINDS[kind] if f.required}


@login_required
def import_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _importer(request)
    batch = get_object_or_404(visible_batches(viewer), pk=batch_id)
    return render(request, "ingest/batch.html", {"batch": batch})


@login_required
def import_progress(request: HttpRequest, batch_id: int) -> JsonResponse:
    """How far a (background) import is: polled by the summary page's progress bar."""
    viewer = _importer(request)
    b = get_object_or_404(visible_batches(viewer), pk=batch_id)
    return JsonResponse(
        {
            "status": b.status, "label": b.get_status_display(), "active": b.active,
            "percent": b.percent, "read": b.read, "imported": b.imported, "updated": b.updated,
            "duplicates": b.duplicates, "rejected": b.rejected, "message": b.message,
        }
    )  # fmt: skip


@login_required
def import_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _importer(request)
    batch = get_object_or_404(visible_batches(viewer), pk=batch_id)
    if request.method != "POST":
        return HttpResponse(status=405)
    if batch.active:
        cancel(batch)
    return redirect("import-batch", batch_id=batch.pk)


@login_required
def import_rejects(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _importer(request)
    batch = get_object_or_404(visible_batches(viewer), pk=batch_id)
    path = Path(batch.rejects_path) if batch.rejects_path else None
    if path is None or not path.exists():
        raise Http404("This import has no rejected rows.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"rejects-{batch.pk}.csv",
        content_type="text/csv",
    )
