"""One-on-one pages: the list and scheduling, the prep sheet, the meeting, the summary, .ics."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ninety.coaching import forms, ics, presenters, services
from ninety.coaching.models import OneOnOne
from ninety.coaching.permissions import (
    can_read_prep,
    can_run,
    can_self_report,
    leads_meeting,
    schedulable_reps,
    visible_meetings,
)
from ninety.coaching.prep import build_prep, sheet_for
from ninety.coaching.queries import due_for, meetings_for
from ninety.conf import today
from ninety.core.periods import parse_day
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person, Role
from ninety.people.permissions import leads_one_on_ones, visible_people
from ninety.people.timezones import zone_name
from ninety.people.views import viewer_of


def _meeting(viewer: Person, meeting_id: int) -> OneOnOne:
    qs = visible_meetings(viewer).select_related("rep", "rep__org", "leader", "held_by", "series")
    return get_object_or_404(qs, pk=meeting_id)


def _runner_meeting(viewer: Person, meeting_id: int) -> OneOnOne:
    meeting = _meeting(viewer, meeting_id)
    if not can_run(viewer, meeting):
        raise PermissionDenied("Only the leader or the delegate holding it runs this one-on-one.")
    return meeting


def _as_of(request: HttpRequest) -> date:
    value = request.POST.get("as_of") or request.GET.get("as_of")
    try:
        return parse_day(value) if value else today()
    except ValueError as exc:
        raise Http404("as_of: expected YYYY-MM-DD") from exc


def _back(meeting: OneOnOne, request: HttpRequest, name: str = "one-on-one") -> HttpResponse:
    response = redirect(name, meeting_id=meeting.pk)
    if request.POST.get("behavior", "").isdigit():
        response["Location"] += f"?behavior={request.POST['behavior']}"
    return response


MEETINGS = ListSpec(
    sorts={
        "when": Sort("When", ("scheduled_at",)),
        "rep": Sort("Rep", ("rep__name", "scheduled_at")),
        "with": Sort("With", ("leader__name", "scheduled_at")),
        "status": Sort("Status", ("status", "scheduled_at")),
        "talk": Sort("Talk share", ("talk_ratio", "scheduled_at")),
    },
    default="-when",
    search=("rep__name", "leader__name", "held_by__name"),
    filters={
        "status": Filter("Status", "status", tuple(OneOnOne.Status.choices)),
        "rep": Filter("Rep", "rep_id"),
    },
    search_label="Name",
)


@login_required
def one_on_ones(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    reps = schedulable_reps(viewer)
    rep_choices = [(p.pk, p.name) for p in visible_people(viewer).filter(role=Role.REP)]
    meetings = listing(
        request, meetings_for(visible_meetings(viewer)), MEETINGS, {"rep": rep_choices}, limit=50
    )
    context = {
        "meetings": meetings,
        "due": due_for(viewer, today()) if leads_one_on_ones(viewer) else [],
        "form": forms.ScheduleForm(reps=reps) if reps.exists() else None,
    }
    return render(request, "coaching/list.html", context)


@login_required
@require_POST
def schedule(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not leads_one_on_ones(viewer):
        raise PermissionDenied("Leaders schedule one-on-ones with the reps they lead.")
    data = request.POST.copy()
    data.setdefault("rep", request.GET.get("rep", ""))  # a link may name the rep: ?rep=<id>
    rep_id = data["rep"]
    get_object_or_404(visible_people(viewer), pk=int(rep_id) if rep_id.isdigit() else 0)
    form = forms.ScheduleForm(data, reps=schedulable_reps(viewer))
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("one-on-ones")
    d = form.cleaned_data
    series = services.schedule_series(
        viewer, d["rep"], cadence=d["cadence"], weekday=d["weekday"], at=d["at"],
        start=d["start"], duration_minutes=d["duration_minutes"],
    )  # fmt: skip
    messages.success(request, f"One-on-ones with {d['rep'].name} scheduled: {series}.")
    return redirect("one-on-ones")


@login_required
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The runner's meeting page; the rep's self-report page; others read the summary."""
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    if can_run(viewer, m) and not m.is_closed:
        behavior = request.GET.get("behavior", "")
        behavior_id = int(behavior) if behavior.isdigit() else None
        context = presenters.meeting_context(viewer, m, behavior_id)
        return render(request, "coaching/meeting.html", context)
    if can_self_report(viewer, m):
        initial = {"results": m.self_results, "behaviors": m.self_behaviors}
        form = forms.SelfReportForm(initial=initial)
        return render(request, "coaching/self_report.html", {"meeting": m, "form": form})
    return redirect("one-on-one-summary", meeting_id=m.pk)


@login_required
@require_POST
def open_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _runner_meeting(viewer, meeting_id)
    try:
        services.open_meeting(m, by=viewer, as_of=_as_of(request))
    except services.CoachingError as exc:
        messages.error(request, str(exc))
        return redirect("one-on-one", meeting_id=m.pk)
    return redirect("one-on-one-prep", meeting_id=m.pk)


