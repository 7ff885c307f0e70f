"""One-on-ones: a leader and a rep meet on a cadence; the rep talks, the leader drills down.

A meeting keeps what was said in parts (self-report, drill-down answers, ways recited,
commitments, talk time, notes). Private notes are a model of their own, readable only by their
author, so that no serializer or template of the meeting can leak them by accident.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class OneOnOneSeries(models.Model):
    """A leader–rep pair meeting on a cadence; it always has one upcoming meeting."""

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="one_on_one_series_led"
    )
    rep = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="one_on_one_series"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(default=0, help_text="0 = Monday … 6 = Sunday")
    time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    next_due = models.DateField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_due", "pk"]
        verbose_name_plural = "one-on-one series"
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "rep"],
                condition=Q(active=True),
                name="one_on_one_series_unique_active_pair",
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="one_on_one_series_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} ↔ {self.rep} ({self.get_cadence_display()})"


#: The access-grant source (``ninety.people.grants``) that lets a delegate read the meeting
#: they hold, until it is closed or taken back.
MEETING_GRANT = "one_on_one"


class OneOnOne(models.Model):
    """One meeting. ``held_by`` is the leader or a delegate holding it on the leader's behalf.

    ``prep`` is the prep sheet as generated when the meeting opened (plain JSON), so the page,
    the summary and the history show what was on the table that day, not today's numbers.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        # The leader no longer leads the rep (a move, a new team leader) before it was held.
        CANCELLED = "cancelled", "Cancelled"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        OneOnOneSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    leader = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="one_on_ones_led"
    )
    rep = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="one_on_ones")
    held_by = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="one_on_ones_held",
    )
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The rep's words, which the rep may write before the meeting from their own login.
    self_results = models.TextField(blank=True, help_text="Current results and projection")
    self_behaviors = models.TextField(
        blank=True, help_text="Which behaviors and processes produced them"
    )
    self_report_at = models.DateTimeField(null=True, blank=True)
    talk_rep_seconds = models.PositiveIntegerField(default=0)
    talk_leader_seconds = models.PositiveIntegerField(default=0)
    prep = models.JSONField(null=True, blank=True)
    prep_ms = models.PositiveIntegerField(null=True, blank=True)
    focus_stage = models.CharField(max_length=50, blank=True)
    focus_label = models.CharField(max_length=200, blank=True)
    focus_certainty = models.FloatField(null=True, blank=True)
    values_notes = models.TextField(blank=True)
    shared_notes = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["leader", "status", "scheduled_at"], name="one_on_one_leader_due"),
            models.Index(fields=["rep", "scheduled_at"], name="one_on_one_rep_date"),
        ]

    def __str__(self) -> str:
        return f"{self.rep} with {self.leader}, {self.scheduled_at:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def runner_id(self) -> int:
        """Who runs the meeting: the delegate when there is one, else the leader."""
        return self.held_by_id or self.leader_id

    @property
    def talk_share(self) -> float | None:
        """The rep's share of the talking time (the target: more than half)."""
        total = self.talk_rep_seconds + self.talk_leader_seconds
        return self.talk_rep_seconds / total if total else None


#: Statuses after which nothing more is written to a meeting.
CLOSED = (OneOnOne.Status.DONE, OneOnOne.Status.CANCELLED)


class DrillDownAnswer(models.Model):
    """Does this diagnostic hypothesis hold for the rep? (``holds`` None = not answered)."""

    meeting = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "playbook.DiagnosticQuestion", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    behavior_name = models.CharField(max_length=300, blank=True)
    text = models.CharField(max_length=500)
    holds = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "question"], name="drilldown_unique_question_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Recital(models.Model):
    """The rep recites the ways of one behavior; the leader ticks those recited."""

    meeting = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="recitals")
    behavior = models.ForeignKey(
        "playbook.Behavior", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    behavior_name = models.CharField(max_length=300)
    ways_total = models.PositiveSmallIntegerField()
    recited = models.ManyToManyField("playbook.Way", blank=True, related_name="+")
    proposed = models.ManyToManyField("playbook.Way", blank=True, related_name="+")
    recited_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "behavior"], name="recital_unique_behavior_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.behavior_name}: {self.recited_count}/{self.ways_total}"

    @property
    def score(self) -> float | None:
        return self.recited_count / self.ways_total if self.ways_total else None


class Commitment(models.Model):
    """What the rep commits to; whether it was kept is answered at the next meeting.

    ``experiment_id`` is a plain id rather than a foreign key: the experiments app owns its
    model, and a one-on-one must not fail to migrate or load when that app changes.
    """

    class Kind(models.TextChoices):
        BEHAVIOR_CHANGE = "behavior_change", "A behavior to change"
        PROCESS = "process", "A process to layer in"
        TASK = "task", "A task"

    meeting = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BEHAVIOR_CHANGE)
    text = models.TextField()
    behavior = models.ForeignKey(
        "playbook.Behavior", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    way = models.ForeignKey(
        "playbook.Way", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kept = models.BooleanField(null=True, blank=True)
    reviewed_in = models.ForeignKey(
        OneOnOne, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed"
    )
    experiment_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text


class PrivateNote(models.Model):
    """A note only its author ever reads: not the rep, not other leaders, not directors."""

    meeting = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="private_note_unique_author_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Private note on {self.meeting_id}"
