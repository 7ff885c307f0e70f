"""People pages: the org as the signed-in person may see it, and one person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ninety.people import timezones
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person, Role
from ninety.people.permissions import CHANGE, can, manages_org, visible_people, visible_teams
from ninety.people.queries import activity_summary, people_by_team
from ninety.people.services import set_high_potential


def viewer_of(request: HttpRequest) -> Person:
    """The signed-in Person; a login without a Person in an org gets 403."""
    person = getattr(request, "person", None)
    if person is None:
        raise PermissionDenied("Your login is not linked to a person in an org.")
    return person


PEOPLE = ListSpec(
    sorts={
        "name": Sort("Name", ("name",)),
        "role": Sort("Role", ("role", "name")),
        "email": Sort("E-mail", ("email",)),
        "high_potential": Sort("High-potential", ("high_potential", "name")),
    },
    default="name",
    search=("name", "email", "external_id"),
    filters={
        "role": Filter("Role", "role", tuple(Role.choices)),
        "team": Filter("Team", "team_id"),
        "high_potential": Filter("High-potential", "high_potential", (("True", "yes"),)),
    },
    search_label="Name or e-mail",
)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Each team's people, sorted within the team and narrowed as asked (``PEOPLE``)."""
    viewer = viewer_of(request)
    seen = visible_people(viewer).select_related("team", "team__leader")
    teams = [(t.pk, t.name) for t in visible_teams(viewer).order_by("name")]
    rows = listing(request, seen, PEOPLE, choices={"team": teams})
    groups = people_by_team(viewer, rows)
    count = len(rows)
    context = {"groups": groups, "count": count, "people": rows}
    return render(request, "people/people.html", context)


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    subject = get_object_or_404(
        visible_people(viewer).select_related("team", "team__leader", "org"), pk=person_id
    )
    context = {
        "subject": subject,
        "activity": activity_summary(subject),
        "can_change": can(viewer, CHANGE, subject),
        "led_teams": subject.led_teams.all(),
        "zone": timezones.zone_name(subject),
        "zones": timezones.zone_names() if subject.pk == viewer.pk else (),
        "org_zone": subject.org.time_zone,
        "is_admin": manages_org(viewer) and subject.pk == viewer.pk,
    }
    return render(request, "people/person.html", context)


@login_required
@require_POST
def toggle_high_potential(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    subject = get_object_or_404(visible_people(viewer), pk=person_id)
    if not can(viewer, CHANGE, subject):
        raise PermissionDenied("You may not change this person.")
    set_high_potential(subject, request.POST.get("high_potential") == "on")
    return redirect("person", person_id=subject.pk)


@login_required
@require_POST
def set_time_zone(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own zone ('' for the org's default); an admin also sets the org's."""
    viewer = viewer_of(request)
    try:
        if "org_time_zone" in request.POST:
            if not manages_org(viewer):
                raise PermissionDenied("Only an admin sets the org's default time zone.")
            timezones.set_org_zone(viewer.org, request.POST["org_time_zone"])
            messages.success(request, f"The org's default time zone is {viewer.org.time_zone}.")
        else:
            timezones.set_person_zone(viewer, request.POST.get("time_zone", ""))
            messages.success(request, f"Times now show in {timezones.zone_name(viewer)}.")
    except ValueError as exc:
        messages.error(request, f"Not changed — {exc}.")
    return redirect("person", person_id=viewer.pk)
