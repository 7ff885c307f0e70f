"""One import run: what was read from which file, and what became of it."""

from __future__ import annotations

from django.db import models


class ImportBatch(models.Model):
    """A file (or API payload) imported into an org.

    The counts are updated in the same transaction as each chunk of rows they describe, so a
    batch never claims more than the database holds; an import killed half-way stays ``running``
    and is marked ``interrupted`` when the same content is imported again.
    """

    class Kind(models.TextChoices):
        PEOPLE = "people", "People"
        ACTIVITIES = "activities", "Activities"
        DEALS = "deals", "Deals"
        QUOTAS = "quotas", "Quotas"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"
        DRY_RUN = "dry_run", "Dry run"
        CANCELLED = "cancelled", "Cancelled"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=40, default="import")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejects_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    #: A background import (the page, the API): the upload to read (deleted when done), what
    #: was asked (preset, mapping, strict), how far the reading is, and a cancel request.
    upload_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    bytes_read = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["org", "sha256"], name="importbatch_org_sha")]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.kind} from {self.file_name} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return 100
        return min(99, int(100 * self.bytes_read / self.bytes_total)) if self.bytes_total else 0
