"""Call pages: one call (transcript, the way found highlighted, metrics against the team) and
the import form."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ninety.conversations import presenters
from ninety.conversations.forms import ImportCallForm
from ninety.conversations.permissions import can_import, importable_people, visible_calls
from ninety.conversations.services import CallFile, ImportError_, import_call
from ninety.people.views import viewer_of


@login_required
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    call = (
        visible_calls(viewer)
        .select_related("person", "detected_way", "behavior")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise Http404("No such call, or not one you may see.")
    return render(request, "conversations/call.html", presenters.call_context(call))


def _save_recording(upload: Any) -> Path:
    suffix = Path(upload.name).suffix.lower()[:6] or ".wav"
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(out.name)


@login_required
def call_import(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not can_import(viewer):
        raise PermissionDenied("Leaders and admins import call transcripts.")
    people = importable_people(viewer).order_by("name")
    form = ImportCallForm(request.POST or None, request.FILES or None, people=people)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        name, text = d["transcript"]
        recording = _save_recording(d["recording"]) if d.get("recording") else None
        call = CallFile(
            name=name, text=text, rep=d["rep"], activity_external_id=d["activity"].strip(),
            occurred_at=d["occurred_at"], mapping=d["speakers"], outcome=d["outcome"].strip(),
            recording=recording,
        )  # fmt: skip
        try:
            conv = import_call(viewer, call)
        except ImportError_ as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"Imported {name}.")
            return redirect("call", conv.pk)
        finally:
            if recording:
                recording.unlink(missing_ok=True)
    return render(request, "conversations/import.html", {"form": form})
