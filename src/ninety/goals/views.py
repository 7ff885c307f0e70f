"""The goals page of a rep (suggestions to accept or edit, goals with progress, the scorecard),
the team's scorecard weights, and goals CSV export and import."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ninety.core.goals import PERIOD_KINDS
from ninety.core.periods import Period, parse_day
from ninety.diagnosis.services import (
    GroupReport,
    default_as_of,
    org_reports,
    rep_report,
    team_report,
)
from ninety.goals import csvio, services
from ninety.goals.lists import GOAL_REPS, GOAL_TEAMS, GROUP_GOALS, PROGRESS, ranked
from ninety.goals.models import Goal
from ninety.goals.permissions import (
    can_manage_goal,
    can_manage_person,
    can_manage_team,
    visible_goals,
)
from ninety.goals.presenters import PERCENT_KINDS, goal_json, group_goal_json, progress_json
from ninety.goals.scorecards import scorecards
from ninety.people.listing import listing
from ninety.people.models import Org, Person, Role, Team
from ninety.people.permissions import (
    has_diagnosis_page,
    manages_org,
    sees_only_self,
    visible_people,
    visible_teams,
)
from ninety.people.views import viewer_of

#: Up to this many teams are diagnosed one by one for a goals page; more, as one org.
FEW_TEAMS = 3


def _as_of(request: HttpRequest) -> date:
    text = request.GET.get("as_of") or request.POST.get("as_of")
    try:
        return parse_day(text) if text else default_as_of()
    except ValueError as exc:
        raise Http404("as_of: expected YYYY-MM-DD") from exc


def _rep(request: HttpRequest, person_id: int) -> tuple[Person, Person]:
    viewer = viewer_of(request)
    subject = get_object_or_404(visible_people(viewer).select_related("team", "org"), pk=person_id)
    if not has_diagnosis_page(subject):
        raise Http404("Goals are set for reps.")
    return viewer, subject


def _target(text: str, kind: str) -> float:
    try:
        value = float(text.replace(",", "").rstrip("%"))
    except ValueError as exc:
        raise services.GoalError("target: expected a number") from exc
    return value / 100 if kind in PERCENT_KINDS else value


@login_required
def rep_goals(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer, subject = _rep(request, person_id)
    as_of = _as_of(request)
    report = rep_report(subject, Period.of(as_of), as_of)
    spec = report.playbook
    known = services.metric_list(spec)
    suggested = Goal.objects.filter(person=subject, status=Goal.Status.SUGGESTED)
    card = scorecards([subject], as_of, weeks=6, spec=spec)
    context = {
        "subject": subject,
        "as_of": as_of,
        "progress": listing(
            request,
            ranked([progress_json(p) for p in services.progress(subject, report, as_of)]),
            PROGRESS,
        ),
        "suggested": [goal_json(g, known.get(g.metric)) for g in suggested],
        "metrics": list(known.values()),
        "periods": PERIOD_KINDS,
        "can_manage": can_manage_person(viewer, subject),
        "can_weigh": bool(subject.team and can_manage_team(viewer, subject.team)),
        "weights": services.team_weights([subject.team_id])[subject.team_id],
        "card": card[0] if card else None,
    }
    return render(request, "goals/rep.html", context)


def _back(request: HttpRequest, person_id: int) -> HttpResponse:
    """Back to the rep's goals page, on the day the form was read (its ``as_of``)."""
    return _back_to(request, reverse("rep-goals", args=[person_id]))


def _back_to(request: HttpRequest, url: str) -> HttpResponse:
    """Back to a goals page, on the day the form was read (its ``as_of``)."""
    day = request.POST.get("as_of", "")
    try:
        return redirect(f"{url}?as_of={parse_day(day).isoformat()}" if day else url)
    except ValueError:
        return redirect(url)


def _managed(request: HttpRequest, person_id: int) -> Person:
    viewer, subject = _rep(request, person_id)
    if not can_manage_person(viewer, subject):
        raise PermissionDenied("Only the rep's leader or an admin sets their goals.")
    return subject


