"""``ninety restore DIR``: an org's backup (``ninety export``) back into a database.

What a restore guarantees:

- **All or nothing.** Every file is checked against the manifest (row count, SHA-256) and the
  schema before anything is written, then the whole org goes in in one transaction: a bad value
  stops it with the file, line and column, and nothing is left behind.
- **Never across orgs.** Every reference in every row must name a row of the same backup (the
  org's own people, teams, deals …); a reference to anything else stops the restore. The rows
  written refer only to each other, so the restored org cannot reach into another one, and no
  existing row is changed.
- **Exact.** Every column comes back as it was. Ids are kept where the target database has none
  of a table's ids in use (a fresh instance, or the org restored where it was removed), so
  exporting the restored org gives the same files; where they are in use (a copy beside other
  orgs) the table's ids are moved up past the existing ones, references with them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max

from ninety.activity import versions
from ninety.activity.rollups import rebuild_weeks
from ninety.backup.export import FORMAT, MANIFEST, VERSION
from ninety.backup.tables import (
    AUDIT,
    SOFT_REFERENCES,
    USERS,
    Table,
    backup_tables,
    decode,
)
from ninety.people.models import Org, Person

BATCH = 2000


class RestoreError(Exception):
    """The backup cannot be restored; the message names the file, line and column."""


@dataclass
class _Plan:
    """How each table's ids move (0: kept) and what has been written so far."""

    offsets: dict[str, int]
    slug: str
    logins: bool
    ids: dict[str, set[int]] = field(default_factory=dict)
    deferred: dict[str, list[tuple[int, str, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    written: dict[str, int] = field(default_factory=dict)


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest, checked: its format, and each file's rows and SHA-256."""
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RestoreError(f"{src / MANIFEST}: not a readable Ninety export ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise RestoreError(f"{src / MANIFEST}: not a {FORMAT} version {VERSION}")
    for entry in manifest["tables"]:
        path = src / entry["file"]
        digest, rows = hashlib.sha256(), 0
        try:
            with open(path, "rb") as f:
                for line in f:
                    digest.update(line)
                    rows += 1
        except OSError as exc:
            raise RestoreError(f"{path}: {exc}") from exc
        if digest.hexdigest() != entry["sha256"] or rows != entry["rows"]:
            raise RestoreError(f"{path}: changed or damaged since the export (SHA-256 differs)")
    return manifest


def _check_schema(manifest: dict[str, Any]) -> None:
    """The database must have every migration the backup was written under."""
    here: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        here[app] = max(here.get(app, ""), name)
    for app, name in manifest["schema"].items():
        if here.get(app, "") < name:
            raise RestoreError(
                f"{MANIFEST}: written by a newer Ninety ({app} {name}; this database has "
                f"{here.get(app) or 'none'}): upgrade and run `ninety migrate` first"
            )


def _lines(src: Path, table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(src / table.file_name, encoding="utf-8") as f:
        for n, text in enumerate(f, start=1):
            try:
                row = json.loads(text)
            except ValueError as exc:
                raise RestoreError(f"{table.file_name} line {n}: not JSON ({exc})") from exc
            if not isinstance(row, dict):
                raise RestoreError(f"{table.file_name} line {n}: not a JSON object")
            yield n, row


def _ids(src: Path, table: Table) -> list[int]:
    return sorted(i for _, row in _lines(src, table) if isinstance(i := row.get("id"), int))


def _any_taken(manager: models.Manager[Any], ids: list[int]) -> bool:
    """Is any of ``ids`` in use? A range query first; ids of several orgs interleave (an audit
    log, people made in turns), so a hit in the range is looked at id by id."""
    if not ids or not manager.filter(pk__gte=ids[0], pk__lte=ids[-1]).exists():
        return False
    return any(manager.filter(pk__in=ids[i : i + 5000]).exists() for i in range(0, len(ids), 5000))


def _offsets(src: Path, tables: list[Table]) -> dict[str, int]:
    """Per table, 0 where none of the backup's ids is taken, else a shift past the last id."""
    offsets: dict[str, int] = {}
    for table in tables:
        if table.is_link:
            continue
        ids, manager = _ids(src, table), table.model._base_manager
        if not _any_taken(manager, ids):
            offsets[table.label] = 0
        else:
            top = manager.aggregate(top=Max("pk"))["top"]
            offsets[table.label] = top + 1 - ids[0]
    return offsets


@contextmanager
def _stored_times_kept(models_: list[type[models.Model]]) -> Iterator[None]:
    """Let ``auto_now``/``auto_now_add`` columns keep the backup's times while inserting."""
    saved = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _reference(
    table: Table, n: int, column: str, target: str, value: int, plan: _Plan
) -> int | None:
    """The restored id a reference points to; None when it is filled in at the end."""
    if target == USERS and not plan.logins:
        return None
    if target not in plan.ids:  # a table further down (or this one): checked at the end
        return None
    if value not in plan.ids[target]:
        raise RestoreError(
            f"{table.file_name} line {n} column {column}: {target} {value} is not in this backup"
        )
    return value + plan.offsets[target]


def _soft(table: Table, column: str, row: dict[str, Any], value: Any, plan: _Plan) -> Any:
    """A plain id of another table's row moves with that table's ids."""
    target = SOFT_REFERENCES[(table.label, column)](row)
    if value is None or target not in plan.offsets:
        return value
    return type(value)(int(value) + plan.offsets[target])


@dataclass(frozen=True)
class _Column:
    name: str
    field: models.Field  # type: ignore[type-arg]
    #: "pk", "ref" (a foreign key to ``target``), "soft" (a plain id) or "plain"
    kind: str
    target: str = ""


@cache
def _columns(table: Table) -> dict[str, _Column]:
    refs = table.references()
    columns = {}
    for f in table.fields():
        name = f.attname
        if name in refs:
            columns[name] = _Column(name, f, "ref", refs[name])
        elif (table.label, name) in SOFT_REFERENCES or (table.label, name) == (AUDIT, "object_pk"):
            columns[name] = _Column(name, f, "soft")
        else:
            columns[name] = _Column(name, f, "pk" if f.primary_key else "plain")
    return columns


def _value(table: Table, n: int, row: dict[str, Any], c: _Column, plan: _Plan) -> Any:
    try:
        value = decode(c.field, row[c.name])
    except ValueError as exc:
        raise RestoreError(f"{table.file_name} line {n} column {c.name}: {exc}") from exc
    if value is None or c.kind == "plain":
        return value
    if c.kind == "pk":
        return value + plan.offsets[table.label]
    if c.kind == "soft":
        return _soft(table, "object_id" if c.name == "object_pk" else c.name, row, value, plan)
    moved = _reference(table, n, c.name, c.target, value, plan)
    if moved is None and (c.target != USERS or plan.logins):
        key = row.get("id", 0) + plan.offsets.get(table.label, 0)
        plan.deferred[table.label].append((key, c.name, value, n))
    return moved


def _row(table: Table, n: int, row: dict[str, Any], plan: _Plan) -> models.Model:
    """One line's model instance, every value checked and every id moved."""
    columns = _columns(table)
    values: dict[str, Any] = {}
    for name in row:
        if name not in columns:
            raise RestoreError(f"{table.file_name} line {n}: no column {name!r}")
    for name, c in columns.items():
        if name in row:
            values[name] = _value(table, n, row, c, plan)
        elif not c.field.has_default() and not c.field.null:
            # Columns added after the export take their default; others must be there.
            raise RestoreError(f"{table.file_name} line {n} column {name}: missing")
    if table.model is Org:
        values["slug"] = plan.slug
    return table.model(**values)


def _restore_table(src: Path, table: Table, plan: _Plan) -> None:
    batch: list[models.Model] = []
    ids: set[int] = set()
    count = 0
    for n, row in _lines(src, table):
        batch.append(_row(table, n, row, plan))
        if not table.is_link:
            ids.add(row["id"])
        if len(batch) >= BATCH:
            table.model._base_manager.bulk_create(batch)
            count, batch = count + len(batch), []
    table.model._base_manager.bulk_create(batch)
    plan.ids[table.label] = ids
    plan.written[table.label] = count + len(batch)


def _fill_deferred(tables: dict[str, Table], plan: _Plan) -> None:
    """References to tables restored after their row (a team's leader, its parent team)."""
    for label, items in plan.deferred.items():
        table = tables[label]
        refs = table.references()
        for pk, column, value, n in items:
            target = refs[column]
            if value not in plan.ids.get(target, ()):
                raise RestoreError(
                    f"{table.file_name} line {n} column {column}: {target} {value} is not in "
                    "this backup"
                )
            moved = value + plan.offsets[target]
            table.model._base_manager.filter(pk=pk).update(**{column: moved})


def _check_names(src: Path, tables: dict[str, Table], slug: str, logins: bool) -> None:
    """The org's slug and (with logins) each username must be free in this database."""
    if Org.objects.filter(slug=slug).exists():
        raise RestoreError(
            f"an org {slug!r} exists here: remove it first, or restore a copy with --slug NEW"
        )
    if not logins:
        return
    names = [row.get("username") for _, row in _lines(src, tables[USERS])]
    taken = sorted(
        get_user_model().objects.filter(username__in=names).values_list("username", flat=True)
    )
    if taken:
        raise RestoreError(
            f"{tables[USERS].file_name}: the login {taken[0]!r} is taken here"
            f"{f' (and {len(taken) - 1} more)' if len(taken) > 1 else ''}: restore "
            "--without-logins (people get no login, invite them again) or remove those logins"
        )


def _reset_sequences(tables: list[Table]) -> None:
    """PostgreSQL hands out ids from sequences: move them past the ids just written."""
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def restore_org(src: Path, *, slug: str | None = None, logins: bool = True) -> dict[str, Any]:
    """Restore the backup in ``src``; returns the org, the rows written per table and whether
    ids were kept. ``slug`` restores it under another slug (a copy beside the original);
    ``logins=False`` leaves the people without logins (for an instance whose usernames clash)."""
    manifest = read_manifest(src)
    _check_schema(manifest)
    # Backups written before the weekly rollup was left out list it: it is rebuilt instead.
    listed = {entry["table"] for entry in manifest["tables"]} - {"activity.ActivityWeekRollup"}
    all_tables = {t.label: t for t in backup_tables()}
    unknown = listed - set(all_tables)
    if unknown:
        raise RestoreError(f"{MANIFEST}: table {sorted(unknown)[0]} is not Ninety's")
    tables = {label: t for label, t in all_tables.items() if label in listed}
    if not logins:
        tables.pop(USERS, None)
    slug = slug or manifest["org"]["slug"]
    _check_names(src, tables, slug, logins)
    plan = _Plan(_offsets(src, list(tables.values())), slug, logins)
    with transaction.atomic(), _stored_times_kept([t.model for t in tables.values()]):
        for table in tables.values():
            _restore_table(src, table, plan)
        _fill_deferred(tables, plan)
        _reset_sequences(list(tables.values()))
        org = Org.objects.get(slug=slug)
        rebuild_weeks(list(Person.objects.filter(org=org).values_list("pk", flat=True)))
        versions.bump(org.pk)  # a report cached for an org of the same id is not this one
    return {
        "org": org,
        "rows": plan.written,
        "ids_kept": not any(plan.offsets.values()),
        "private_notes": manifest["private_notes"],
    }
