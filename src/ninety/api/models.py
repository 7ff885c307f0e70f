"""Personal access tokens for the REST API. Only a SHA-256 hash of each token is stored."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class PersonalAccessToken(models.Model):
    """A bearer token that acts as its person. Shown once at creation, stored hashed."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The login's session hash when the token was made (an HMAC of the password hash): a changed
    # password changes it, and every token made before stops answering.
    login_hash = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now: datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active``: what the token answers now."""
        if self.revoked_at is not None:
            return "revoked"
        # No expiry answers nothing either (``services.person_for_token`` wants a future one).
        if self.expires_at is None or self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"
