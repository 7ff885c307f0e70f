"""Create, check and revoke personal access tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from ninety.api.models import PersonalAccessToken
from ninety.people.models import Person

TOKEN_PREFIX = "nty_"


def hash_token(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 cannot be brute-forced at that entropy,
    # and a fast hash keeps every API request cheap.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, name: str) -> tuple[PersonalAccessToken, str]:
    """Make a token for ``person``; returns the stored record and the plain token (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = PersonalAccessToken.objects.create(
        person=person, name=name, prefix=token[:12], token_hash=hash_token(token)
    )
    return record, token


def person_for_token(token: str) -> Person | None:
    """The active person a token belongs to, or None (unknown, revoked, inactive)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = (
        PersonalAccessToken.objects.select_related("person", "person__org")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if record is None:
        return None
    PersonalAccessToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.person


def revoke_token(person: Person, token_id: int) -> bool:
    """Revoke one of ``person``'s own tokens; False when it is not theirs."""
    updated = PersonalAccessToken.objects.filter(
        pk=token_id, person=person, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return updated == 1
