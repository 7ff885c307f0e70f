"""Behavior goals (a target on one metric, for a rep, a team or the org) and each team's
scorecard weights. The metrics and how progress is judged are in ``ninety.core.goals``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Goal(models.Model):
    class Scope(models.TextChoices):
        REP = "rep", "Rep"
        TEAM = "team", "Team"
        ORG = "org", "Organisation"

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    class PeriodKind(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=4, choices=Scope.choices, default=Scope.REP)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="goals"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="goals"
    )
    #: A key of ``ninety.core.goals.metrics`` (``volume``, ``stage:greeting``, ``recital`` …).
    metric = models.CharField(max_length=80)
    higher_is_better = models.BooleanField(default=True)
    #: In the metric's own units: a share as 0..1, a volume per business day, a count.
    target = models.FloatField()
    period_kind = models.CharField(
        max_length=5, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    #: Why this target (for a suggestion: where the number came from).
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "metric", "pk"]
        indexes = [models.Index(fields=["org", "status"], name="goal_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="rep", person__isnull=False, team__isnull=True)
                    | Q(scope="team", person__isnull=True, team__isnull=False)
                    | Q(scope="org", person__isnull=True, team__isnull=True)
                ),
                name="goal_scope_names_its_owner",
            )
        ]

    def __str__(self) -> str:
        owner = self.person or self.team or "org"
        return f"{self.metric} {'≥' if self.higher_is_better else '≤'} {self.target} ({owner})"


class ScorecardWeights(models.Model):
    """A team's weights of behavior & process goals and result goals (default 90/10)."""

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="scorecard_weights"
    )
    behavior = models.FloatField(default=0.9)
    result = models.FloatField(default=0.1)

    def __str__(self) -> str:
        return f"{self.team}: {self.behavior:.0%} behavior, {self.result:.0%} result"
