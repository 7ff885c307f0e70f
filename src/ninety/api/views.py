"""The Tokens page: create and revoke personal access tokens for the API."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ninety.api.models import PersonalAccessToken
from ninety.api.services import create_token, revoke_token
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.views import viewer_of

STATUSES = (("active", "active"), ("expired", "expired"), ("revoked", "revoked"))
TOKENS = ListSpec(
    sorts={
        "name": Sort("Name", ("name", "created_at")),
        "created": Sort("Created", ("created_at",)),
        "used": Sort("Last used", ("last_used_at", "created_at")),
        "expires": Sort("Expires", ("expires_at", "created_at")),
        "status": Sort("Status", ("status", "created_at")),
    },
    default="-created",
    search=("name", "prefix"),
    filters={"status": Filter("Status", "status", STATUSES)},
    search_label="Name",
)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'CRM sync'.")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_token = create_token(viewer, form.cleaned_data["name"])
        form = TokenForm()
    # Rows, not a queryset: the status is the model's, read at this moment.
    items = listing(request, list(PersonalAccessToken.objects.filter(person=viewer)), TOKENS)
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": items,
            "new_token": new_token,
            "token_days": settings.NINETY_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not revoke_token(viewer_of(request), token_id):
        raise Http404("No such token.")
    messages.success(request, "Token revoked.")
    return redirect("tokens")
