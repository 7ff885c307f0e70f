"""Notifications (the in-app inbox and its e-mails), each person's choices, calendar feeds.

A notification is written once per recipient and idempotency key (``key``: the event and the
object, e.g. ``self_report_written:one_on_one:42``), so an event seen twice (a retried task, a
periodic check run every hour) never reaches anyone twice.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    SELF_REPORT_DUE = "self_report_due", "Self-report due"
    SELF_REPORT_WRITTEN = "self_report_written", "Self-report written"
    ONE_ON_ONE_TOMORROW = "one_on_one_tomorrow", "One-on-one tomorrow"
    DELEGATE_REPORTED = "delegate_reported", "Delegate reported back"
    DELEGATION_OVERDUE = "delegation_overdue", "Delegation overdue"
    EXPERIMENT_VERDICT = "experiment_verdict", "Experiment reached a verdict"
    WAY_PROPOSED = "way_proposed", "Way proposed"
    WAY_DECIDED = "way_decided", "Way approved or declined"
    IMPORT_FINISHED = "import_finished", "Import finished"
    IMPORT_FAILED = "import_failed", "Import failed"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "Inbox and e-mail at once"
    DIGEST = "digest", "Inbox and the daily digest e-mail"
    INBOX = "inbox", "Inbox only"
    OFF = "off", "Off"


#: What a person gets before they choose: the things that need an answer now come at once;
#: reminders and the playbook's news wait for the morning digest.
DEFAULT_MODES: dict[str, str] = {
    Kind.SELF_REPORT_DUE: Mode.IMMEDIATE,
    Kind.SELF_REPORT_WRITTEN: Mode.IMMEDIATE,
    Kind.ONE_ON_ONE_TOMORROW: Mode.DIGEST,
    Kind.DELEGATE_REPORTED: Mode.IMMEDIATE,
    Kind.DELEGATION_OVERDUE: Mode.DIGEST,
    Kind.EXPERIMENT_VERDICT: Mode.IMMEDIATE,
    Kind.WAY_PROPOSED: Mode.DIGEST,
    Kind.WAY_DECIDED: Mode.DIGEST,
    Kind.IMPORT_FINISHED: Mode.INBOX,
    Kind.IMPORT_FAILED: Mode.IMMEDIATE,
}


class Notification(models.Model):
    """One message to one person. ``delivery`` is the mode chosen when it was written;
    ``emailed_at`` is set once its e-mail (alone or in a digest) went out, or once it was
    dropped from a digest because it is no longer the recipient's to read."""

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=10, choices=Mode.choices)
    # Whom it is about: read again at each look, so it leaves the inbox of someone who no
    # longer sees one of them (a rep moved to another team).
    about = models.ManyToManyField("people.Person", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["delivery", "emailed_at"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


class Preference(models.Model):
    """A person's choice for one kind (no row: :data:`DEFAULT_MODES`)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="preference_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind} → {self.mode}"


class CalendarFeed(models.Model):
    """A person's calendar subscription. The secret is kept only as its SHA-256; the address is
    shown once, when it is made or reset; a reset or a revoke ends the old address at once."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"
