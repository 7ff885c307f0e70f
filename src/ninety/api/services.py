"""Create, check and revoke personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ninety.api.models import PersonalAccessToken
from ninety.people.models import Person

TOKEN_PREFIX = "nty_"


def hash_token(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 cannot be brute-forced at that entropy,
    # and a fast hash keeps every API request cheap.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, name: str) -> tuple[PersonalAccessToken, str]:
    """Make a token for ``person``; returns the stored record and the plain token (shown once).

    It expires after ``NINETY_TOKEN_DAYS`` days and ends with the login: a deactivated or
    deleted user, or a changed password.
    """
    if person.user is None:
        raise ValueError(f"{person} has no login: a token acts as a login")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = PersonalAccessToken.objects.create(
        person=person,
        name=name,
        prefix=token[:12],
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.NINETY_TOKEN_DAYS),
        login_hash=person.user.get_session_auth_hash(),
    )
    return record, token


def person_for_token(token: str) -> Person | None:
    """The person a live token acts as, or None.

    Not live: unknown, revoked, expired, its person inactive, its login deactivated or deleted,
    or the login's password changed since the token was made.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    record = (
        PersonalAccessToken.objects.select_related("person", "person__org", "person__user")
        .filter(
            token_hash=hash_token(token),
            revoked_at__isnull=True,
            expires_at__gt=now,
            person__is_active=True,
            person__user__is_active=True,
        )
        .first()
    )
    if record is None:
        return None
    user = record.person.user
    if user is None or not constant_time_compare(record.login_hash, user.get_session_auth_hash()):
        return None
    PersonalAccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.person


def revoke_token(person: Person, token_id: int) -> bool:
    """Revoke one of ``person``'s own tokens; False when it is not theirs."""
    updated = PersonalAccessToken.objects.filter(
        pk=token_id, person=person, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return updated == 1
