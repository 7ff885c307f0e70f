"""Org, Team and Person: who is in the sales org and who leads whom."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Org(models.Model):
    """A company using Ninety. Nobody sees another org's data."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The org's default zone (an IANA name); each person may set their own.
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of people led by one leader. Teams nest: a director's team holds leaders."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    leader = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="team_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEADER = "leader", "Leader"
    REP = "rep", "Rep"


class Person(models.Model):
    """Someone in the sales org: an admin (RevOps), a leader (or director) or a rep."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    high_potential = models.BooleanField(default=False)
    external_id = models.CharField(max_length=100, blank=True)
    hired_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    time_zone = models.CharField(
        max_length=64, blank=True, default="", db_default=""
    )  # blank: org default

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "external_id"],
                condition=~Q(external_id=""),
                name="person_unique_external_id_per_org",
            ),
        ]
        indexes = [models.Index(fields=["org", "email"], name="person_org_email")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def manager(self) -> Person | None:
        """The person this one reports to: the leader of the team they belong to."""
        if self.team is None or self.team.leader_id == self.pk:
            return None
        return self.team.leader


class AccessGrant(models.Model):
    """Time-limited access one person has to another's records, outside the team lines.

    Feature apps create and end grants (a delegation's coachee, a one-on-one held by a delegate);
    the permission gate only reads them, so it needs no feature app. ``source`` and
    ``source_id`` name what granted the access; ``sees_person`` says whether the grant opens the
    subject's pages (a coaching delegation) or only the granting record itself (a held meeting).
    """

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="access_grants")
    grantee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants_held")
    subject = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants_about")
    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    sees_person = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["grantee", "source"], name="grant_grantee_source"),
            models.Index(fields=["source", "source_id"], name="grant_source"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "grantee"],
                condition=Q(ended_at__isnull=True),
                name="grant_one_live_per_source_and_grantee",
            ),
        ]

    def __str__(self) -> str:
        state = "ended" if self.ended_at else "live"
        return f"{self.grantee} → {self.subject} ({self.source} #{self.source_id}, {state})"


class Invitation(models.Model):
    """A one-time link where an imported person chooses their password (``people.invitations``).

    Only the SHA-256 of the link's random token is stored: the link is shown (and e-mailed)
    once, when the admin creates it. It is *pending* until used, revoked or past
    ``expires_at``; a new invitation for the same person revokes the pending one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        USED = "used", "used"
        EXPIRED = "expired", "expired"
        REVOKED = "revoked", "revoked"

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "created_at"], name="invitation_org_created")]

    def __str__(self) -> str:
        return f"invitation of {self.person} ({self.status()})"

    def status(self, now: datetime | None = None) -> str:
        if self.used_at is not None:
            return self.Status.USED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING
