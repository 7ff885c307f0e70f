"""``ninety export DIR``: one org's data as JSON Lines files and a manifest.

Each table is one file (``people.person.jsonl``), one row a line, a column a key: readable with
any editor or ``jq``, exact (decimals as text, times to the microsecond with their offset). The
manifest names the org, the schema (each app's latest migration) and each file's row count and
SHA-256, so that a restore can refuse a damaged or foreign file before writing anything.

The export checks what it writes: a row that refers to a row outside the org stops it, so a
backup never carries another org's ids (nor, restored, reaches into another org).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import QuerySet
from django.utils import timezone

from ninety.backup.tables import (
    AUDIT,
    PRIVATE_NOTES,
    USERS,
    Table,
    backup_tables,
)
from ninety.home.audit import org_entries
from ninety.people.models import Org

FORMAT = "ninety-org-export"
VERSION = 1
MANIFEST = "manifest.json"


class ExportError(Exception):
    """The org's data cannot be exported as it is (a reference outside the org)."""


@dataclass
class _State:
    """The ids written so far per table, to check each reference against."""

    ids: dict[str, set[int]] = field(default_factory=dict)
    pending: list[tuple[str, int, str, str, int]] = field(default_factory=list)


def _rows(table: Table, org: Org, tables: dict[str, Table]) -> QuerySet[Any]:
    model = table.model
    if table.is_link:
        # A link table's rows: those whose first column is a row of this org's backup.
        first, second = (f.attname for f in table.fields())
        owner = table.fields()[0].related_model._meta.label
        qs = model.objects.filter(**{f"{first}__in": _rows(tables[owner], org, tables)})
        return qs.order_by(first, second)
    qs = (
        org_entries(org)
        if table.label == AUDIT
        else model.objects.filter(**{table.org_path: org.pk})
    )
    return qs.order_by("pk")


def _encoded(table: Table, org: Org, tables: dict[str, Table]) -> Iterator[dict[str, Any]]:
    encoders = table.encoders
    qs = _rows(table, org, tables).values_list(*(name for name, _ in encoders))
    for values in qs.iterator(chunk_size=5000):
        yield {
            name: v if fn is None else fn(v) for (name, fn), v in zip(encoders, values, strict=True)
        }


def _check(table: Table, row: dict[str, Any], state: _State, line: int) -> None:
    """Every reference names a row of this backup (later tables: checked at the end)."""
    for column, target in table.references().items():
        value = row[column]
        if value is None:
            continue
        if table.label == AUDIT and target == USERS and value not in state.ids.get(USERS, ()):
            row[column] = None  # an operator's change: who it was is not the org's
        elif target in state.ids:
            if value not in state.ids[target]:
                raise ExportError(
                    f"{table.label} row {line} ({column}={value}): refers to a {target} "
                    "outside this org"
                )
        else:
            state.pending.append((table.label, line, column, target, value))


def _write_table(
    table: Table, org: Org, tables: dict[str, Table], out: Path, state: _State
) -> dict[str, Any]:
    digest = hashlib.sha256()
    ids: set[int] = set()
    count = 0
    with open(out / table.file_name, "w", encoding="utf-8") as f:
        for count, row in enumerate(_encoded(table, org, tables), start=1):
            _check(table, row, state, count)
            if not table.is_link:
                ids.add(row["id"])
            line = json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
            digest.update(line.encode())
            f.write(line)
    state.ids[table.label] = ids
    return {"table": table.label, "file": table.file_name, "rows": count,
            "sha256": digest.hexdigest()}  # fmt: skip


def _schema() -> dict[str, str]:
    """Each app's latest applied migration: the schema the files are written in."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def export_org(org: Org, out: Path, *, private_notes: bool = True) -> dict[str, Any]:
    """Write ``org``'s backup into the directory ``out`` (made if missing, must be empty).

    Returns the manifest. The files hold logins' password hashes and (unless
    ``private_notes`` is false) private notes: the directory is made readable by its owner only.
    """
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ExportError(f"{out} is not empty: export into a new directory")
    os.chmod(out, 0o700)
    tables = {t.label: t for t in backup_tables()}
    if not private_notes:
        tables.pop(PRIVATE_NOTES)
    state = _State()
    try:
        written = [_write_table(t, org, tables, out, state) for t in tables.values()]
        for label, line, column, target, value in state.pending:
            if value not in state.ids.get(target, ()):
                raise ExportError(
                    f"{label} row {line} ({column}={value}): refers to a {target} outside this org"
                )
    except BaseException:
        for path in out.iterdir():  # no half backup that looks like a whole one
            path.unlink()
        raise
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "org": {"slug": org.slug, "name": org.name},
        "exported_at": timezone.now().isoformat(),
        "private_notes": private_notes,
        "schema": _schema(),
        "tables": written,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    for path in out.iterdir():
        os.chmod(path, 0o600)
    return manifest
