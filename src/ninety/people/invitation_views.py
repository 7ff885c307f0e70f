"""The org admin's invitations page, and the invitation link where a person chooses a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ninety.people import invitations
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Invitation, Person, Role
from ninety.people.permissions import can_manage_invitations, visible_people
from ninety.people.views import viewer_of

SHOWN = 200

#: Who cannot sign in yet (``people_`` parameters: the page has a second list).
WITHOUT_LOGIN = ListSpec(
    sorts={
        "name": Sort("Name", ("name",)),
        "role": Sort("Role", ("role", "name")),
        "team": Sort("Team", ("team__name", "name")),
        "email": Sort("E-mail", ("email", "name")),
    },
    default="name",
    search=("name", "email"),
    filters={"role": Filter("Role", "role", tuple(Role.choices))},
    prefix="people_",
    search_label="Name or e-mail",
)
#: Every invitation (rows: the status is the model's, read at this moment).
RECORDS = ListSpec(
    sorts={
        "person": Sort("Person", ("person.name", "created_at")),
        "status": Sort("Status", ("status", "created_at")),
        "created": Sort("Created", ("created_at",)),
        "by": Sort("By", ("created_by.name", "created_at")),
        "expires": Sort("Expires", ("expires_at", "created_at")),
        "used": Sort("Used", ("used_at", "created_at")),
    },
    default="-created",
    search=("person.name", "sent_to"),
    filters={"status": Filter("Status", "status", tuple(Invitation.Status.choices))},
    search_label="Person",
)


def _admin_of(request: HttpRequest) -> Person:
    viewer = viewer_of(request)
    if not can_manage_invitations(viewer):
        raise PermissionDenied("Invitations are for the org's admins.")
    return viewer


def _page(request: HttpRequest, viewer: Person, new: dict | None = None) -> HttpResponse:
    records = list(
        Invitation.objects.filter(org=viewer.org).select_related("person", "created_by")[:SHOWN]
    )
    context = {
        "people": listing(request, invitations.without_login(viewer.org), WITHOUT_LOGIN),
        "pending_ids": set(invitations.pending(viewer.org).values_list("person_id", flat=True)),
        "records": listing(request, records, RECORDS),
        "new": new,
        "mail": invitations.mail_configured(),
        "days": invitations.INVITATION_DAYS,
    }
    return render(request, "people/invitations.html", context)


@login_required
@never_cache
def invitations_page(request: HttpRequest) -> HttpResponse:
    """Who cannot sign in yet, and every invitation: pending, used, expired or revoked."""
    return _page(request, _admin_of(request))


@login_required
@require_POST
@never_cache
def create(request: HttpRequest) -> HttpResponse:
    """Invite one person: the page shows the new link once (and e-mails it when it can)."""
    viewer = _admin_of(request)
    person_id = request.POST.get("person", "")
    if not person_id.isdigit():
        raise Http404("No such person.")
    person = get_object_or_404(visible_people(viewer), pk=int(person_id), is_active=True)
    if person.user is not None and person.user.has_usable_password():
        messages.info(request, f"{person.name} can sign in already.")
        return redirect("invitations")
    record, path = invitations.invite(person, by=viewer)
    link = request.build_absolute_uri(path)
    mailed = invitations.send_invitation(record, link)
    return _page(request, viewer, {"person": person, "link": link, "mailed": mailed})


@login_required
@require_POST
def revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    viewer = _admin_of(request)
    if not invitations.revoke(viewer.org, invitation_id):
        raise Http404("No such pending invitation.")
    messages.success(request, "Invitation revoked: its link no longer works.")
    return redirect("invitations")


@never_cache
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: choose a password, then signed in (works once)."""
    record = invitations.for_token(token)
    if record is None:
        return render(request, "registration/invitation.html", {"validlink": False})
    user = record.person.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False)
        if invitations.accept(record, form.user):
            login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
        return render(request, "registration/invitation.html", {"validlink": False})
    return render(request, "registration/invitation.html", {"validlink": True, "form": form})
