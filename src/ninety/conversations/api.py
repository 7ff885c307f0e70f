"""Calls through the API: import a transcript (JSON), list a rep's calls, read one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from ninety.conversations.forms import MAX_TRANSCRIPT_BYTES
from ninety.conversations.permissions import can_import, visible_calls
from ninety.conversations.serialize import call_json
from ninety.conversations.services import CallFile, ImportError_, import_call
from ninety.core.conversations.roles import RoleError, role_name
from ninety.people.models import Person
from ninety.people.pagination import Mapped, paged
from ninety.people.permissions import visible_people

router = Router(tags=["conversations"])


class CallIn(Schema):
    file_name: str = Field(max_length=255, description="Its extension names the format")
    text: str = Field(max_length=MAX_TRANSCRIPT_BYTES)
    person: int | str | None = Field(None, description="The rep: id or external id")
    activity: str = Field("", max_length=100, description="Attach to this activity external id")
    occurred_at: datetime | None = None
    outcome: str = Field("", max_length=50)
    speakers: dict[str, str] = Field(default_factory=dict, description="label → rep/prospect")


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _rep(viewer: Person, ref: int | str | None) -> Person | None:
    if ref is None:
        return None
    people = visible_people(viewer)
    found = people.filter(pk=ref) if isinstance(ref, int) else people.filter(external_id=ref)
    rep = found.first()
    if rep is None:
        raise HttpError(404, "No such person, or not one you may see.")
    return rep


@router.post("/conversations", response={201: dict}, summary="Import a call transcript")
def create_call(request: HttpRequest, payload: CallIn) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    if not can_import(viewer):
        raise HttpError(403, "Leaders and admins import call transcripts.")
    try:
        mapping = {k: role_name(v) for k, v in payload.speakers.items()} or None
    except RoleError as e:
        raise HttpError(422, f"speakers: {e}") from e
    call = CallFile(
        name=payload.file_name, text=payload.text, rep=_rep(viewer, payload.person),
        activity_external_id=payload.activity.strip(), occurred_at=payload.occurred_at,
        mapping=mapping, outcome=payload.outcome.strip(),
    )  # fmt: skip
    try:
        conv = import_call(viewer, call)
    except ImportError_ as e:
        raise HttpError(422, str(e)) from e
    return Status(201, call_json(conv, turns=True))


@router.get(
    "/conversations",
    response=list[dict[str, Any]],
    summary="Calls you may see (of one person with ?person=)",
)
@paged
def list_calls(request: HttpRequest, person: int | None = None) -> Mapped:
    qs = visible_calls(_viewer(request)).select_related("activity", "detected_way")
    if person is not None:
        qs = qs.filter(person_id=person)
    return Mapped(qs, call_json)


@router.get("/conversations/{call_id}", summary="One call with its turns")
def get_call(request: HttpRequest, call_id: int) -> dict[str, Any]:
    call = get_object_or_404(
        visible_calls(_viewer(request)).select_related("activity", "detected_way"), pk=call_id
    )
    return call_json(call, turns=True)
