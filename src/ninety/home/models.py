"""What the pages composed of several apps keep: the director's view's diagnosis of every team
(a snapshot of :func:`ninety.diagnosis.services.org_reports`, so the page reads it in
milliseconds and recomputes only when the data it was read from changed)."""

from __future__ import annotations

from django.db import models


class TeamsSnapshot(models.Model):
    """Every team's stage rates and focus for one org, period and day, with the fingerprint of
    the data it was computed from (imports, people and teams, the playbook)."""

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    as_of = models.DateField()
    fingerprint = models.CharField(max_length=200)
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)
    compute_ms = models.PositiveIntegerField(default=0)
    #: The fingerprint a recomputation was queued for (so one is queued once, not per request).
    pending = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "period", "as_of"], name="teams_snapshot_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Teams of {self.org_id}, {self.period} as of {self.as_of}"
