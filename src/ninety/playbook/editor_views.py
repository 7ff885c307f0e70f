"""The playbook editor (leaders and admins): a draft of the next version, edited and published."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ninety.people.views import viewer_of
from ninety.playbook import services
from ninety.playbook.diff import diff_playbooks
from ninety.playbook.models import Playbook
from ninety.playbook.queries import playbook_tree
from ninety.playbook.services import EDITABLE, MAX_WAYS, MIN_WAYS, PlaybookError, playbook_spec
from ninety.playbook.views import _item, _require_change


def _back(item_anchor: str = "") -> HttpResponse:
    response = redirect("playbook-edit")
    if item_anchor:
        response["Location"] += f"#{item_anchor}"
    return response


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    current = services.current_playbook(viewer.org)
    draft = services.current_draft(viewer.org)
    _require_change(viewer, draft or current)
    context: dict[str, object] = {"current": current, "draft": draft}
    if draft is not None:
        stages = playbook_tree(draft)
        context |= {
            "stages": stages,
            "changes": diff_playbooks(playbook_spec(current), playbook_spec(draft))
            if current
            else [],
            "min_ways": MIN_WAYS,
            "max_ways": MAX_WAYS,
        }
    return render(request, "playbook/edit.html", context)


@login_required
@require_POST
def draft_action(request: HttpRequest, action: str) -> HttpResponse:
    """Start, publish or discard the draft, or rename it."""
    viewer = viewer_of(request)
    draft = services.current_draft(viewer.org)
    _require_change(viewer, draft or services.current_playbook(viewer.org))
    try:
        if action == "start":
            services.start_draft(viewer.org)
        elif draft is None:
            raise PlaybookError("There is no draft; start one first.")
        elif action == "publish":
            published = services.publish_draft(draft)
            messages.success(request, f"Published version {published.version}.")
            return redirect(f"/playbook/diff/?to={published.version}")
        elif action == "discard":
            services.discard_draft(draft)
            messages.success(request, "Draft discarded.")
            return redirect("playbook")
        elif action == "rename":
            services.rename_playbook(draft, request.POST.get("name", ""))
        else:
            raise Http404("No such action.")
    except PlaybookError as exc:
        messages.error(request, str(exc))
    return _back()


@login_required
@require_POST
def item_action(request: HttpRequest, kind: str, item_id: int, action: str) -> HttpResponse:
    """Save, move (up, down, or to a position when dragged) or delete one draft item."""
    viewer = viewer_of(request)
    item = _item(viewer, kind, item_id)
    _require_change(viewer, services.playbook_of(item))  # type: ignore[arg-type]
    try:
        if action == "save":
            fields = {f: request.POST[f] for f in EDITABLE[type(item)] if f in request.POST}
            services.update_item(item, **fields)  # type: ignore[arg-type]
        elif action in ("up", "down"):
            services.move_item(item, -1 if action == "up" else 1)  # type: ignore[arg-type]
        elif action == "move":
            to = int(request.POST.get("to", item.order))  # type: ignore[attr-defined]
            services.move_item(item, to - item.order)  # type: ignore[arg-type,attr-defined]
        elif action == "delete":
            services.delete_item(item)  # type: ignore[arg-type]
            return _back()
        else:
            raise Http404("No such action.")
    except PlaybookError as exc:
        messages.error(request, str(exc))
    except ValueError:
        messages.error(request, "Give the new position as a number.")
    return _back(f"{kind}-{item_id}")


@login_required
@require_POST
def add_item(request: HttpRequest, kind: str, parent_id: int) -> HttpResponse:
    """Add a stage to the draft, a behavior to a stage, or a way or question to a behavior."""
    viewer = viewer_of(request)
    post = request.POST
    try:
        if kind == "stage":
            draft = get_object_or_404(Playbook, org=viewer.org, pk=parent_id)
            _require_change(viewer, draft)
            new = services.add_stage(
                draft, post.get("name", ""), post.get("entry_type", ""), post.get("exit_type", "")
            )
        else:
            parent_kind = {"behavior": "stage", "way": "behavior", "question": "behavior"}
            if kind not in parent_kind:
                raise Http404("No such kind of item.")
            parent = _item(viewer, parent_kind[kind], parent_id)
            _require_change(viewer, services.playbook_of(parent))  # type: ignore[arg-type]
            if kind == "behavior":
                new = services.add_behavior(parent, post.get("name", ""))  # type: ignore[arg-type]
            elif kind == "way":
                new = services.add_way(parent, post.get("text", ""), viewer)  # type: ignore[arg-type]
                warning = services.too_many_ways(parent)  # type: ignore[arg-type]
                if warning:
                    messages.warning(request, warning)
            else:
                new = services.add_question(parent, post.get("text", ""))  # type: ignore[arg-type]
    except PlaybookError as exc:
        messages.error(request, str(exc))
        return _back()
    return _back(f"{kind}-{new.pk}")
