"""Tactical tasks, their delegation with expectations, and where a leader's time goes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ninety.core import attention


class TaskCategory(models.TextChoices):
    REVIEWING_REPORTS = "reviewing_reports", "Reviewing reports"
    SCHEDULING = "scheduling", "Scheduling"
    ONE_ON_ONES = "one_on_ones", "One-on-ones"
    TRAINING = "training", "Training"
    EMPLOYEE_CONCERNS = "employee_concerns", "Employee concerns"
    COACHING = "coaching", "Coaching"
    CUSTOM = "custom", "Custom"


# Categories where the leader must say which behaviors and process steps the session is about.
NEEDS_EXPECTATIONS = (TaskCategory.COACHING, TaskCategory.ONE_ON_ONES)


class Recurrence(models.TextChoices):
    NONE = "", "Once"
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class TacticalTask(models.Model):
    """A piece of tactical work a leader owns: do it, or hand it to someone else."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DELEGATED = "delegated", "Delegated"
        DONE = "done", "Done"
        REVIEWED = "reviewed", "Reviewed"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="tactical_tasks")
    owner = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="tactical_tasks"
    )
    category = models.CharField(max_length=20, choices=TaskCategory.choices)
    title = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, blank=True)
    estimated_minutes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due", "title"]
        indexes = [models.Index(fields=["owner", "status"], name="task_owner_status")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.DELEGATED)

    @property
    def needs_expectations(self) -> bool:
        return self.category in NEEDS_EXPECTATIONS


#: The access-grant source (``ninety.people.grants``) that lets a delegate see the coachee.
DELEGATION_GRANT = "delegation"


class Delegation(models.Model):
    """A task handed to another leader or a high-potential rep, with explicit expectations.

    Lifecycle: ``open`` (the delegate is doing it; only now may they see the coachee) →
    ``reported`` (the delegate recorded the outcome) → ``reviewed`` (the leader read it), or
    ``cancelled``.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPORTED = "reported", "Outcome reported"
        REVIEWED = "reviewed", "Reviewed"
        CANCELLED = "cancelled", "Cancelled"

    task = models.ForeignKey(TacticalTask, on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="delegations_received"
    )
    delegated_by = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="delegations_given"
    )
    coachee = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delegated_sessions",
    )
    focus_stage = models.ForeignKey(
        "playbook.Stage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    behaviors = models.ManyToManyField("playbook.Behavior", blank=True, related_name="+")
    process_steps = models.TextField(blank=True, help_text="One process step per line.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome_notes = models.TextField(blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["delegate", "status"], name="delegation_delegate_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status__in=["open", "reported"]),
                name="delegation_one_active_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.delegate}"

    @property
    def steps(self) -> list[str]:
        return [s.strip() for s in self.process_steps.splitlines() if s.strip()]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly"
    NOT_OBSERVED = "not_observed", "Not observed"


class ExpectationRating(models.Model):
    """The delegate's rating of one expectation: a playbook behavior or a process step."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="ratings")
    behavior = models.ForeignKey(
        "playbook.Behavior", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.CharField(max_length=300, blank=True)
    rating = models.CharField(max_length=12, choices=Rating.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delegation", "id"]

    def __str__(self) -> str:
        return f"{self.behavior or self.step}: {self.rating}"

    @property
    def label(self) -> str:
        return self.behavior.name if self.behavior_id else self.step  # type: ignore[union-attr]


class AttentionCategory(models.TextChoices):
    BEHAVIOR = attention.BEHAVIOR, "Behavior & process"
    RESULTS = attention.RESULTS, "Results"
    TACTICAL = attention.TACTICAL, "Tactical"


class TimeEntry(models.Model):
    """A block of a leader's time, typed in or imported from their calendar."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        CALENDAR = "calendar", "Calendar"

    leader = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="time")
    start = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=AttentionCategory.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    title = models.CharField(max_length=300, blank=True)
    recurring = models.BooleanField(default=False)
    external_uid = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time entries"
        indexes = [models.Index(fields=["leader", "start"], name="time_leader_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "external_uid"],
                condition=~Q(external_uid=""),
                name="time_unique_calendar_occurrence",
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="time_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title or '(no title)'} {self.start:%Y-%m-%d %H:%M} {self.minutes} min"


class CalendarRule(models.Model):
    """Map calendar events to an attention category (a leader's own, or the org's)."""

    class Target(models.TextChoices):
        BEHAVIOR = attention.BEHAVIOR, "Behavior & process"
        RESULTS = attention.RESULTS, "Results"
        TACTICAL = attention.TACTICAL, "Tactical"
        SKIP = attention.SKIP, "Not counted"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="calendar_rules")
    leader = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_rules",
        help_text="Empty: the rule applies to every leader of the org.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    title_pattern = models.CharField(max_length=200, blank=True)
    calendar_category = models.CharField(max_length=100, blank=True)
    attendee = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=Target.choices)
    all_day_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        parts = []
        if self.title_pattern:
            parts.append(attention.pattern_in_words(self.title_pattern))
        if self.calendar_category:
            parts.append(f"calendar category is “{self.calendar_category}”")
        if self.attendee:
            parts.append(f"an attendee’s address contains “{self.attendee}”")
        return " and ".join(parts) or "every event"

    def as_rule(self) -> attention.Rule:
        return attention.Rule(
            category=self.category,
            title=self.title_pattern,
            calendar_category=self.calendar_category,
            attendee=self.attendee,
            all_day_minutes=self.all_day_minutes,
            name=f"rule #{self.pk}",
        )
