"""The playbook: stages -> behaviors -> ways, with diagnostic questions. Versioned."""

from __future__ import annotations

from django.db import models


class Playbook(models.Model):
    """One version of an org's sales process. Publishing a draft makes a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="playbooks")
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "version"], name="playbook_unique_version_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Stage(models.Model):
    """A step of the process; it governs one funnel step, from its entry to its exit type."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    entry_type = models.CharField(max_length=32)
    exit_type = models.CharField(max_length=32)

    class Meta:
        ordering = ["playbook", "order"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "key"], name="stage_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.entry_type} → {self.exit_type})"


class Behavior(models.Model):
    """What a rep does at a stage to move the customer on."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="behaviors")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "order"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="behavior_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Way(models.Model):
    """One concrete way to perform a behavior. Reps may propose ways; leaders approve them."""

    class Source(models.TextChoices):
        LEADER = "leader", "Leader"
        REP = "rep", "Rep"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        RETIRED = "retired", "Retired"

    behavior = models.ForeignKey(Behavior, on_delete=models.CASCADE, related_name="ways")
    key = models.SlugField(max_length=80)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LEADER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    author = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="ways"
    )
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["behavior", "order"]
        constraints = [
            models.UniqueConstraint(fields=["behavior", "key"], name="way_unique_key"),
        ]

    def __str__(self) -> str:
        return self.text


class DiagnosticQuestion(models.Model):
    """A drill-down question for a behavior ("is it tone or inflection?")."""

    behavior = models.ForeignKey(Behavior, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["behavior", "order"]

    def __str__(self) -> str:
        return self.text
