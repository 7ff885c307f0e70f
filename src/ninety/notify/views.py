"""The inbox (``/inbox/``), each person's notification choices and calendar feed
(``/inbox/settings/``). Everyone reads only their own: every query filters on the viewer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ninety.notify import services
from ninety.notify.models import CalendarFeed, Kind, Mode
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.views import viewer_of

PAGE_SIZE = 50


INBOX = ListSpec(
    sorts={"when": Sort("Date", ("created_at",)), "kind": Sort("Kind", ("kind", "created_at"))},
    default="-when",
    search=("title", "body"),
    filters={
        "show": Filter("Show", "read_at__isnull", (("unread", "Unread"),), {"unread": True}),
        "kind": Filter("Kind", "kind", tuple(Kind.choices)),
    },
    search_label="Words",
)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    rows = listing(request, services.inbox_of(viewer), INBOX)
    page = Paginator(rows.items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": rows, "unread": services.unread_count(viewer)}
    return render(request, "notify/inbox.html", context)


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read and go to its page (a path Ninety wrote itself, never an outside link)."""
    viewer = viewer_of(request)
    n = services.inbox_of(viewer).filter(pk=notification_id).first()
    if n is None:
        raise Http404("No such notification in your inbox.")
    services.mark_read(viewer, n.pk)
    target = n.url if n.url.startswith("/") and not n.url.startswith("//") else reverse("inbox")
    return redirect(target)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(viewer_of(request))
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("inbox")


class PreferencesForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args: object, initial_modes: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Mode.choices, initial=initial_modes[kind]
            )


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    form = PreferencesForm(request.POST or None, initial_modes=services.modes_for(viewer))
    if request.method == "POST" and form.is_valid():
        services.set_modes(viewer, form.cleaned_data)
        messages.success(request, "Your notification choices are saved.")
        return redirect("inbox-settings")
    return _settings(request, form)


def _settings(
    request: HttpRequest, form: PreferencesForm | None = None, feed_url: str = ""
) -> HttpResponse:
    viewer = viewer_of(request)
    form = form or PreferencesForm(initial_modes=services.modes_for(viewer))
    return render(
        request,
        "notify/settings.html",
        {"form": form, "feed": CalendarFeed.objects.filter(person=viewer).first(),
         "feed_url": feed_url},
    )  # fmt: skip


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    """A new secret address for the viewer's calendar feed, shown once (the old one stops)."""
    token = services.reset_feed(viewer_of(request))
    url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))
    return _settings(request, feed_url=url)


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    if services.revoke_feed(viewer_of(request)):
        messages.success(request, "Your calendar feed is turned off; its address no longer works.")
    return redirect("inbox-settings")
