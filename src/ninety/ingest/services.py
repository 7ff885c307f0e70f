"""``import_file``: read, validate and write one file of people, activities, deals or quotas.

The path of a block of rows: read as text (:mod:`ninety.ingest.reader`, which knows each row's
spreadsheet row) → map columns and check every field (:mod:`ninety.ingest.validate`, with the
per-kind conversions in :mod:`ninety.ingest.rows`); each bad row is rejected with its row
number, field and reason → the kind's writer (:mod:`ninety.ingest.writers`) writes the good
rows in one transaction per block, together with the batch's counters, so an interrupted import
leaves whole blocks only and a re-run completes it (external ids make the re-run skip what is
already stored). This module only runs that loop and keeps the account.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ninety.activity import versions
from ninety.core.safe_csv import safe_cell
from ninety.ingest import reader, rows, writers
from ninety.ingest.fields import KINDS, listed
from ninety.ingest.lookups import activity_lookups, people_of
from ninety.ingest.mapping import Mapping, MappingError, load_preset
from ninety.ingest.models import ImportBatch
from ninety.ingest.pipeline import ahead
from ninety.ingest.reader import FileError, SourceFile, inspect, iter_blocks
from ninety.ingest.validate import Block, PersonIndex, RowError, Validator
from ninety.ingest.writers.deals import foreign_deal_ids, write_deals
from ninety.ingest.writers.people import create_reps, person_rows, write_people
from ninety.ingest.writers.quotas import write_quotas
from ninety.people.models import Org, Person

__all__ = ["ImportError_", "ImportSummary", "RowError", "import_file", "imports_dir"]

MAX_ERRORS_IN_SUMMARY = 100
FIRST_BLOCK_PIECES = 4
MIN_PIECE_ROWS = 10_000
#: A leader's row whose deal id is taken by a deal outside their teams (who owns it is not said).
FOREIGN_DEAL = "this deal id belongs to a deal outside the people you lead; it was left as it is"


class ImportError_(Exception):
    """The import as a whole cannot run (bad mapping, unreadable file); nothing was written."""


@dataclass
class ImportSummary:
    kind: str
    file_name: str
    read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    batch_id: int | None = None
    rejects_path: str = ""
    dry_run: bool = False
    strict_failed: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": [e.as_dict(self.file_name) for e in self.errors],
        }
        if self.updated:
            out["updated"] = self.updated
        if self.skipped:
            out["skipped"] = self.skipped
            out["skipped_because"] = dict(self.skip_reasons)
        if self.notes:
            out["notes"] = self.notes
        if self.rejects_path:
            out["rejects_file"] = self.rejects_path
        if self.dry_run:
            out["dry_run"] = True
        if self.strict_failed:
            out["strict"] = "rolled back: nothing was written because some rows were rejected"
        return out


class _Rollback(Exception):
    """Raised inside a strict import's transaction to undo it after rejects were found."""


class ImportCancelled(Exception):
    """The batch was cancelled: the blocks written so far stay, the rest is not read."""


