"""What an org's backup holds: each table, how its rows belong to the org, and how a value is
written to and read from a JSON Lines file.

Tables are listed parents first, so that a restore can check every reference against rows it
has already read; a reference to a table further down (a team's leader) is filled in once
every table is in. A test checks that every model of Ninety is listed here or in ``LEFT_OUT``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

#: The tables of one org, parents first: (model label, path from a row to its org).
ORG_TABLES: tuple[tuple[str, str], ...] = (
    ("auth.User", "person__org"),
    ("people.Org", "pk"),
    ("people.Team", "org"),
    ("people.Person", "org"),
    ("people.AccessGrant", "org"),
    ("playbook.Playbook", "org"),
    ("playbook.Stage", "playbook__org"),
    ("playbook.Behavior", "stage__playbook__org"),
    ("playbook.Way", "behavior__stage__playbook__org"),
    ("playbook.DiagnosticQuestion", "behavior__stage__playbook__org"),
    ("activity.Deal", "org"),
    ("activity.Activity", "org"),
    ("activity.Quota", "person__org"),
    ("activity.ActivityRollup", "person__org"),
    ("ingest.ImportBatch", "org"),
    ("experiments.Experiment", "org"),
    ("coaching.OneOnOneSeries", "org"),
    ("coaching.OneOnOne", "org"),
    ("coaching.DrillDownAnswer", "meeting__org"),
    ("coaching.Recital", "meeting__org"),
    ("coaching.Commitment", "meeting__org"),
    ("coaching.PrivateNote", "meeting__org"),
    ("delegation.TacticalTask", "org"),
    ("delegation.Delegation", "task__org"),
    ("delegation.ExpectationRating", "delegation__task__org"),
    ("delegation.TimeEntry", "leader__org"),
    ("delegation.CalendarRule", "org"),
    ("goals.Goal", "org"),
    ("goals.ScorecardWeights", "team__org"),
    ("notify.Notification", "org"),
    ("notify.Preference", "person__org"),
    # The org's audit log (``home.audit.org_entries`` picks the rows).
    ("auditlog.LogEntry", ""),
)

#: Models deliberately not in a backup, and why (docs/backup.md says the same).
LEFT_OUT: dict[str, str] = {
    "conversations.Conversation": "not yet in the backup: re-import the transcript files",
    "conversations.Turn": "not yet in the backup: re-import the transcript files",
    "api.PersonalAccessToken": "credentials: make new tokens after a restore",
    "people.Invitation": "one-time sign-up links: invite again after a restore",
    "notify.CalendarFeed": "a secret address: each person makes a new one after a restore",
    "home.TeamsSnapshot": "a cache of the overview, recomputed when it is read",
    "activity.DataVersion": "the report cache's keys: a restore starts new ones",
    "activity.ActivityWeekRollup": "the daily rollup summed per week: a restore rebuilds it",
    "sessions.Session": "sign-ins: everyone signs in again",
    "axes.AccessAttempt": "failed sign-ins of this instance",
    "axes.AccessFailureLog": "failed sign-ins of this instance",
    "axes.AccessLog": "sign-ins of this instance",
    "axes.AccessAttemptExpiration": "failed sign-ins of this instance",
    "django_tasks_database.DBTaskResult": "the queue of background jobs",
    "admin.LogEntry": "the operators' Django admin log, not the org's",
    "auth.Group": "not used by org logins",
    "auth.Permission": "Django's own, made by migrate",
    "contenttypes.ContentType": "Django's own, made by migrate (referred to by name)",
}

PRIVATE_NOTES = "coaching.PrivateNote"
USERS = "auth.User"
AUDIT = "auditlog.LogEntry"

#: Plain ids that name a row of another table without a foreign key: (table, column) -> a
#: function of the row giving the label of the table the id is in (None: not a known row).
SOFT_REFERENCES: dict[tuple[str, str], Callable[[dict[str, Any]], str | None]] = {
    ("people.AccessGrant", "source_id"): lambda row: {
        "delegation": "delegation.Delegation",
        "one_on_one": "coaching.OneOnOne",
    }.get(row["source"]),
    ("experiments.Experiment", "source_id"): lambda row: "coaching.Commitment",
    ("coaching.Commitment", "experiment_id"): lambda row: "experiments.Experiment",
    ("auditlog.LogEntry", "object_id"): lambda row: row["content_type_id"],
}


@dataclass(frozen=True)
class Table:
    """One file of a backup: a model, or the link table of a many-to-many field."""

    label: str
    model: type[models.Model]
    org_path: str
    #: A link table's rows have no id worth keeping; they are ordered by their two columns.
    is_link: bool = False

    @property
    def file_name(self) -> str:
        return self.label.lower() + ".jsonl"

    def fields(self) -> list[models.Field]:  # type: ignore[type-arg]
        """The columns written: every stored field except those the database computes."""
        return self._fields

    @cached_property
    def _fields(self) -> list[models.Field]:  # type: ignore[type-arg]
        fields = [f for f in self.model._meta.concrete_fields if not f.generated]
        return [f for f in fields if not (self.is_link and f.primary_key)]

    def references(self) -> dict[str, str]:
        """Column -> label of the table its foreign key points to."""
        return self._references

    @cached_property
    def _references(self) -> dict[str, str]:
        return {
            f.attname: f.related_model._meta.label
            for f in self.fields()
            if f.is_relation and f.related_model is not ContentType
        }

    @cached_property
    def encoders(self) -> list[tuple[str, Callable[[Any], Any] | None]]:
        """Each column and the function that writes its value (None: written as it is)."""
        return [(f.attname, encoder(f)) for f in self.fields()]


def backup_tables() -> list[Table]:
    """Every table of an org's backup, parents first; each model's link tables follow it."""
    tables: list[Table] = []
    for label, path in ORG_TABLES:
        model = apps.get_model(label)
        tables.append(Table(label, model, path))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created and m2m.related_model._meta.label in dict(ORG_TABLES):
                tables.append(Table(through._meta.label, through, "", is_link=True))
    return tables


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _model_label(value: Any) -> Any:
    if value is None:
        return None
    return ContentType.objects.get_for_id(value).model_class()._meta.label  # type: ignore[union-attr]


def encoder(field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
    """How a column's value is written as JSON, exactly: decimals as text, times with
    microseconds and offset, a content type as its model's label; None: as it is."""
    if isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.ForeignKey) and field.related_model is ContentType:
        return _model_label
    if isinstance(field, models.DecimalField | models.UUIDField):
        return _text
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
        return _iso
    return None


