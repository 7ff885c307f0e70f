"""API authentication: a personal access token (Bearer) or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ninety.api.services import person_for_token
from ninety.people.middleware import current_person


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = person_for_token(token)
        if person is not None:
            request.person = person  # type: ignore[attr-defined]
        return person


class PersonSessionAuth(SessionAuth):
    """The signed-in browser user, when they are a Person of an org."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if not user:
            return None
        person = current_person(request)
        if person is not None:
            request.person = person  # type: ignore[attr-defined]
        return person


API_AUTH = [TokenAuth(), PersonSessionAuth()]