class RejectsWriter:
    """The rejects CSV: row, field, reason, then the row's original cells (made safe)."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.headers = headers
        self._f: io.TextIOWrapper | None = None
        self._w: Any = None

    def write(self, row: int | None, field_name: str, reason: str, cells: list[Any]) -> None:
        if self._w is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._f = self.path.open("w", newline="", encoding="utf-8")
            self._w = csv.writer(self._f)
            self._w.writerow([safe_cell(h) for h in ["row", "field", "reason", *self.headers]])
        self._w.writerow([row or "", field_name, safe_cell(reason), *map(safe_cell, cells)])

    def close(self) -> bool:
        if self._f is not None:
            self._f.close()
            return True
        return False


class Importer:
    """One import run over one file. Use :func:`import_file`."""

    def __init__(
        self,
        org: Org,
        kind: str,
        src: SourceFile,
        mapping: Mapping,
        *,
        strict: bool = False,
        dry_run: bool = False,
        create_unknown_people: bool = False,
        created_by: Person | None = None,
        scope: Any = None,
        rejects_path: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch: ImportBatch | None = None,
    ) -> None:
        self.org, self.kind, self.src, self.mapping = org, kind, src, mapping
        self.queued = batch
        self.bytes_read = 0  # set by the reader (maybe in its thread), stored per block
        self.strict, self.dry_run = strict, dry_run
        self.create_unknown_people = create_unknown_people
        self.created_by, self.scope = created_by, scope
        self.progress = progress
        try:
            columns = mapping.resolve_columns(kind, src.headers)
        except MappingError as exc:
            raise ImportError_(f"{src.name}: {exc}") from exc
        _check_required(kind, src, mapping, columns)
        self.v = Validator(kind, mapping, columns, scoped=scope is not None)
        self.summary = ImportSummary(kind=kind, file_name=src.name, dry_run=dry_run)
        self.rejects = RejectsWriter(rejects_path or default_rejects_path(src), list(src.headers))
        self.batch: ImportBatch | None = None

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> ImportSummary:
        ImportBatch.objects.filter(
            org=self.org, kind=self.kind, sha256=self.src.sha256, status=ImportBatch.Status.RUNNING
        ).update(status=ImportBatch.Status.INTERRUPTED)
        self.batch = self.queued or ImportBatch(org=self.org, created_by=self.created_by)
        self.batch.kind, self.batch.source = self.kind, self.mapping.source
        self.batch.file_name, self.batch.sha256 = self.src.name[:255], self.src.sha256
        self.batch.status, self.batch.bytes_total = ImportBatch.Status.RUNNING, self.src.size
        self.batch.save()
        self.summary.batch_id = self.batch.pk
        try:
            status = self._run_in_transactions()
        except ImportCancelled:
            status = ImportBatch.Status.CANCELLED
        except Exception as exc:
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                status=ImportBatch.Status.FAILED, finished_at=timezone.now(), message=str(exc)
            )
            self.rejects.close()
            raise
        return self._finish(status)

    def _run_in_transactions(self) -> str:
        """Run the loop (strict and dry runs inside one transaction undone at the end)."""
        if not (self.strict or self.dry_run):
            self._loop()
            return ImportBatch.Status.DONE
        try:
            with transaction.atomic():
                self._loop()
                if self.dry_run or self.summary.rejected:
                    raise _Rollback
        except _Rollback:
            if self.dry_run:
                return ImportBatch.Status.DRY_RUN
            self.summary.strict_failed = True
            return ImportBatch.Status.FAILED
        return ImportBatch.Status.DONE

    def _finish(self, status: str) -> ImportSummary:
        s = self.summary
        if self.rejects.close():
            s.rejects_path = str(self.rejects.path)
        if s.strict_failed:
            s.imported = s.updated = 0
        if self.src.footer_lines:
            s.notes.append(f"a report footer of {self.src.footer_lines} lines was left out")
        assert self.batch is not None
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            status=status,
            finished_at=timezone.now(),
            read=s.read,
            imported=s.imported,
            updated=s.updated,
            duplicates=s.duplicates,
            rejected=s.rejected,
            rejects_path=s.rejects_path,
            message="; ".join(s.notes)[:2000],
        )
        return s

    def _loop(self) -> None:
        total = max(self.src.size, 1)

        def on_bytes(n: int) -> None:
            self.bytes_read = n
            if self.progress:
                self.progress(n, total)

        if self.kind == "people":
            self._run_people()
        elif self.kind == "activities" and not self.create_unknown_people:
            self._loop_activities(on_bytes)
        else:
            self._loop_blocks(on_bytes)
        self._account_bad_lines()
        if self.progress:
            self.progress(total, total)

    def _loop_activities(self, on_bytes: Callable[[int], None] | None) -> None:
        """Read, validate and encode the next chunk in the background while this one is
        written (creating unknown people needs the database, so that takes the plain loop)."""
        self._prepare_validator()
        for block, chunk in ahead(self._prepared_activities(on_bytes)):
            self._check_cancel()
            with transaction.atomic():
                self._account(block, (writers.write_prepared(chunk), 0))

    def _prepared_activities(
        self, on_bytes: Callable[[int], None] | None
    ) -> Iterator[tuple[Block, writers.PreparedChunk]]:
        """Validated, encoded chunks (no database: this runs in the reader thread)."""
        vendor, org_id, source = connection.vendor, self.org.pk, self.mapping.source
        for k, whole in enumerate(iter_blocks(self.src, on_bytes)):
            # The database waits for the first chunk: start it sooner with smaller pieces (a
            # small file stays one chunk).
            n = whole.batch.num_rows
            step = max(-(-n // FIRST_BLOCK_PIECES), MIN_PIECE_ROWS) if k == 0 else max(n, 1)
            for lo in range(0, max(n, 1), step):  # an empty block too: the cancel is seen
                piece = reader.Block(whole.batch.slice(lo, step), whole.rows[lo : lo + step])
                block = self.v.block(piece)
                table = rows.activity_rows(self.v, self.lookups, block)
                yield block, writers.prepare_activities(vendor, org_id, source, table)

    def _loop_blocks(self, on_bytes: Callable[[int], None] | None) -> None:
        self._prepare_validator()
        for read in iter_blocks(self.src, on_bytes):
            self._check_cancel()
            block = self.v.block(read)
            with transaction.atomic():
                self._account(block, self._write(block))

    def _write(self, block: Block) -> tuple[int, int]:
        if self.kind == "activities":
            table = rows.activity_rows(self.v, self.lookups, block)
            return writers.write_activities(self.org.pk, self.mapping.source, table), 0
        if self.kind == "deals":
            deals = rows.deal_rows(self.v, block)
            if self.scope is not None:
                deals = self._without_foreign_deals(block, deals)
            return write_deals(self.org.pk, self.mapping.source, deals)
        return write_quotas(rows.quota_rows(self.v, block))

    def _without_foreign_deals(self, block: Block, deals: pa.Table) -> pa.Table:
        """A leader's file may not change a deal owned outside the people they lead (the
        upsert would hand it over): those rows are rejected, the deal is left as it is."""
        keys = deals.column("external_id")
        foreign = foreign_deal_ids(self.org.pk, self.mapping.source, keys.to_pylist(), self.scope)
        if not foreign:
            return deals
        taken = pa.array(sorted(foreign), pa.string())
        hit = pc.is_in(keys, value_set=taken).to_numpy(zero_copy_only=False)
        mask = np.zeros(block.n, dtype=bool)
        mask[np.flatnonzero(block.ok)[hit]] = True  # deal_rows kept the block's ok rows
        block.reject(mask, "external_id", lambda _v: FOREIGN_DEAL)
        return deals.filter(pa.array(~hit))

    def _run_people(self) -> None:
        """People are a roster (thousands of rows at most): read whole, written in one pass."""
        blocks = list(iter_blocks(self.src))
        if not blocks:
            return
        batch = pa.Table.from_batches([b.batch for b in blocks]).combine_chunks().to_batches()
        merged = reader.Block(
            batch[0] if batch else blocks[0].batch,
            np.concatenate([b.rows for b in blocks]),
        )
        block = self.v.block(merged)
        people = person_rows(self.v, block)
        has_ids = bool(people) and any(p.ext for p in people)
        with transaction.atomic():
            result = write_people(
                self.org, block, people, create_managers=self.create_unknown_people or not has_ids
            )
            self.summary.notes.extend(result.notes)
            self._account(block, (result.created, result.updated))

    def _prepare_validator(self) -> None:
        self.v.people = people_of(self.org, self.scope)
        if self.create_unknown_people:
            self.v.create_people = self._create_people
        if self.kind == "activities":
            self.lookups = activity_lookups(self.org, self.mapping.source)

    def _create_people(self, values: list[str]) -> PersonIndex:
        create_reps(self.org, values)
        versions.bump(self.org.pk)
        self.summary.notes.append(f"{len(values)} unknown people created as reps")
        return people_of(self.org, self.scope)

    # -- the account -----------------------------------------------------------------------

    def _account(self, block: Block, written: tuple[int, int]) -> None:
        inserted, updated = written
        s = self.summary
        bad, skipped = int(block.bad.sum()), int(block.skip.sum())
        s.read += block.n
        s.rejected += bad
        s.skipped += skipped
        s.skip_reasons.update(block.skipped)
        s.imported += inserted
        s.updated += updated
        if (inserted or updated) and self.kind != "activities":
            # People, deals, quotas: every report may change (activities bump their months).
            versions.bump(self.org.pk)
        s.duplicates += block.n - bad - skipped - inserted - updated
        for i, f, reason in block.errors:
            self._error(int(block.rows[i]), f, reason, block.batch.slice(i, 1).to_pylist()[0])
        self._account_bad_lines()
        if self.batch is not None:
            # In the block's transaction: the counts never claim more than was written.
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                read=s.read,
                imported=s.imported,
                updated=s.updated,
                duplicates=s.duplicates,
                rejected=s.rejected,
                bytes_read=self.bytes_read,
            )

    def _check_cancel(self) -> None:
        """Before each block of a background import: stop when the user cancelled."""
        if self.queued is None or self.batch is None:
            return
        if ImportBatch.objects.filter(pk=self.batch.pk, cancel_requested=True).exists():
            raise ImportCancelled

    def _account_bad_lines(self) -> None:
        """Lines that are not rows (wrong number of fields), once their row is known."""
        seen = getattr(self, "_bad_seen", 0)
        for bad in self.src.bad_lines[seen:]:
            if bad.line is None:
                break
            self.summary.read += 1
            self.summary.rejected += 1
            self._error(bad.line, "", bad.reason, {"": bad.text})
            seen += 1
        self._bad_seen = seen

    def _error(self, row: int | None, f: str, reason: str, cells: dict[str, Any]) -> None:
        if len(self.summary.errors) < MAX_ERRORS_IN_SUMMARY:
            self.summary.errors.append(RowError(row, f, reason))
        values = [cells.get(h, "") for h in self.src.headers] if "" not in cells else [cells[""]]
        self.rejects.write(row, f, reason, values)


def default_rejects_path(src: SourceFile) -> Path:
    """``<file>.rejects.csv`` beside the file, or under the data dir when that is read-only."""
    beside = src.path.with_name(src.path.stem + ".rejects.csv")
    if beside.parent.is_dir() and os.access(beside.parent, os.W_OK):
        return beside
    return imports_dir() / f"{src.sha256[:12]}.rejects.csv"


def imports_dir() -> Path:
    """Where uploads and the rejects of web/API imports go (``NINETY_IMPORTS_DIR``)."""
    return Path(os.environ.get("NINETY_IMPORTS_DIR") or Path(settings.DATA_DIR) / "imports")


def resolve_mapping(
    kind: str, src: SourceFile | None, *, mapping: Mapping | None = None, preset: str | None = None
) -> Mapping:
    if mapping is not None:
        return mapping
    return load_preset(preset or "generic", kind)


def check_importable(kind: str, path: Path, mapping: Mapping, *, file_name: str = "") -> None:
    """Raise :class:`ImportError_` now when ``path`` cannot be imported with ``mapping`` (the
    file unreadable, a required column missing), before the import is queued. Messages name
    ``file_name`` (what the user uploaded), not the upload's name on disk."""
    try:
        src = inspect(
            Path(path), encoding=mapping.encoding, delimiter=mapping.delimiter, name=file_name
        )
        columns = mapping.resolve_columns(kind, src.headers)
    except (MappingError, FileError) as exc:
        raise ImportError_(str(exc)) from exc
    _check_required(kind, src, mapping, columns)