@login_required
@require_POST
def rep_suggest(request: HttpRequest, person_id: int) -> HttpResponse:
    subject = _managed(request, person_id)
    as_of = _as_of(request)
    report = rep_report(subject, Period.of(as_of), as_of)
    made = services.suggest(subject, report, as_of, viewer_of(request))
    messages.success(request, f"{len(made)} goal(s) suggested from the data.")
    return _back(request, subject.pk)


def _add_from_form(
    request: HttpRequest, org: Org, person: Person | None = None, team: Team | None = None
) -> None:
    """Create the goal the add form posted (for the rep, the team or the org); the outcome as
    a message naming the field that was wrong."""
    known = services.metric_list(services.playbook_for(org))
    metric = request.POST.get("metric", "")
    try:
        if metric not in known:
            raise services.GoalError(f"metric: {metric!r} is not one of the list")
        direction = request.POST.get("direction", "higher")
        if direction not in ("higher", "lower"):
            raise services.GoalError("better when: expected higher or lower")
        services.create_goal(
            org=org,
            person=person,
            team=team,
            metric=metric,
            target=_target(request.POST.get("target", ""), known[metric].kind),
            higher_is_better=direction == "higher",
            period_kind=request.POST.get("period", "month"),
            by=viewer_of(request),
        )
    except services.GoalError as exc:
        messages.error(request, f"Goal not added: {exc}")
    else:
        messages.success(request, f"Goal added: {known[metric].label}.")


@login_required
@require_POST
def rep_add(request: HttpRequest, person_id: int) -> HttpResponse:
    subject = _managed(request, person_id)
    _add_from_form(request, subject.org, person=subject)
    return _back(request, subject.pk)


ACTIONS = {"accept": Goal.Status.ACTIVE, "dismiss": Goal.Status.ARCHIVED, "archive": "archived"}


@login_required
@require_POST
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    goal = get_object_or_404(visible_goals(viewer).select_related("person", "org"), pk=goal_id)
    if not can_manage_goal(viewer, goal):
        raise PermissionDenied("Only the rep's leader or an admin changes this goal.")
    action = request.POST.get("action", "save")
    metric = services.metric_list(services.playbook_for(goal.org)).get(goal.metric)
    try:
        target = request.POST.get("target")
        services.update_goal(
            goal,
            target=_target(target, metric.kind if metric else "") if target else None,
            status=ACTIONS.get(action),
            period_kind=request.POST.get("period") or None,
        )
    except services.GoalError as exc:
        messages.error(request, f"Goal not changed: {exc}")
    else:
        messages.success(request, {"accept": "Goal accepted."}.get(action, "Goal saved."))
    if goal.person_id:
        return _back(request, goal.person_id)
    if goal.team_id:
        return _back_to(request, reverse("team-goals", args=[goal.team_id]))
    return _back_to(request, reverse("org-goals"))


