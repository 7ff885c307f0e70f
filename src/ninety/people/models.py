"""Org, Team and Person: who is in the sales org and who leads whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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