@login_required
@require_POST
def delegate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The leader hands the meeting to another leader or a high-potential rep, or takes it back."""
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    if not leads_meeting(viewer, m):
        raise PermissionDenied("Only the rep's leader delegates this one-on-one.")
    choice = request.POST.get("delegate", "")
    person = (
        get_object_or_404(presenters.delegate_candidates(m), pk=int(choice))
        if choice.isdigit()
        else None
    )
    try:
        services.delegate_meeting(m, by=viewer, delegate=person)
    except services.CoachingError as exc:
        messages.error(request, str(exc))
    return redirect("one-on-one-prep", meeting_id=m.pk)


@login_required
def prep(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The prep sheet: the stored one once the meeting is open, a live preview before."""
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    if not can_read_prep(viewer, m):
        raise PermissionDenied("The prep sheet is the leader's; your page is the self-report.")
    sheet = sheet_for(viewer, m.prep if m.prep is not None else build_prep(m, _as_of(request)))
    preview = m.prep is None
    context = {
        "meeting": m,
        "prep": sheet,
        "preview": preview,
        "is_runner": can_run(viewer, m),
        "delegates": presenters.delegate_candidates(m) if leads_meeting(viewer, m) else None,
    }
    return render(request, "coaching/prep.html", context)


@login_required
@require_POST
def self_report(request: HttpRequest, meeting_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    if not (can_self_report(viewer, m) or can_run(viewer, m)):
        raise PermissionDenied("Only the rep writes the self-report.")
    form = forms.SelfReportForm(request.POST)
    if form.is_valid():
        try:
            services.save_self_report(m, by=viewer, **form.cleaned_data)
            messages.success(request, "Self-report saved.")
        except services.CoachingError as exc:
            messages.error(request, str(exc))
    return _back(m, request)


@login_required
@require_POST
def talk(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Talk-time totals: posted by the timer every few seconds, or as minutes without JS."""
    viewer = viewer_of(request)
    m = _runner_meeting(viewer, meeting_id)
    form = forms.TalkForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CoachingError("Talk time: give whole seconds or minutes, 0 or more.")
        rep_s, leader_s = form.totals()
        services.record_talk_time(m, by=viewer, rep_seconds=rep_s, leader_seconds=leader_s)
    except services.CoachingError as exc:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": str(exc)}, status=422)
        messages.error(request, str(exc))
        return _back(m, request)
    if request.headers.get("Accept") == "application/json":
        body = {"rep_seconds": rep_s, "leader_seconds": leader_s, "share": m.talk_share}
        return JsonResponse(body)
    return _back(m, request)


@login_required
@require_POST
def save(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Save every part of the meeting page; with ``close``, also close it and show the summary."""
    viewer = viewer_of(request)
    m = _runner_meeting(viewer, meeting_id)
    wants_json = request.headers.get("Accept") == "application/json"  # the page's autosave
    try:
        forms.save_meeting(m, viewer, request.POST)
        if request.POST.get("close") and not wants_json:
            services.close_meeting(m, by=viewer, summary=request.POST.get("summary", ""))
            return redirect("one-on-one-summary", meeting_id=m.pk)
    except services.CoachingError as exc:
        if wants_json:
            return JsonResponse({"error": str(exc)}, status=422)
        messages.error(request, str(exc))
        return _back(m, request)
    if wants_json:
        return JsonResponse(presenters.saved_state(m, request.POST.get("recital-behavior", "")))
    messages.success(request, "Saved.")
    return _back(m, request)


@login_required
@require_POST
def commitment(request: HttpRequest, meeting_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _runner_meeting(viewer, meeting_id)
    form = forms.CommitmentForm(request.POST, meeting=m)
    try:
        if not form.is_valid():
            raise services.CoachingError("Commitment: write it in a sentence and choose its kind.")
        services.add_commitment(m, by=viewer, **form.cleaned_data)
    except services.CoachingError as exc:
        messages.error(request, str(exc))
    return _back(m, request)


@login_required
@require_POST
def experiment(request: HttpRequest, meeting_id: int, commitment_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _runner_meeting(viewer, meeting_id)
    c = get_object_or_404(m.commitments.select_related("behavior__stage", "way"), pk=commitment_id)
    try:
        services.commitment_to_experiment(c, by=viewer)
    except services.CoachingError as exc:
        messages.error(request, str(exc))
        return _back(m, request)
    messages.success(request, f"Experiment started: “{c.text}”.")
    return _back(m, request)


@login_required
def summary(request: HttpRequest, meeting_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    context = presenters.summary_context(viewer, m)
    # The printable copy is meant to be handed over: it never carries the private note.
    context["printable"] = request.GET.get("print") == "1"
    if context["printable"]:
        context["private_note"] = ""
    return render(request, "coaching/summary.html", context)


@login_required
def invitation(request: HttpRequest, meeting_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = _meeting(viewer, meeting_id)
    url = request.build_absolute_uri(f"/one-on-ones/{m.pk}/")
    body = ics.invitation(
        uid=f"one-on-one-{m.pk}@{request.get_host().split(':')[0]}",
        start=m.scheduled_at,
        minutes=m.duration_minutes,
        summary=f"One-on-one: {m.rep.name} with {m.leader.name}",
        description=(
            f"{m.rep.name} talks most: bring your results, your projection and the behaviors "
            f"and processes behind them. Write your self-report before the meeting: {url}"
        ),
        url=url,
        organizer=(m.leader.name, m.leader.email),
        attendee=(m.rep.name, m.rep.email),
        stamp=timezone.now(),
        zone=zone_name(m.leader),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="one-on-one-{m.pk}.ics"'
    return response
