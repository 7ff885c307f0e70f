"""Behavior experiments: a change in behavior by some reps from a date, and its running verdict."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

#: Metrics other than a stage conversion (whose metric is the stage key, e.g. ``conversation``).
VOLUME = "volume"
DEAL_SIZE = "deal_size"
RESULT = "result"
NON_STAGE_METRICS = (VOLUME, DEAL_SIZE, RESULT)


class Experiment(models.Model):
    """A hypothesis tested on real activity: subjects change a behavior (or a way) from ``start``.

    ``metric`` is a stage key of the org's playbook (its conversion, entry → exit), ``volume``
    (first-stage activities per business day), ``deal_size`` (won deal values) or ``result``
    (won value per business day). The control is the people in ``control``; empty means "the
    rest of the subjects' teams over the same dates", resolved at each analysis.

    ``verdict``, ``sentence``, ``p_improved`` and ``effect`` cache the latest analysis
    (``refresh_running`` after each import) so that list pages do not recompute.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        CONCLUDED = "concluded", "Concluded"

    class Conclusion(models.TextChoices):
        PROMOTE_WAY = "promote_way", "Promote the way (first in the playbook)"
        RETIRE_WAY = "retire_way", "Retire the way"
        KEEP = "keep", "Keep the change"
        NONE = "none", "No change to the process"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="experiments")
    created_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    hypothesis = models.TextField()
    subjects = models.ManyToManyField("people.Person", related_name="experiments")
    control = models.ManyToManyField(
        "people.Person", blank=True, related_name="control_experiments"
    )
    behavior = models.ForeignKey(
        "playbook.Behavior", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    way = models.ForeignKey(
        "playbook.Way", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metric = models.CharField(max_length=50)
    start = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    conclusion = models.CharField(max_length=12, choices=Conclusion.choices, blank=True)
    outcome = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it came from: e.g. a one-on-one commitment's id, and words for people.
    source_id = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    # The latest analysis (a cache; the truth is recomputed from the rollups on the page).
    verdict = models.CharField(max_length=30, blank=True)
    sentence = models.TextField(blank=True)
    p_improved = models.FloatField(null=True, blank=True)
    effect = models.FloatField(null=True, blank=True)
    analysed_as_of = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("start")),
                name="experiment_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status="running", conclusion="")
                | Q(status="concluded") & ~Q(conclusion=""),
                name="experiment_concluded_has_conclusion",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="experiment_org_status")]

    def __str__(self) -> str:
        return f"Experiment {self.pk}: {self.hypothesis[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("experiment", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING
