from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ninety.people.models import Person
from ninety.people.timezones import zone_of


class CurrentPersonMiddleware:
    """Puts the signed-in user's Person (or None) on ``request.person``, and shows times in
    their zone (their own, else their org's default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = current_person(request)
        request.person = person  # type: ignore[attr-defined]
        if person is None:
            return self.get_response(request)
        timezone.activate(zone_of(person))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def current_person(request: HttpRequest) -> Person | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.select_related("org", "team").filter(user=user, is_active=True).first()
