from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ninety.people.models import Person


class CurrentPersonMiddleware:
    """Puts the signed-in user's Person (or None) on ``request.person``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.person = current_person(request)  # type: ignore[attr-defined]
        return self.get_response(request)


def current_person(request: HttpRequest) -> Person | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.select_related("org", "team").filter(user=user, is_active=True).first()
