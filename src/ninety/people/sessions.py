"""Sign-in hygiene: sessions end after idle time, the lockout keys on the real client address.

- :class:`IdleTimeoutMiddleware`: a session unused for ``NINETY_SESSION_IDLE_MINUTES`` (default
  60) is signed out; sessions also end ``SESSION_COOKIE_AGE`` after sign-in whatever the use
  (12 hours). The last-seen time is written at most once every few minutes, so an ordinary
  request does not write to the session table.
- :func:`client_ip`: the address django-axes locks on. Behind ``NINETY_TRUSTED_PROXIES`` proxies
  (default 0) it is the address the outermost trusted proxy saw, read from the right of
  ``X-Forwarded-For``, which a client cannot forge; with none, the socket's address.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

LAST_SEEN = "ninety_last_seen"
#: Write the last-seen time only when it is older than this (seconds).
TOUCH_EVERY = 300


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Authorization" not in request.headers:
            now = time.time()
            seen = request.session.get(LAST_SEEN)
            idle = settings.NINETY_SESSION_IDLE_MINUTES * 60
            if seen is not None and now - float(seen) > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return HttpResponse(status=401)
                messages.info(request, "You were signed out after a while without activity.")
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if seen is None or now - float(seen) > TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _seen_at_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    # Signing in counts as activity: the first request after it need not write the session.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = time.time()


def client_ip(request: HttpRequest) -> str:
    """The client's address for the login lockout (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NINETY_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a] + [remote]
    # chain[-1] is the nearest proxy; each trusted proxy appended the address it saw.
    return chain[-1 - proxies] if len(chain) > proxies else chain[0]