@login_required
@require_POST
def team_weights(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    team = get_object_or_404(visible_teams(viewer), pk=team_id)
    if not can_manage_team(viewer, team):
        raise PermissionDenied("Only the team's leader or an admin weighs its scorecard.")
    try:
        behavior = float(request.POST.get("behavior", ""))
        result = float(request.POST.get("result", ""))
        services.set_weights(team, behavior, result)
    except (ValueError, services.GoalError) as exc:
        messages.error(request, f"Weights not saved: {exc}")
    else:
        messages.success(request, f"Scorecard weights of {team.name} saved.")
    back = request.POST.get("next", "")
    if back.isdigit() and visible_people(viewer).filter(pk=int(back)).exists():
        return redirect("rep-goals", person_id=int(back))
    return redirect(f"/dashboard/?team={team.pk}")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    goals = visible_goals(viewer).exclude(status=Goal.Status.ARCHIVED)
    goals = goals.select_related("person", "team").order_by("scope", "person__name", "metric")
    response = HttpResponse(csvio.export_csv(goals), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="goals.csv"'
    return response


@login_required
def import_goals(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if sees_only_self(viewer):
        raise PermissionDenied("Leaders and admins import goals.")
    context: dict[str, object] = {"columns": csvio.COLUMNS}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = ["Choose a CSV file."]
            status = 400
        else:
            result = csvio.import_csv(viewer, upload.read(csvio.MAX_BYTES + 1), upload.name)
            context["errors"], context["created"] = result.errors, result.created
            status = 400 if result.errors else 200
    return render(request, "goals/import.html", context, status=status)


# --- team and org goals ------------------------------------------------------------------------


def _group_context(
    request: HttpRequest,
    viewer: Person,
    org: Org,
    goals: list[Goal],
    reports: list[GroupReport],
    as_of: date,
) -> dict[str, object]:
    """Each goal with, per team, how it stands for each rep it applies to (those the viewer
    sees: a rep only themselves), judged as on the reps' own pages; the goals, their reps and
    their teams sorted and filtered as the request asks."""
    seen = set(visible_people(viewer).values_list("pk", flat=True))
    known = services.metric_list(services.playbook_for(org))
    per_team = []
    for report in reports:
        people = [r.person for r in report.reps if r.person.pk in seen]
        judged = services.progress_many(people, report, as_of) if goals else {}
        per_team.append((report.team, people, judged))
    cards = []
    for g in goals:
        metric = known.get(g.metric)
        card = group_goal_json(g, metric, per_team)
        for t in card["teams"]:
            t["rows"] = listing(request, ranked(t["rows"]), GOAL_REPS)
        card["teams"] = listing(request, card["teams"], GOAL_TEAMS)
        cards.append(card | {"category": metric.category if metric else None})
    return {
        "as_of": as_of,
        "goals": listing(request, cards, GROUP_GOALS),
        "metrics": list(known.values()),
        "periods": PERIOD_KINDS,
        "only_self": sees_only_self(viewer),
    }


def _reports(teams: list[Team], as_of: date) -> list[GroupReport]:
    """The teams' reports as their dashboards have them (one diagnosis of the org when many)."""
    period = Period.of(as_of)
    if len(teams) <= FEW_TEAMS:
        found = [team_report(t, period, as_of) for t in teams]
        return [r for r in found if r is not None and r.reps]
    ids = {t.pk for t in teams}
    return [r for r in org_reports(teams[0].org, period, as_of) if r.team and r.team.pk in ids]


@login_required
def team_goals(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    team = get_object_or_404(visible_teams(viewer).select_related("org", "parent"), pk=team_id)
    as_of = _as_of(request)
    goals = list(Goal.objects.filter(team=team, status=Goal.Status.ACTIVE).order_by("metric"))
    context = _group_context(request, viewer, team.org, goals, _reports([team], as_of), as_of)
    context |= {
        "team": team,
        "can_manage": can_manage_team(viewer, team),
        "members": Person.objects.filter(team=team, role=Role.REP, is_active=True).count(),
    }
    return render(request, "goals/team.html", context)


@login_required
@require_POST
def team_add(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    team = get_object_or_404(visible_teams(viewer).select_related("org"), pk=team_id)
    if not can_manage_team(viewer, team):
        raise PermissionDenied("Only the team's leader or an admin sets its goals.")
    _add_from_form(request, team.org, team=team)
    return _back_to(request, reverse("team-goals", args=[team.pk]))


@login_required
def org_goals(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    as_of = _as_of(request)
    goals = list(
        Goal.objects.filter(org=viewer.org, scope=Goal.Scope.ORG, status=Goal.Status.ACTIVE)
    )
    teams = list(
        visible_teams(viewer)
        .filter(members__role=Role.REP, members__is_active=True)
        .distinct()
        .order_by("name")
    )
    reports = _reports(teams, as_of) if goals and teams else []
    context = _group_context(request, viewer, viewer.org, goals, reports, as_of)
    team_counts = dict(
        Goal.objects.filter(team__in=visible_teams(viewer), status=Goal.Status.ACTIVE)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    context |= {
        "org": viewer.org,
        "can_manage": manages_org(viewer),
        "teams": [(t, team_counts.get(t.pk, 0)) for t in visible_teams(viewer).order_by("name")],
    }
    return render(request, "goals/org.html", context)


@login_required
@require_POST
def org_add(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not manages_org(viewer):
        raise PermissionDenied("Only an admin sets organisation goals.")
    _add_from_form(request, viewer.org)
    return _back_to(request, reverse("org-goals"))