#: Column types whose JSON value is already the Python one (checked by exact type).
_NATIVE = {
    "CharField": str, "TextField": str, "SlugField": str, "EmailField": str,
    "GenericIPAddressField": str, "BooleanField": bool, "FloatField": float,
    "IntegerField": int, "SmallIntegerField": int, "BigIntegerField": int,
    "PositiveIntegerField": int, "PositiveSmallIntegerField": int,
    "PositiveBigIntegerField": int, "AutoField": int, "BigAutoField": int,
}  # fmt: skip


def decode(field: models.Field, value: Any) -> Any:  # type: ignore[type-arg]
    """The column's value back from JSON; raises ``ValueError`` with a reason if it is not one."""
    if value is None:
        if not field.null:
            raise ValueError("may not be empty")
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.ForeignKey) and field.related_model is ContentType:
        model = apps.get_model(value) if isinstance(value, str) and "." in value else None
        if model is None:
            raise ValueError(f"{value!r} is not a model of this installation")
        return ContentType.objects.get_for_model(model).pk
    if field.is_relation:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{value!r} is not an id")
        return value
    if type(value) is _NATIVE.get(field.get_internal_type()):
        return value
    try:
        return field.to_python(value)
    except Exception as exc:  # Django's ValidationError, or the parser's own
        raise ValueError(f"{value!r} is not a valid {field.get_internal_type()}") from exc
