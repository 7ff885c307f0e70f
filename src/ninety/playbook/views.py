"""Playbook pages: the process at a glance (everyone), proposals, the editor and the diff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ninety.people.listing import listing
from ninety.people.models import Person
from ninety.people.permissions import CHANGE, can, can_shape_org
from ninety.people.views import viewer_of
from ninety.playbook import services
from ninety.playbook.diff import diff_playbooks
from ninety.playbook.lists import PROPOSALS, STAGES, WAYS, stage_choices, way_rows
from ninety.playbook.models import Behavior, DiagnosticQuestion, Playbook, Stage, Way
from ninety.playbook.queries import (
    WAYS_WINDOW_DAYS,
    evidence_label,
    evidence_people,
    playbook_tree,
    proposals,
    suggestions_for,
    which_ways_work,
)
from ninety.playbook.services import TEMPLATES, PlaybookError, playbook_spec

KINDS: dict[str, type[Model]] = {
    "stage": Stage,
    "behavior": Behavior,
    "way": Way,
    "question": DiagnosticQuestion,
}
#: How each kind of item reaches its org, for scoping lookups to the viewer's org.
ORG_PATH = {
    "stage": "playbook__org",
    "behavior": "stage__playbook__org",
    "way": "behavior__stage__playbook__org",
    "question": "behavior__stage__playbook__org",
}


def _require_change(viewer: Person, playbook: Playbook | None) -> None:
    if playbook is None or not can(viewer, CHANGE, playbook):
        raise PermissionDenied("Only leaders and admins change the playbook.")


def _item(viewer: Person, kind: str, item_id: int) -> Model:
    """An item of the viewer's org (404 otherwise: other orgs' items do not exist for them)."""
    if kind not in KINDS:
        raise Http404("No such kind of item.")
    return get_object_or_404(KINDS[kind].objects.filter(**{ORG_PATH[kind]: viewer.org}), pk=item_id)


@login_required
def playbook(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    current = services.current_playbook(viewer.org)
    if current is None:
        return render(request, "playbook/empty.html", {"templates": TEMPLATES,
                      "can_change": can_shape_org(viewer)})  # fmt: skip
    stages = playbook_tree(current)
    people = evidence_people(viewer)
    ways = which_ways_work(current, stages, people=people)
    for number, stage in enumerate(stages, start=1):
        stage.number = number  # type: ignore[attr-defined]  # kept when a filter shows one
    choices = {"stage": stage_choices(stages)}
    tables = {
        b.pk: listing(request, way_rows(ways.get(b.pk), list(b.ways.all())), WAYS)
        for s in stages
        for b in s.behaviors.all()
    }
    context = {
        "evidence": evidence_label(viewer, people),
        "playbook": current,
        "stages": listing(request, stages, STAGES, choices),
        "ways": ways,
        "way_tables": tables,
        "suggestions": suggestions_for(viewer, ways),
        "proposals": listing(request, proposals(current), PROPOSALS, choices),
        "can_change": can(viewer, CHANGE, current),
        "draft": services.current_draft(viewer.org),
        "window_days": WAYS_WINDOW_DAYS,
    }
    return render(request, "playbook/playbook.html", context)


@login_required
@require_POST
def install_template(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not can_shape_org(viewer):
        raise PermissionDenied("Only leaders and admins choose the playbook.")
    try:
        services.install_template(viewer.org, request.POST.get("template", ""))
    except PlaybookError as exc:
        messages.error(request, str(exc))
    return redirect("playbook")


@login_required
@require_POST
def propose_way(request: HttpRequest, behavior_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    behavior = _item(viewer, "behavior", behavior_id)
    try:
        services.propose_way(viewer, behavior, request.POST.get("text", ""))  # type: ignore[arg-type]
        messages.success(request, "Thanks — your way was proposed; a leader will review it.")
    except PlaybookError as exc:
        messages.error(request, str(exc))
    return redirect("playbook")


@login_required
@require_POST
def decide_way(request: HttpRequest, way_id: int, decision: str) -> HttpResponse:
    viewer = viewer_of(request)
    way: Way = _item(viewer, "way", way_id)  # type: ignore[assignment]
    _require_change(viewer, way.behavior.stage.playbook)
    try:
        if decision == "approve":
            approved = services.approve_way(viewer, way, request.POST.get("text"))
            version = approved.behavior.stage.playbook
            messages.success(request, f"Approved: “{approved.text}” (now in v{version.version}).")
            warning = services.too_many_ways(approved.behavior)
            if warning:
                messages.warning(request, warning)
        elif decision == "decline":
            services.decline_way(viewer, way, request.POST.get("reason", ""))
            messages.success(request, "Declined; the author sees your reason.")
        else:
            raise Http404("No such decision.")
    except PlaybookError as exc:
        messages.error(request, str(exc))
    return redirect("playbook")


@login_required
def diff(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    versions = list(Playbook.objects.filter(org=viewer.org).order_by("-version"))
    if not any(can(viewer, CHANGE, p) for p in versions[:1]):
        # Drafts are work in progress: only the people who may edit them see them.
        versions = [p for p in versions if p.status != Playbook.Status.DRAFT]
    by_version = {p.version: p for p in versions}
    try:
        new = by_version[int(request.GET["to"])] if "to" in request.GET else versions[0]
        older = [p for p in versions if p.version < new.version]
        old = by_version[int(request.GET["from"])] if "from" in request.GET else older[0]
    except (KeyError, ValueError, IndexError):
        old = new = None  # type: ignore[assignment]
    changes = diff_playbooks(playbook_spec(old), playbook_spec(new)) if old and new else []
    context = {"versions": versions, "old": old, "new": new, "changes": changes}
    return render(request, "playbook/diff.html", context)


@login_required
def export_yaml(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    current = services.current_playbook(viewer.org)
    if current is None:
        raise Http404("No playbook yet.")
    response = HttpResponse(playbook_spec(current).to_yaml(), content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="playbook-v{current.version}.yaml"'
    return response