def _check_required(kind: str, src: SourceFile, mapping: Mapping, columns: dict) -> None:
    missing = [
        f.name
        for f in KINDS[kind]
        if f.required
        and f.name not in columns
        and f.name not in mapping.constants
        and f.name not in mapping.defaults
    ]
    if missing:
        raise ImportError_(
            f"{src.name}: missing column(s) for {', '.join(missing)}; the file has "
            f"{listed(src.headers)}. Map them with columns: in a mapping or --preset."
        )


def import_file(
    org: Org,
    kind: str,
    path: Path,
    *,
    mapping: Mapping | None = None,
    preset: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    create_unknown_people: bool = False,
    created_by: Person | None = None,
    scope: Any = None,
    rejects_path: Path | None = None,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
    batch: ImportBatch | None = None,
) -> ImportSummary:
    """Import ``path`` (CSV or .xlsx) of ``kind`` into ``org`` and return the summary.

    ``scope`` (a Person queryset) limits whom rows may name: a leader imports for the people
    they lead. Raises :class:`ImportError_` when the file or mapping cannot be used at all.
    """
    if kind not in KINDS:
        raise ImportError_(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}")
    try:
        m = resolve_mapping(kind, None, mapping=mapping, preset=preset)
        src = inspect(Path(path), encoding=m.encoding, delimiter=m.delimiter, name=file_name)
    except (MappingError, FileError) as exc:
        raise ImportError_(str(exc)) from exc
    if m.kind and m.kind != kind:
        raise ImportError_(f"the mapping is for {m.kind}, not {kind}")
    importer = Importer(
        org, kind, src, m, strict=strict, dry_run=dry_run,
        create_unknown_people=create_unknown_people, created_by=created_by, scope=scope,
        rejects_path=rejects_path, progress=progress, batch=batch,
    )  # fmt: skip
    try:
        summary = importer.run()
    except FileError as exc:
        raise ImportError_(str(exc)) from exc
    if kind in ("activities", "deals") and summary.imported and not dry_run:
        # New behavior data moves the running experiments' verdicts: refresh their cache (the
        # analysis pulls in SciPy, so only when there is something to refresh).
        from ninety.experiments.models import Experiment

        if Experiment.objects.filter(org=org, status=Experiment.Status.RUNNING).exists():
            from ninety.experiments.services import refresh_running

            refresh_running(org)
    return summary
