"""The landing page, the leader dashboard (the team heatmap and its side cards) and the rep page
(funnel, focus and why, with the rep's one-on-ones and experiments beside it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ninety.core.glossary import TERMS as GLOSSARY
from ninety.diagnosis import presenters
from ninety.diagnosis.compare import compare_reports, previous_period
from ninety.diagnosis.services import region_report, rep_report, team_report
from ninety.home.overview import (
    DASHBOARD_TEAMS,
    LEADERS,
    overview_context,
    pace_list,
    team_list,
)
from ninety.home.panels import dashboard_panels, goal_panel, rep_panels, scorecard_panel
from ninety.home.params import period_and_as_of
from ninety.people.listing import listing
from ninety.people.models import Team
from ninety.people.permissions import (
    can_read_overview,
    has_diagnosis_page,
    sees_only_self,
    visible_people,
    visible_teams,
)
from ninety.people.views import viewer_of


def _wants_compare(request: HttpRequest) -> bool:
    """``compare=1``: the period against the previous one of the same kind."""
    return request.GET.get("compare", "") in ("1", "on", "true")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A rep lands on their own page, everyone else on the dashboard."""
    viewer = viewer_of(request)
    if sees_only_self(viewer):
        return redirect("rep", person_id=viewer.pk)
    return redirect("dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if sees_only_self(viewer):
        return redirect("rep", person_id=viewer.pk)
    period, as_of = period_and_as_of(request)
    teams = presenters.teams_with_reps(visible_teams(viewer))
    team: Team | None = None
    region = False
    if "team" in request.GET:
        team = next((t for t in teams if str(t.pk) == request.GET["team"]), None)
        if team is None:  # a region (a team of teams) the viewer may see: all the reps below it
            wanted = request.GET["team"]
            team = (
                visible_teams(viewer).filter(pk=int(wanted)).first() if wanted.isdigit() else None
            )
            region = True
        if team is None:
            raise Http404("No such team.")
    else:
        team = next((t for t in teams if t.leader_id == viewer.pk), None)
    context = presenters.dashboard_context(viewer, teams, team, period, as_of)
    context["team_list"] = listing(request, teams, DASHBOARD_TEAMS)
    context["compare"] = _wants_compare(request)
    if team is not None:
        report = region_report if region else team_report
        context["report"] = report(team, period, as_of)
        context["heatmap"] = presenters.heatmap(context["report"]) if context["report"] else None
        if context["report"]:
            r = context["report"]
            final = (r.progress and r.progress.is_final) or period.is_trailing
            label = "Result vs quota" if final else "Pace vs quota"
            context["pace"] = listing(request, context["heatmap"].rows, pace_list(label))
            context["windows"] = [
                (s.name, w) for s, w in zip(r.playbook.stages, r.windows, strict=True)
            ]
            if context["compare"]:
                before = report(team, *previous_period(period))
                context["comparison"] = (
                    presenters.comparison_table(compare_reports(r, before)) if before else None
                )
        context.update(dashboard_panels(viewer, context["report"], as_of))
        context.update(scorecard_panel(context["report"], as_of))
    return render(request, "home/dashboard.html", context)


@login_required
def rep(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    subject = get_object_or_404(visible_people(viewer).select_related("team", "org"), pk=person_id)
    if not has_diagnosis_page(subject):
        raise PermissionDenied("Diagnosis pages are for reps.")
    period, as_of = period_and_as_of(request)
    report = rep_report(subject, period, as_of)
    context = presenters.rep_context(viewer, subject, report, period, as_of)
    context["compare"] = _wants_compare(request)
    if context["compare"]:
        before = rep_report(subject, *previous_period(period))
        comparison = presenters.comparison_table(compare_reports(report, before), only={subject.pk})
        context["comparison"] = comparison
        context["change"] = comparison.rows[0] if comparison.rows else None
    context.update(rep_panels(request, subject, period, as_of, viewer))
    context.update(goal_panel(request, viewer, subject, report, as_of))
    return render(request, "home/rep.html", context)


def glossary(request: HttpRequest) -> HttpResponse:
    """Every statistical term of the pages in plain words (open to all: nothing of an org)."""
    return render(request, "home/glossary.html", {"terms": GLOSSARY})


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Teams × stages against the region and the leaders' coaching side by side."""
    viewer = viewer_of(request)
    if not can_read_overview(viewer):
        raise PermissionDenied("The overview compares teams: it is for leaders and admins.")
    period, as_of = period_and_as_of(request)
    region = None
    if request.GET.get("team"):
        wanted = request.GET["team"]
        region = visible_teams(viewer).filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if region is None:
            raise Http404("No such team.")
    context = overview_context(viewer, region, period, as_of)
    context["rows"] = listing(request, context["rows"], team_list(context["stages"]))
    context["leaders"] = listing(request, context["leaders"], LEADERS)
    context["periods"] = presenters.period_choices(as_of, viewer.org_id)
    return render(request, "home/overview.html", context)
