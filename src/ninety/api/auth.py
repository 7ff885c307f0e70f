"""API authentication: a personal access token (Bearer) or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from ninety.api.services import person_for_token
from ninety.people.middleware import current_person


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if header and header.split(" ")[0].lower() != self.openapi_scheme:
            raise AuthenticationError()  # Basic, Token …: not ours, and not a session either
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = person_for_token(token)
        if person is None:
            # A request that brings a bearer token is judged by it alone: a bad token is a 401,
            # never a fall-through to the session (whose CSRF check would answer 403).
            raise AuthenticationError()
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
