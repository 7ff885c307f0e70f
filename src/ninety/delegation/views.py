"""The delegation page (tasks, delegate, outcome, review) and the attention meter."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ninety.conf import now_as_served
from ninety.core import attention
from ninety.core.attention import IsoWeek
from ninety.core.periods import parse_day
from ninety.delegation import forms, queries, services
from ninety.delegation.access import (
    attention_leaders,
    can_own_tasks,
    visible_delegations,
    visible_tasks,
)
from ninety.delegation.ics import CalendarError
from ninety.delegation.models import (
    CalendarRule,
    Delegation,
    Rating,
    Recurrence,
    TacticalTask,
    TaskCategory,
    TimeEntry,
)
from ninety.diagnosis.services import default_as_of
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person, Role
from ninety.people.permissions import CHANGE, can, managed_people, manages_org, visible_people
from ninety.people.services import set_high_potential
from ninety.people.timezones import zone_of
from ninety.people.views import viewer_of
from ninety.playbook.models import Behavior, Stage
from ninety.playbook.services import current_playbook


def _leader(request: HttpRequest) -> Person:
    viewer = viewer_of(request)
    if not can_own_tasks(viewer):
        raise PermissionDenied("Only leaders keep a task register and an attention meter.")
    return viewer


def _as_of(request: HttpRequest) -> date | None:
    try:
        return parse_day(request.GET["as_of"]) if "as_of" in request.GET else None
    except ValueError as exc:
        raise Http404("as_of: expected YYYY-MM-DD") from exc


def _coachees(viewer: Person) -> list[Person]:
    return list(managed_people(viewer).filter(role=Role.REP, is_active=True).order_by("name"))


TASKS = ListSpec(
    sorts={
        "task": Sort("Task", ("title",)),
        "category": Sort("Category", ("category", "title")),
        "due": Sort("Due", ("due", "title")),
        "repeats": Sort("Repeats", ("recurrence", "title")),
        "estimate": Sort("Est.", ("estimated_minutes", "title")),
        "status": Sort("Status", ("status", "due", "title")),
    },
    default="status",
    search=("title",),
    filters={
        "status": Filter("Status", "status", tuple(TacticalTask.Status.choices)),
        "category": Filter("Category", "category", tuple(TaskCategory.choices)),
    },
    search_label="Task",
)


@login_required
def delegation(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    context: dict[str, object] = {"received": queries.received(viewer), "ratings": Rating.choices}
    if can_own_tasks(viewer):
        coachees = _coachees(viewer)
        coachee = next((p for p in coachees if str(p.pk) == request.GET.get("coachee")), None)
        as_of = _as_of(request) or default_as_of()
        playbook = current_playbook(viewer.org)
        stages = list(playbook.stages.prefetch_related("behaviors")) if playbook else []
        context |= {
            "tasks": listing(request, queries.register(viewer), TASKS),
            "waiting": queries.waiting_review(viewer),
            "coachees": coachees,
            "coachee": coachee,
            "suggestions": queries.suggest_delegates(viewer, coachee, as_of),
            "stages": stages,
            "categories": TaskCategory.choices,
            "recurrences": Recurrence.choices,
            "prefill": _prefill(request, coachee),
            "as_of": as_of,
        }
    return render(request, "delegation/delegation.html", context)


def _prefill(request: HttpRequest, coachee: Person | None) -> dict[str, str]:
    get = request.GET
    default_title = f"Coach {coachee.name}" if coachee else ""
    return {
        "title": get.get("title", default_title)[:200],
        "category": get.get("category", "coaching" if coachee else "custom"),
        "minutes": get.get("minutes", "60" if coachee else ""),
        "recurrence": get.get("recurrence", ""),
    }


def _back(request: HttpRequest, anchor: str = "") -> HttpResponse:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("delegation")
    return redirect(target + anchor)


def _delegate_args(request: HttpRequest, viewer: Person) -> dict[str, object] | None:
    """Resolve the delegate form to objects the viewer may use; None when no delegate chosen."""
    ids = [int(i) for i in request.POST.getlist("behaviors") if i.isdigit()]
    form = forms.DelegateForm(request.POST, behavior_ids=ids)
    if not form.is_valid():
        raise services.DelegationError(forms.first_error(form))
    data = form.cleaned_data
    if not data["delegate"]:
        return None
    delegate = Person.objects.filter(org_id=viewer.org_id, pk=data["delegate"]).first()
    if delegate is None:
        raise services.DelegationError("delegate: no such person in your org")
    coachee = None
    if data["coachee"]:
        coachee = managed_people(viewer).filter(pk=data["coachee"]).first()
        if coachee is None:
            raise services.DelegationError("coachee: not someone you lead")
    behaviors = Behavior.objects.filter(
        pk__in=data["behaviors"], stage__playbook__org_id=viewer.org_id
    ).select_related("stage__playbook")
    stage = None
    if data["focus_stage"]:
        stage = Stage.objects.filter(pk=data["focus_stage"], playbook__org_id=viewer.org_id).first()
    return {
        "delegate": delegate,
        "coachee": coachee,
        "focus_stage": stage,
        "behaviors": list(behaviors),
        "process_steps": data["process_steps"],
    }


@login_required
@require_POST
def new_task(request: HttpRequest) -> HttpResponse:
    viewer = _leader(request)
    form = forms.TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Task not added — {forms.first_error(form)}")
        return _back(request, "#new-task")
    d = form.cleaned_data
    try:
        with transaction.atomic():
            task = services.create_task(
                viewer,
                d["title"],
                category=d["category"],
                due=d["due"],
                recurrence=d["recurrence"] or "",
                estimated_minutes=d["estimated_minutes"] or 0,
            )
            args = _delegate_args(request, viewer)
            if args is not None:
                delegation = services.delegate_task(task, viewer, **args)  # type: ignore[arg-type]
    except services.DelegationError as exc:
        messages.error(request, f"Task not added — {exc}")
        return _back(request, "#new-task")
    if args is None:
        messages.success(request, f"Added “{task.title}”.")
    else:
        messages.success(request, f"Delegated “{task.title}” to {delegation.delegate.name}.")
    return redirect(reverse("delegation") + f"#task-{task.pk}")


def _owned_task(request: HttpRequest, task_id: int) -> tuple[Person, TacticalTask]:
    viewer = viewer_of(request)
    task = get_object_or_404(visible_tasks(viewer), pk=task_id)
    if task.owner_id != viewer.pk:
        raise PermissionDenied("Only the task's owner may do this.")
    return viewer, task


@login_required
@require_POST
def delegate_existing(request: HttpRequest, task_id: int) -> HttpResponse:
    viewer, task = _owned_task(request, task_id)
    try:
        args = _delegate_args(request, viewer)
        if args is None:
            raise services.DelegationError("delegate: choose who takes the task")
        services.delegate_task(task, viewer, **args)  # type: ignore[arg-type]
        messages.success(request, f"Delegated “{task.title}”.")
    except services.DelegationError as exc:
        messages.error(request, f"Not delegated — {exc}")
    return redirect(reverse("delegation") + f"#task-{task.pk}")


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    viewer, task = _owned_task(request, task_id)
    try:
        services.complete_task(task, viewer)
    except services.DelegationError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("delegation") + f"#task-{task.pk}")


def _delegation(request: HttpRequest, delegation_id: int) -> tuple[Person, Delegation]:
    viewer = viewer_of(request)
    d = get_object_or_404(visible_delegations(viewer).select_related("task"), pk=delegation_id)
    return viewer, d


@login_required
@require_POST
def outcome(request: HttpRequest, delegation_id: int) -> HttpResponse:
    viewer, d = _delegation(request, delegation_id)
    if d.delegate_id != viewer.pk:
        raise PermissionDenied("Only the delegate records the outcome.")
    keys = [f"b{b.pk}" for b in d.behaviors.all()] + [f"s{i}" for i in range(len(d.steps))]
    ratings = {
        k: (request.POST.get(f"rating-{k}", ""), request.POST.get(f"note-{k}", "")) for k in keys
    }
    try:
        services.record_outcome(d, viewer, ratings=ratings, notes=request.POST.get("notes", ""))
        messages.success(request, f"Outcome of “{d.task.title}” sent to {d.task.owner.name}.")
    except services.DelegationError as exc:
        messages.error(request, f"Outcome not recorded — {exc}")
    return redirect(reverse("delegation") + f"#delegation-{d.pk}")


@login_required
@require_POST
def review(request: HttpRequest, delegation_id: int) -> HttpResponse:
    viewer, d = _delegation(request, delegation_id)
    if d.task.owner_id != viewer.pk:
        raise PermissionDenied("Only the task's owner reviews the outcome.")
    try:
        services.review_delegation(d, viewer, notes=request.POST.get("notes", ""))
        messages.success(request, f"Reviewed “{d.task.title}”.")
    except services.DelegationError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("delegation") + f"#delegation-{d.pk}")


@login_required
@require_POST
def cancel(request: HttpRequest, delegation_id: int) -> HttpResponse:
    viewer, d = _delegation(request, delegation_id)
    if d.task.owner_id != viewer.pk:
        raise PermissionDenied("Only the task's owner cancels a delegation.")
    try:
        services.cancel_delegation(d, viewer)
        messages.success(request, f"Took back “{d.task.title}”.")
    except services.DelegationError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("delegation") + f"#task-{d.task_id}")


@login_required
@require_POST
def high_potential(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    subject = get_object_or_404(visible_people(viewer), pk=person_id)
    if not can(viewer, CHANGE, subject):
        raise PermissionDenied("You may not change this person.")
    set_high_potential(subject, request.POST.get("high_potential") == "on")
    return _back(request, "#suggestions")


# --- Attention ----------------------------------------------------------------------------------


def _week(request: HttpRequest) -> IsoWeek:
    text = request.GET.get("week") or request.POST.get("week")
    if not text:
        return IsoWeek.of(default_as_of())
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise Http404(str(exc)) from exc


def _attention_url(week: IsoWeek) -> str:
    return f"{reverse('attention')}?week={week}"


SHORT = {
    attention.BEHAVIOR: "behavior",
    attention.RESULTS: "results",
    attention.TACTICAL: "tactical",
}


def meter_drawing(meter: queries.AttentionWeek, width: int = 760) -> dict[str, object]:
    """Segment geometry for the server-rendered SVG bar (and rows of the text table)."""
    segments, x = [], 0.0
    for key in attention.CATEGORIES:
        w = width * meter.split.shares[key]
        segments.append(
            {
                "key": key,
                "label": attention.CATEGORY_LABELS[key],
                "short": SHORT[key],
                "pct": meter.percent[key],
                "hours": meter.split.minutes[key] / 60,
                "x": f"{x:.1f}",
                "width": round(w, 1),
                "text_x": f"{x + w / 2:.1f}",
            }
        )
        x += w
    ratio = meter.split.behavior_vs_results
    return {
        "segments": segments,
        "ratio_width": None if ratio is None else f"{width * ratio:.1f}",
        "results_of_br": None if ratio is None else 1 - ratio,
        "total_hours": meter.split.total / 60,
    }


@login_required
def attention_page(request: HttpRequest) -> HttpResponse:
    viewer = _leader(request)
    week = _week(request)
    leaders = list(attention_leaders(viewer).order_by("name"))
    leader = viewer
    if "leader" in request.GET:
        leader = next((p for p in leaders if str(p.pk) == request.GET["leader"]), None)
        if leader is None:
            raise Http404("No such leader.")
    meter = queries.attention_week(leader, week)
    context = {
        **meter_drawing(meter),
        "meter": meter,
        "leader": leader,
        "leaders": leaders,
        "own": leader.pk == viewer.pk,
        "week": week,
        "prev": week.shift(-1),
        "next": week.shift(1),
        "entries": list(
            TimeEntry.objects.filter(
                leader=leader,
                start__gte=datetime.combine(week.start, time.min, tzinfo=zone_of(leader)),
                start__lt=datetime.combine(week.end, time.min, tzinfo=zone_of(leader)),
            ).order_by("start")
        ),
        "now": now_as_served(),
        "me_zone": timezone.get_current_timezone_name(),
        "plan_parts": [
            (key, attention.CATEGORY_LABELS[key], minutes / 60)
            for key, minutes in (meter.plan.minutes.items() if meter.plan else ())
            if minutes
        ],
        "rules": list(CalendarRule.objects.filter(org_id=leader.org_id, leader__in=[leader])),
        "org_rules": list(CalendarRule.objects.filter(org_id=leader.org_id, leader__isnull=True)),
        "default_rules": [
            (attention.pattern_in_words(r.title), attention.CATEGORY_LABELS[r.category])
            for r in attention.DEFAULT_RULES
        ],
        "rule_targets": CalendarRule.Target.choices,
        "categories": [(c, attention.CATEGORY_LABELS[c]) for c in attention.CATEGORIES],
    }
    return render(request, "delegation/attention.html", context)


@login_required
@require_POST
def attention_import(request: HttpRequest) -> HttpResponse:
    viewer = _leader(request)
    week = _week(request)
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Nothing imported — {forms.first_error(form)}")
        return redirect(_attention_url(week))
    try:
        summary = services.import_calendar(viewer, form.cleaned_data["file"].read())
    except CalendarError as exc:
        messages.error(request, f"Nothing imported — {form.cleaned_data['file'].name}: {exc}")
        return redirect(_attention_url(week))
    messages.success(request, f"Calendar imported: {summary}.")
    return redirect(_attention_url(week))


@login_required
@require_POST
def attention_entry(request: HttpRequest) -> HttpResponse:
    viewer = _leader(request)
    form = forms.TimeEntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Time not added — {forms.first_error(form)}")
        return redirect(_attention_url(_week(request)))
    d = form.cleaned_data
    try:
        entry = services.add_time_entry(viewer, d["start"], d["minutes"], d["category"], d["title"])
    except services.DelegationError as exc:
        messages.error(request, f"Time not added — {exc}")
        return redirect(_attention_url(_week(request)))
    return redirect(_attention_url(IsoWeek.of(entry.start.date())))


@login_required
@require_POST
def attention_rule(request: HttpRequest) -> HttpResponse:
    viewer = _leader(request)
    form = forms.RuleForm(request.POST)
    week = _week(request)
    if not form.is_valid():
        messages.error(request, f"Rule not added — {forms.first_error(form)}")
        return redirect(_attention_url(week) + "#rules")
    d = form.cleaned_data
    org_wide = d["org_wide"] and manages_org(viewer)
    try:
        services.add_rule(
            viewer.org_id,
            d["category"],
            leader=None if org_wide else viewer,
            title_pattern=d["title_pattern"],
            calendar_category=d["calendar_category"],
            attendee=d["attendee"],
            all_day_minutes=d["all_day_minutes"] or 0,
        )
        messages.success(request, "Rule added: it applies to your next import.")
    except services.DelegationError as exc:
        messages.error(request, f"Rule not added — {exc}")
    return redirect(_attention_url(week) + "#rules")


@login_required
@require_POST
def attention_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    viewer = _leader(request)
    mine = CalendarRule.objects.filter(org_id=viewer.org_id, leader=viewer)
    if manages_org(viewer):
        mine = mine | CalendarRule.objects.filter(org_id=viewer.org_id, leader__isnull=True)
    rule = get_object_or_404(mine, pk=rule_id)
    rule.delete()
    return redirect(_attention_url(_week(request)) + "#rules")
