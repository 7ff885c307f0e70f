"""Activities (behavior events), deals, quotas, and the daily rollup the analytics read."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce


class ActivityType(models.TextChoices):
    """Funnel activity types. Other free types (``email``, ``note`` …) are stored as given."""

    DIAL = "dial", "Dial"
    CONNECT = "connect", "Connect"
    CONVERSATION = "conversation", "Conversation"
    MEETING = "meeting", "Meeting"
    PROPOSAL = "proposal", "Proposal"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EMAIL = "email", "Email"


class Deal(models.Model):
    """An opportunity owned by a rep."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="deals")
    # owner leads both indexes below, so it needs none of its own.
    owner = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="deals", db_index=False
    )
    account = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=50, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    #: An open deal's planned close (a CRM's "Close Date" before the deal closes): never a
    #: close, so that pace and cycle times only see deals that did close.
    expected_close_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=40, default="manual")
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source", "external_id"],
                condition=~Q(external_id=""),
                name="deal_unique_external_id_per_source",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="deal_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["owner", "closed_at"], name="deal_owner_closed"),
            # Covers the pace query (an org's open and recent deals, ~100k rows for 1,000 reps)
            # so that it reads the index alone: 0.54 s -> 0.21 s on SQLite. The id last, as
            # SQLite's indexes hold it anyway: PostgreSQL then reads the rows in the query's
            # order too (no sort; 373 -> 82 ms on the 1,000-rep org, vacuumed).
            models.Index(
                fields=["owner", "status", "opened_at", "closed_at", "value", "stage", "id"],
                name="deal_pace",
            ),
            # The org's first deal, for the period picker: MIN(opened_at) from the index alone
            # (a scan of 100k deals took 50-100 ms a page).
            models.Index(fields=["org", "opened_at"], name="deal_org_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.account or self.external_id} ({self.status})"


class Activity(models.Model):
    """One behavior event: who did what, when, and with which way."""

    # Activities are the big, append-only fact table (millions of rows, written by the importer
    # in bulk), so every index and constraint costs import speed and only what queries need is
    # kept. Foreign keys are not enforced by the database here: per-row FK checks were half of
    # PostgreSQL's COPY time. The importer writes only ids it has just resolved in the same
    # transaction, and Django's on_delete (CASCADE, SET_NULL) runs in Python either way.
    # Every read of activities goes through ActivityRollup, so the only indexes are the
    # (org, source, external_id) constraint that de-duplicates imports and a partial index for
    # a deal's activities (most activities, dials, have no deal). Deleting a person or a way
    # scans the table: rare admin actions (a person at 10M rows: see docs/import.md).
    org = models.ForeignKey(
        "people.Org",
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
        db_constraint=False,
    )
    occurred_at = models.DateTimeField()
    type = models.CharField(max_length=32)
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
        db_constraint=False,
    )
    way = models.ForeignKey(
        "playbook.Way",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
        db_constraint=False,
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=40, default="manual")
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source", "external_id"],
                condition=~Q(external_id=""),
                name="activity_unique_external_id_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["deal"], condition=Q(deal__isnull=False), name="activity_of_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.type} by {self.person_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Quota(models.Model):
    """A rep's target for one period (a calendar month, ``YYYY-MM``)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="quotas")
    period = models.CharField(max_length=7)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["person", "period"]
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="quota_unique_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_not_negative"),
            models.CheckConstraint(
                condition=Q(period__regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
                name="quota_period_is_yyyy_mm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period}: {self.amount}"


class RollupRow(models.Model):
    """What the daily and the weekly rollups share: the person and type a row counts, and its
    amounts.

    ``advanced`` counts the rows whose attempt reached the next funnel type (their outcome);
    ``pending`` the rows with no outcome (not recorded, or not resolved yet), so that a cohort
    funnel divides by the attempts whose outcome is known.
    """

    # Derived data, written in bulk by the importer on every import: foreign keys are not
    # enforced by the database (Django's on_delete still cascades).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    type = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0)
    advanced = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    duration_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ActivityRollup(RollupRow):
    """Activities per person, day, type and way: what the analytics read instead of raw rows.
    Kept up to date by the importer."""

    # The only indexes are the upsert's key, whose (person, day) prefix serves a rep's history,
    # and (day, person) for a whole org's month.
    day = models.DateField()
    way = models.ForeignKey(
        "playbook.Way",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
    )
    #: ``way_id`` or 0, kept by the database: a unique index treats NULLs as distinct, so the
    #: upsert key needs a value.
    way_key = models.GeneratedField(
        expression=Coalesce("way", 0), output_field=models.BigIntegerField(), db_persist=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day", "type", "way_key"], name="rollup_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["day", "person"], name="rollup_day_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day} {self.type}: {self.count}"


class ActivityWeekRollup(RollupRow):
    """The daily rollup summed per ISO week (``week`` is its Monday) and over ways: one row per
    person, week and type, same counts.

    An evidence window reaches 91 days back; reading its whole weeks here instead of their
    days (2.6 times fewer rows in the 1,000-rep bench org, and 4 times fewer again without a row
    per way: nothing reads a week per way) is most of what makes a whole-org diagnosis fast
    (docs/diagnosis.md). It is never written on its own: every write of :class:`ActivityRollup`
    adds the same amounts here in the same transaction (the importer, or
    :func:`ninety.activity.rollups.add_to_week`), or rebuilds the weeks it touched from the
    daily rows (:func:`ninety.activity.rollups.rebuild_weeks`), so it always equals the daily
    table grouped by week.
    """

    week = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "week", "type"], name="week_rollup_key"),
        ]
        indexes = [models.Index(fields=["week", "person"], name="week_rollup_week_person")]

    def __str__(self) -> str:
        return f"{self.person_id} week of {self.week} {self.type}: {self.count}"


class DataVersion(models.Model):
    """A token that changes whenever data an analysis reads changes (``ninety.activity.versions``):
    per org, one ``all`` scope (people, teams, deals, quotas, the org's settings) and one scope
    per month of activity days (``2026-11``), so cached reports are found by what they read."""

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=7)
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "scope"], name="data_version_one_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.scope}: {self.token}"
