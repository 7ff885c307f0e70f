"""``import_file``: read, map, validate and write one file of people, activities, deals or quotas.

The path of a block of rows: read as text (:mod:`ninety.ingest.reader`) → map columns and values
(:mod:`ninety.ingest.mapping`) → convert and validate column by column
(:mod:`ninety.ingest.convert`); each bad row is rejected with its row number, field and reason →
write the good rows in one transaction per block (:mod:`ninety.ingest.writers` for activities),
together with the batch's counters, so an interrupted import leaves whole blocks only and a
re-run completes it (external ids make the re-run skip what is already stored).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
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

from ninety.activity.models import Deal, Quota
from ninety.core.playbook_spec import FUNNEL_TYPES
from ninety.ingest import convert, writers
from ninety.ingest.fields import KINDS
from ninety.ingest.mapping import Mapping, MappingError, load_preset
from ninety.ingest.models import ImportBatch
from ninety.ingest.pipeline import ahead
from ninety.ingest.reader import FileError, SourceFile, inspect, iter_blocks
from ninety.people.models import Org, Person, Role, Team
from ninety.playbook.models import Stage, Way
from ninety.playbook.services import current_playbook

MAX_ERRORS_IN_SUMMARY = 100
FIRST_BLOCK_PIECES = 4
MIN_PIECE_ROWS = 10_000
MAX_LENGTH = {
    "external_id": 100, "type": 32, "outcome": 50, "way": 80, "account": 200, "product": 100,
    "stage": 50, "name": 200, "email": 254, "team": 200, "manager": 254, "person": 254,
    "owner": 254, "deal": 100,
}  # fmt: skip
ROLES = {"admin": Role.ADMIN, "leader": Role.LEADER, "manager": Role.LEADER,
         "director": Role.LEADER, "rep": Role.REP}  # fmt: skip
TRUE = {"true", "yes", "y", "1", "x"}
FALSE = {"false", "no", "n", "0", ""}
_DEFAULT_CHAIN = FUNNEL_TYPES[:6]


class ImportError_(Exception):
    """The import as a whole cannot run (bad mapping, unreadable file); nothing was written."""


@dataclass
class RowError:
    row: int | None
    field: str
    reason: str

    def as_dict(self, file: str) -> dict[str, Any]:
        return {"file": file, "row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class ImportSummary:
    kind: str
    file_name: str
    read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
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
        if self.rejects_path:
            out["rejects_file"] = self.rejects_path
        if self.dry_run:
            out["dry_run"] = True
        if self.strict_failed:
            out["strict"] = "rolled back: nothing was written because some rows were rejected"
        return out


class _Rollback(Exception):
    """Raised inside a strict import's transaction to undo it after rejects were found."""


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


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


@dataclass
class _Block:
    """One block of rows under validation: field -> text array, and the rejects so far."""

    batch: pa.RecordBatch
    first_row: int
    cols: dict[str, pa.Array]
    bad: np.ndarray
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    def reject(self, m: np.ndarray, field_name: str, reason: Callable[[Any], str]) -> None:
        """Reject the rows of mask ``m`` (not yet rejected) with ``reason(value)``."""
        m = m & ~self.bad
        if not m.any():
            return
        idx = np.nonzero(m)[0]
        values = (
            self.cols[field_name].take(pa.array(idx)).to_pylist()
            if field_name in self.cols
            else [None] * len(idx)
        )
        for i, v in zip(idx.tolist(), values, strict=True):
            self.errors.append((i, field_name, reason(v)))
        self.bad |= m

    def text(self, name: str) -> pa.Array | None:
        return self.cols.get(name)


def _q(value: Any) -> str:
    return f"'{convert.describe(value)}'"


class PersonIndex:
    """Find a person by external id, e-mail or full name (case-insensitive), in one pass."""

    def __init__(self, people: list[tuple[int, str, str, str]]) -> None:
        table: dict[str, int] = {}
        names: Counter[str] = Counter(n.strip().casefold() for _, _, _, n in people if n)
        for pk, _ext, _email, name in people:
            key = name.strip().casefold()
            if key:
                table[key] = pk if names[key] == 1 else -1  # -1: two people share the name
        for pk, _ext, email, _name in people:
            if email:
                table[email.strip().casefold()] = pk
        for pk, ext, _email, _name in people:
            if ext:
                table[ext.strip().casefold()] = pk
        self.keys = pa.array(list(table), pa.string())
        self.ids = np.array(list(table.values()) or [0], dtype=np.int64)

    def resolve(self, arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, unknown mask, ambiguous mask) for the values of ``arr``."""
        idx = pc.index_in(pc.utf8_lower(arr), value_set=self.keys)
        unknown = convert.mask(pc.is_null(idx))
        pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
        ids = self.ids[pos] if len(self.keys) else np.zeros(len(arr), np.int64)
        ambiguous = ~unknown & (ids == -1)
        return ids, unknown, ambiguous


def people_of(org: Org, scope: Any = None) -> PersonIndex:
    qs = scope if scope is not None else Person.objects.filter(org=org)
    return PersonIndex(list(qs.values_list("id", "external_id", "email", "name")))


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
    ) -> None:
        self.org, self.kind, self.src, self.mapping = org, kind, src, mapping
        self.strict, self.dry_run = strict, dry_run
        self.create_unknown_people = create_unknown_people
        self.created_by, self.scope = created_by, scope
        self.progress = progress
        try:
            self.columns = mapping.resolve_columns(kind, src.headers)
        except MappingError as exc:
            raise ImportError_(f"{src.name}: {exc}") from exc
        missing = [
            f.name
            for f in KINDS[kind]
            if f.required and f.name not in self.columns and f.name not in mapping.constants
        ]
        if missing:
            raise ImportError_(
                f"{src.name}: missing column(s) for {', '.join(missing)}; the file has "
                f"{', '.join(src.headers)}. Map them with columns: in a mapping or --preset."
            )
        self.summary = ImportSummary(kind=kind, file_name=src.name, dry_run=dry_run)
        self.rejects = RejectsWriter(rejects_path or default_rejects_path(src), list(src.headers))
        self._hash_seen: Counter[str] = Counter()
        self.batch: ImportBatch | None = None

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> ImportSummary:
        ImportBatch.objects.filter(
            org=self.org, kind=self.kind, sha256=self.src.sha256, status=ImportBatch.Status.RUNNING
        ).update(status=ImportBatch.Status.INTERRUPTED)
        self.batch = ImportBatch.objects.create(
            org=self.org,
            created_by=self.created_by,
            kind=self.kind,
            source=self.mapping.source,
            file_name=self.src.name[:255],
            sha256=self.src.sha256,
        )
        self.summary.batch_id = self.batch.pk
        self._prepare_lookups()
        status = ImportBatch.Status.DONE
        try:
            if self.strict or self.dry_run:
                try:
                    with transaction.atomic():
                        self._loop()
                        if self.dry_run or self.summary.rejected:
                            raise _Rollback
                except _Rollback:
                    if not self.dry_run:
                        self.summary.strict_failed = True
                        status = ImportBatch.Status.FAILED
                    else:
                        status = ImportBatch.Status.DRY_RUN
            else:
                self._loop()
        except Exception as exc:
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                status=ImportBatch.Status.FAILED, finished_at=timezone.now(), message=str(exc)
            )
            self.rejects.close()
            raise
        if self.rejects.close():
            self.summary.rejects_path = str(self.rejects.path)
        s = self.summary
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            status=status,
            finished_at=timezone.now(),
            read=s.read,
            imported=0 if s.strict_failed else s.imported,
            updated=0 if s.strict_failed else s.updated,
            duplicates=s.duplicates,
            rejected=s.rejected,
            rejects_path=s.rejects_path,
        )
        if s.strict_failed:
            s.imported = s.updated = 0
        return s

    def _loop(self) -> None:
        if self.kind == "people":
            self._run_people()
            return
        total = max(self.src.size, 1)
        on_bytes = (lambda n: self.progress(n, total)) if self.progress else None
        seen_bad = 0
        if self.kind == "activities" and not self.create_unknown_people:
            # Activities are the big files: read, validate and encode the next chunk in the
            # background while this one is written (creating unknown people needs the
            # database, so that option takes the plain loop).
            for block, chunk, bad_upto in ahead(self._prepared_activities(on_bytes)):
                with transaction.atomic():
                    written = (writers.write_prepared(chunk), 0)
                    seen_bad = self._account(block, written, seen_bad, bad_upto)
        else:
            row = 2  # the header is row 1
            for batch in iter_blocks(self.src, on_bytes):
                block = self._block(batch, row)
                row += batch.num_rows
                with transaction.atomic():
                    written = getattr(self, f"_write_{self.kind}")(block)
                    seen_bad = self._account(block, written, seen_bad, len(self.src.bad_lines))
        self._account_bad_lines(seen_bad, len(self.src.bad_lines))
        if self.progress:
            self.progress(total, total)

    def _prepared_activities(
        self, on_bytes: Callable[[int], None] | None
    ) -> Iterator[tuple[_Block, writers.PreparedChunk, int]]:
        """Validated, encoded chunks with the count of bad lines read so far (no database)."""
        row = 2
        vendor, org_id, source = connection.vendor, self.org.pk, self.mapping.source
        for k, whole in enumerate(iter_blocks(self.src, on_bytes)):
            # The database waits for the first chunk: start it sooner with smaller pieces (a
            # small file stays one chunk).
            step = whole.num_rows
            if k == 0:
                step = max(-(-whole.num_rows // FIRST_BLOCK_PIECES), MIN_PIECE_ROWS)  # ceil
            for lo in range(0, whole.num_rows, step):
                batch = whole.slice(lo, step)
                block = self._block(batch, row)
                row += batch.num_rows
                rows = self._activity_rows(block)
                chunk = writers.prepare_activities(vendor, org_id, source, rows)
                yield block, chunk, len(self.src.bad_lines)

    def _account(
        self, block: _Block, written: tuple[int, int], seen_bad: int, bad_upto: int
    ) -> int:
        inserted, updated = written
        s = self.summary
        n = block.batch.num_rows
        s.read += n
        s.rejected += int(block.bad.sum())
        s.imported += inserted
        s.updated += updated
        s.duplicates += n - int(block.bad.sum()) - inserted - updated
        for i, f, reason in block.errors:
            self._error(block.first_row + i, f, reason, block.batch.slice(i, 1).to_pylist()[0])
        seen_bad = self._account_bad_lines(seen_bad, bad_upto)
        if self.batch is not None:
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                read=s.read,
                imported=s.imported,
                updated=s.updated,
                duplicates=s.duplicates,
                rejected=s.rejected,
            )
        return seen_bad

    def _account_bad_lines(self, seen: int, upto: int) -> int:
        for bad in self.src.bad_lines[seen:upto]:
            self.summary.read += 1
            self.summary.rejected += 1
            label = f"line {bad.line}: " if bad.line else ""
            self._error(None, "", f"{label}{bad.reason}", {"": bad.text})
        return max(seen, upto)

    def _error(self, row: int | None, f: str, reason: str, cells: dict[str, Any]) -> None:
        if len(self.summary.errors) < MAX_ERRORS_IN_SUMMARY:
            self.summary.errors.append(RowError(row, f, reason))
        values = [cells.get(h, "") for h in self.src.headers] if "" not in cells else [cells[""]]
        self.rejects.write(row, f, reason, values)

    # -- lookups ---------------------------------------------------------------------------

    def _prepare_lookups(self) -> None:
        if self.kind in ("activities", "deals", "quotas"):
            self.people = people_of(self.org, self.scope)
        if self.kind == "activities":
            self._prepare_activity_lookups()

    def _prepare_activity_lookups(self) -> None:
        playbook = current_playbook(self.org)
        entries: dict[str, str] = {}
        ways: dict[str, int] = {}
        by_key: dict[str, list[int]] = {}
        if playbook is not None:
            for s in Stage.objects.filter(playbook=playbook):
                entries[s.entry_type] = s.exit_type
            for pk, key, entry in Way.objects.filter(
                behavior__stage__playbook=playbook
            ).values_list("id", "key", "behavior__stage__entry_type"):
                ways[f"{entry}\x1f{key.casefold()}"] = pk
                by_key.setdefault(key.casefold(), []).append(pk)
        else:
            entries = dict(itertools.pairwise(_DEFAULT_CHAIN))
        self.has_playbook = playbook is not None
        self.stage_entries = pa.array(list(entries), pa.string())
        self.stage_exits = pa.array(list(entries.values()), pa.string())
        for key, pks in by_key.items():
            if len(set(pks)) == 1:
                ways[key] = pks[0]
        self.way_keys = pa.array(list(ways), pa.string())
        self.way_ids = np.array(list(ways.values()) or [0], np.int64)
        deals: dict[str, int] = {}
        rows = Deal.objects.filter(org=self.org).exclude(external_id="")
        for pk, ext, source in rows.values_list("id", "external_id", "source"):
            if source == self.mapping.source or ext not in deals:
                deals[ext] = pk
        self.deal_keys = pa.array(list(deals), pa.string())
        self.deal_ids = np.array(list(deals.values()) or [0], np.int64)

    # -- the common first steps ------------------------------------------------------------

    def _block(self, batch: pa.RecordBatch, first_row: int) -> _Block:
        n = batch.num_rows
        cols: dict[str, pa.Array] = {}
        for f, srcs in self.columns.items():
            parts = [pc.utf8_trim_whitespace(batch.column(s)) for s in srcs]
            if len(parts) == 1:
                cols[f] = parts[0]
            else:
                joined = pc.binary_join_element_wise(*parts, " ")
                cols[f] = pc.utf8_trim_whitespace(joined)
        for f, value in self.mapping.constants.items():
            if f not in cols or convert.is_empty(cols[f]).all():
                cols[f] = pa.array([value] * n, pa.string())
        block = _Block(batch, first_row, cols, np.zeros(n, bool))
        for f in KINDS[self.kind]:
            arr = cols.get(f.name)
            if arr is None:
                continue
            bad_utf8 = convert.invalid_utf8(arr)
            if bad_utf8 is not None:
                block.reject(
                    bad_utf8,
                    f.name,
                    lambda v: (
                        "not UTF-8 text (wrong encoding): save the file as CSV UTF-8 or "
                        "set 'encoding' in the mapping"
                    ),
                )
                cols[f.name] = arr = pc.if_else(pa.array(bad_utf8), "", arr)
            if f.text:
                block.reject(
                    convert.formula(arr),
                    f.name,
                    lambda v: (
                        f"looks like a spreadsheet formula ({_q(v)}); rejected so that it "
                        "never runs in Excel"
                    ),
                )
            if f.required:
                block.reject(convert.is_empty(arr), f.name, lambda v, n=f.name: f"missing {n}")
            limit = MAX_LENGTH.get(f.name)
            if limit:
                too_long = convert.mask(pc.greater(pc.utf8_length(arr), limit))
                block.reject(too_long, f.name, lambda v, k=limit: f"longer than {k} characters")
        return block

    def _person_ids(self, block: _Block, name: str) -> np.ndarray:
        arr = block.cols[name]
        ids, unknown, ambiguous = self.people.resolve(arr)
        if unknown.any() and self.create_unknown_people:
            self._create_people(arr, unknown & ~block.bad)
            ids, unknown, ambiguous = self.people.resolve(arr)
        empty = convert.is_empty(arr)
        block.reject(
            unknown & ~empty,
            name,
            lambda v: (
                f"unknown person {_q(v)} (no external id, e-mail or name matches"
                + (" among the people you lead)" if self.scope is not None else ")")
            ),
        )
        block.reject(
            ambiguous, name, lambda v: f"ambiguous person {_q(v)}: several people have this name"
        )
        return ids

    def _create_people(self, arr: pa.Array, m: np.ndarray) -> None:
        values = sorted(set(arr.filter(pa.array(m)).to_pylist()))
        new = []
        for v in values:
            is_email = "@" in v
            name = v.split("@")[0].replace(".", " ").title() if is_email else v
            new.append(Person(org=self.org, name=name, email=v if is_email else "", role=Role.REP))
        Person.objects.bulk_create(new)
        self.people = people_of(self.org, self.scope)

    def _dates(self, block: _Block, name: str, *, required: bool) -> pa.Array:
        arr = block.cols.get(name)
        n = block.batch.num_rows
        if arr is None:
            return pa.nulls(n, pa.timestamp("s", tz="UTC"))
        ts, bad, ambiguous = convert.parse_datetimes(
            arr, self.mapping.date_formats, self.mapping.timezone
        )
        empty = convert.is_empty(arr)
        formats = " or ".join(f"'{f}'" for f in self.mapping.date_formats)
        block.reject(
            ambiguous,
            name,
            lambda v: (
                f"ambiguous date {_q(v)}: day-first or month-first? Set date_format in "
                "the mapping (e.g. '%m/%d/%Y' or '%d/%m/%Y')"
            ),
        )
        block.reject(
            bad & ~empty,
            name,
            lambda v: (
                f"not a date {_q(v)} (expected ISO 8601"
                + (f" or {formats})" if formats else ", e.g. 2026-10-01T13:00:00Z)")
            ),
        )
        if required:
            block.reject(empty, name, lambda v: f"missing {name}")
        return ts

    def _values(self, block: _Block, name: str, *, lower: bool = True) -> pa.Array | None:
        arr = block.cols.get(name)
        if arr is None:
            return None
        return convert.map_values(arr, self.mapping.value_map(name), lower=lower)

    def _content_ids(self, block: _Block) -> pa.Array:
        """External ids: the file's, or a hash of the row's content (with its repeat number)."""
        n = block.batch.num_rows
        ext = block.cols.get("external_id")
        if ext is not None and not convert.is_empty(ext).any():
            return ext
        need = convert.is_empty(ext) if ext is not None else np.ones(n, bool)
        fields = sorted(self.columns)
        rows = block.batch.select([c for f in fields for c in self.columns[f]]).to_pylist()
        out = ext.to_pylist() if ext is not None else [""] * n
        for i in np.nonzero(need)[0].tolist():
            digest = hashlib.blake2b(
                "\x1f".join(map(str, rows[i].values())).encode(), digest_size=12
            ).hexdigest()
            self._hash_seen[digest] += 1
            k = self._hash_seen[digest]
            out[i] = f"h:{digest}" + (f":{k}" if k > 1 else "")
        return pa.array(out, pa.string())

    # -- activities ------------------------------------------------------------------------

    def _write_activities(self, block: _Block) -> tuple[int, int]:
        rows = self._activity_rows(block)
        return writers.write_activities(self.org.pk, self.mapping.source, rows), 0

    def _activity_rows(self, block: _Block) -> pa.Table:
        """The block's valid rows in :data:`writers.STAGE_COLUMNS`; rejects noted on the block."""
        n = block.batch.num_rows
        person = self._person_ids(block, "person")
        occurred = self._dates(block, "occurred_at", required=True)
        types = self._values(block, "type")
        outcome = self._values(block, "outcome")
        outcome = outcome if outcome is not None else pa.array([""] * n, pa.string())
        way_id = self._ways(block, types)
        deal_id = self._deals(block)
        duration = self._durations(block)
        ext = self._content_ids(block)
        exits = pc.take(self.stage_exits, pc.index_in(types, value_set=self.stage_entries))
        advanced = pc.fill_null(pc.equal(outcome, exits), False)
        day = (
            pc.cast(
                pc.local_timestamp(pc.cast(occurred, pa.timestamp("s", tz=settings.TIME_ZONE))),
                pa.date32(),
            )
            if settings.TIME_ZONE != "UTC"
            else pc.cast(occurred, pa.date32())
        )
        ok = pa.array(~block.bad)
        return pa.table(
            {
                "external_id": ext,
                "person_id": pa.array(person, pa.int64()),
                "occurred_at": occurred,
                "type": types,
                "deal_id": deal_id,
                "way_id": way_id,
                "duration_seconds": duration,
                "outcome": outcome,
                "day": day,
                "advanced": advanced,
            }
        ).filter(ok)

    def _ways(self, block: _Block, types: pa.Array) -> pa.Array:
        arr = block.cols.get("way")
        n = block.batch.num_rows
        if arr is None:
            return pa.nulls(n, pa.int64())
        key = pc.utf8_lower(arr)
        idx = pc.index_in(pc.binary_join_element_wise(types, key, "\x1f"), value_set=self.way_keys)
        idx = pc.coalesce(idx, pc.index_in(key, value_set=self.way_keys))
        empty = convert.is_empty(arr)
        unknown = convert.mask(pc.is_null(idx)) & ~empty
        where = (
            "the org has no published playbook"
            if not self.has_playbook
            else ("not a way of the current playbook for this type")
        )
        block.reject(unknown, "way", lambda v: f"unknown way {_q(v)}: {where}")
        pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
        ids = self.way_ids[pos]
        return pa.array(ids, pa.int64(), mask=empty | unknown)

    def _deals(self, block: _Block) -> pa.Array:
        arr = block.cols.get("deal")
        n = block.batch.num_rows
        if arr is None or len(self.deal_keys) == 0:
            return pa.nulls(n, pa.int64())
        idx = pc.index_in(arr, value_set=self.deal_keys)
        missing = convert.mask(pc.is_null(idx))
        pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
        # A deal that was not imported leaves the activity without a deal: the behavior counts.
        return pa.array(self.deal_ids[pos], pa.int64(), mask=missing)

    def _durations(self, block: _Block) -> pa.Array:
        arr = block.cols.get("duration_seconds")
        n = block.batch.num_rows
        if arr is None:
            return pa.nulls(n, pa.int64())
        secs, bad = convert.parse_durations(arr, self.mapping.duration_unit)
        unit = {"s": "seconds", "ms": "milliseconds", "min": "minutes", "hms": "H:MM:SS"}[
            self.mapping.duration_unit
        ]
        block.reject(bad, "duration_seconds", lambda v: f"not a duration in {unit}: {_q(v)}")
        neg = convert.mask(pc.less(secs, 0))
        block.reject(neg, "duration_seconds", lambda v: f"negative duration {_q(v)}")
        big = convert.mask(pc.greater(secs, 2_147_483_647))
        block.reject(big, "duration_seconds", lambda v: f"duration too large {_q(v)}")
        return pc.if_else(pa.array(bad | neg | big), pa.scalar(None, pa.int64()), secs)

    # -- deals -----------------------------------------------------------------------------

    def _write_deals(self, block: _Block) -> tuple[int, int]:
        n = block.batch.num_rows
        owner = self._person_ids(block, "owner")
        opened = self._dates(block, "opened_at", required=True)
        closed = self._dates(block, "closed_at", required=False)
        empty = pa.array([""] * n, pa.string())
        status = self._values(block, "status")
        if status is None:
            status = pa.array(["open"] * n, pa.string())
        status = pc.if_else(pc.equal(status, ""), "open", status)
        bad_status = ~convert.mask(pc.is_in(status, value_set=pa.array(["open", "won", "lost"])))
        block.reject(bad_status, "status", lambda v: f"unknown status {_q(v)} (open, won or lost)")
        value = pa.array([0.0] * n)
        if "value" in block.cols:
            value, bad = convert.parse_decimals(block.cols["value"])
            block.reject(bad, "value", lambda v: f"not an amount: {_q(v)}")
            neg = convert.mask(pc.less(value, 0))
            block.reject(neg, "value", lambda v: f"negative value {_q(v)}")
            value = pc.fill_null(value, 0.0)
        stage = self._values(block, "stage", lower=False)
        ext = self._content_ids(block)
        ok = ~block.bad
        cols = {
            "external_id": ext,
            "owner_id": pa.array(owner, pa.int64()),
            "account": block.cols.get("account", empty),
            "product": block.cols.get("product", empty),
            "stage": stage if stage is not None else empty,
            "value": pc.round(value, 2),
            "opened_at": opened,
            "closed_at": closed,
            "status": status,
        }
        rows = pa.table(cols).filter(pa.array(ok))
        return self._upsert(
            "activity_deal",
            rows,
            key=("org_id", "source", "external_id"),
            fixed={"org_id": self.org.pk, "source": self.mapping.source},
        )

    # -- quotas ----------------------------------------------------------------------------

    def _write_quotas(self, block: _Block) -> tuple[int, int]:
        person = self._person_ids(block, "person")
        period = block.cols["period"]
        # 2026-10, 2026-10-01 and 2026/10 all name the month; the month is checked as a number.
        period = pc.replace_substring_regex(
            period, r"^(\d{4})[-/](\d{1,2})([-/]\d{1,2})?$", r"\1-\2"
        )
        period = pc.replace_substring_regex(period, r"^(\d{4})-(\d)$", r"\1-0\2")
        good = convert.mask(pc.match_substring_regex(period, r"^\d{4}-(0[1-9]|1[0-2])$"))
        block.reject(~good, "period", lambda v: f"not a month {_q(v)} (expected YYYY-MM)")
        amount, bad = convert.parse_decimals(block.cols["amount"])
        block.reject(bad, "amount", lambda v: f"not an amount: {_q(v)}")
        block.reject(
            convert.mask(pc.less(amount, 0)), "amount", lambda v: f"negative quota {_q(v)}"
        )
        block.reject(convert.mask(pc.is_null(amount)), "amount", lambda v: "missing amount")
        rows = pa.table(
            {
                "person_id": pa.array(person, pa.int64()),
                "period": period,
                "amount": pc.round(amount, 2),
            }
        ).filter(pa.array(~block.bad))
        # A repeated (person, period) in one file: the last row wins, as in a spreadsheet.
        return self._upsert("activity_quota", rows, key=("person_id", "period"), fixed={})

    def _upsert(
        self, table: str, rows: pa.Table, *, key: tuple[str, ...], fixed: dict[str, Any]
    ) -> tuple[int, int]:
        """Insert new rows and update changed ones (two ``executemany``); (inserted, updated)."""
        if rows.num_rows == 0:
            return 0, 0
        names = [*fixed, *rows.column_names]
        ki = [names.index(k) for k in key]
        dedup: dict[tuple, tuple] = {}
        for r in zip(*[c.to_pylist() for c in rows.columns], strict=True):
            full = tuple(fixed.values()) + r
            dedup[tuple(full[i] for i in ki)] = full  # a repeated key: the last row wins
        existing = self._existing(table, key, list(dedup), fixed)
        new = [r for k, r in dedup.items() if k not in existing]
        old = [r for k, r in dedup.items() if k in existing]
        value_cols = [c for c in names if c not in key]
        pg = connection.vendor == "postgresql"
        differs = " OR ".join(
            f"{c} IS DISTINCT FROM %s" if pg else f"{c} IS NOT %s" for c in value_cols
        )
        inserted = updated = 0
        with connection.cursor() as cur:
            if new:
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join(['%s'] * len(names))}) ON CONFLICT DO NOTHING",
                    new,
                )
                inserted = max(cur.rowcount, 0)
            if old:
                vi = [names.index(c) for c in value_cols]
                params = [
                    tuple(r[i] for i in vi) + tuple(r[i] for i in ki) + tuple(r[i] for i in vi)
                    for r in old
                ]
                cur.executemany(
                    f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in value_cols)} "
                    f"WHERE {' AND '.join(f'{k} = %s' for k in key)} AND ({differs})",
                    params,
                )
                updated = max(cur.rowcount, 0)
        return inserted, updated

    def _existing(
        self, table: str, key: tuple[str, ...], keys: list[tuple], fixed: dict
    ) -> set[tuple]:
        if table == "activity_deal":
            exts = [k[2] for k in keys]
            found = Deal.objects.filter(
                org_id=fixed["org_id"], source=fixed["source"], external_id__in=exts
            ).values_list("external_id", flat=True)
            return {(fixed["org_id"], fixed["source"], e) for e in found}
        people = {k[0] for k in keys}
        return set(Quota.objects.filter(person_id__in=people).values_list("person_id", "period"))

    # -- people ----------------------------------------------------------------------------

    def _run_people(self) -> None:
        batches = list(iter_blocks(self.src))
        if not batches:
            return
        batch = pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
        block = self._block(batch, 2)
        n = batch.num_rows
        texts = {f: (block.cols[f].to_pylist() if f in block.cols else [""] * n) for f in
                 ("external_id", "name", "email", "manager", "team")}  # fmt: skip
        role = self._values(block, "role")
        roles = role.to_pylist() if role is not None else ["rep"] * n
        hp = self._values(block, "high_potential")
        hps = hp.to_pylist() if hp is not None else [""] * n
        hired = None
        if "hired_on" in block.cols:
            hired = pc.cast(self._dates(block, "hired_on", required=False), pa.date32()).to_pylist()
        bad = block.bad
        for i in range(n):
            if bad[i]:
                continue
            email = texts["email"][i]
            if email and ("@" not in email or " " in email):
                block.reject(_one(n, i), "email", lambda v: f"not an e-mail address: {_q(v)}")
            elif (roles[i] or "rep") not in ROLES:
                block.reject(
                    _one(n, i), "role", lambda v: f"unknown role {_q(v)} (admin, leader or rep)"
                )
            elif hps[i] not in TRUE | FALSE:
                block.reject(_one(n, i), "high_potential", lambda v: f"not true/false: {_q(v)}")
        # The manager must be in the file or already in the org.
        existing = list(
            Person.objects.filter(org=self.org).values_list("id", "external_id", "email", "name")
        )
        in_file = [(-(i + 1), texts["external_id"][i], texts["email"][i], texts["name"][i])
                   for i in range(n) if not block.bad[i]]  # fmt: skip
        index = PersonIndex(existing + in_file)
        if "manager" in block.cols:
            mgr = block.cols["manager"]
            _, unknown, _amb = index.resolve(mgr)
            block.reject(
                unknown & ~convert.is_empty(mgr),
                "manager",
                lambda v: f"unknown manager {_q(v)}: not in the file or the org",
            )
        written = self._write_people(block, texts, roles, hps, hired)
        self._account(block, written, 0, len(self.src.bad_lines))

    def _write_people(self, block: _Block, texts: dict[str, list[str]], roles: list, hps: list,
                      hired: list | None) -> tuple[int, int]:  # fmt: skip
        n = block.batch.num_rows
        good = [i for i in range(n) if not block.bad[i]]
        if not good:
            return 0, 0
        people = list(Person.objects.filter(org=self.org))
        by_ext = {p.external_id.casefold(): p for p in people if p.external_id}
        by_email = {p.email.casefold(): p for p in people if p.email}
        by_name: dict[str, Person] = {}
        for p in people:
            by_name.setdefault(p.name.casefold(), p)
        teams = {t.name: t for t in Team.objects.filter(org=self.org)}
        for i in good:
            t = texts["team"][i]
            if t and t not in teams:
                teams[t] = Team.objects.create(org=self.org, name=t)
        created = updated = 0
        rows: list[tuple[int, Person]] = []
        changed: list[Person] = []
        fields = ["name", "email", "role", "high_potential", "team", "hired_on", "external_id"]
        for i in good:
            ext, email, name = texts["external_id"][i], texts["email"][i], texts["name"][i]
            p = (
                (by_ext.get(ext.casefold()) if ext else None)
                or (by_email.get(email.casefold()) if email else None)
                or (by_name.get(name.casefold()) if not ext and not email else None)
            )
            new = p is None
            if new:
                p = Person(org=self.org)
            before = tuple(getattr(p, f if f != "team" else "team_id") for f in fields)
            p.name, p.email = name, email or p.email
            p.role = ROLES[roles[i] or "rep"]
            p.high_potential = hps[i] in TRUE
            p.team = teams.get(texts["team"][i]) if texts["team"][i] else p.team
            if hired is not None and hired[i] is not None:
                p.hired_on = hired[i]
            p.external_id = ext or p.external_id
            after = tuple(getattr(p, f if f != "team" else "team_id") for f in fields)
            if new:
                p.save()
                created += 1
                by_ext[ext.casefold()] = p
                if email:
                    by_email[email.casefold()] = p
                by_name.setdefault(name.casefold(), p)
            elif before != after:
                changed.append(p)
            rows.append((i, p))
        if changed:
            Person.objects.bulk_update(changed, fields)
            updated = len(changed)
        # Team leaders: a team's leader is the manager of its members; teams nest under the
        # leader's own team.
        index = PersonIndex([(p.pk, p.external_id, p.email, p.name) for p in by_ext.values()]
                            + [(p.pk, p.external_id, p.email, p.name) for p in people])  # fmt: skip
        votes: dict[str, Counter[int]] = {}
        for i, p in rows:
            m = texts["manager"][i]
            if not m or p.team_id is None:
                continue
            ids, unknown, _ = index.resolve(pa.array([m]))
            if not unknown[0] and ids[0] > 0:
                votes.setdefault(texts["team"][i] or p.team.name, Counter())[int(ids[0])] += 1
        leaders = {p.pk: p for p in Person.objects.filter(org=self.org)}
        for team_name, counter in votes.items():
            team = teams.get(team_name)
            if team is None:
                continue
            leader_id = counter.most_common(1)[0][0]
            parent = leaders[leader_id].team_id if leader_id in leaders else None
            parent = parent if parent != team.pk else None
            if team.leader_id != leader_id or team.parent_id != parent:
                Team.objects.filter(pk=team.pk).update(leader_id=leader_id, parent_id=parent)
        return created, updated


def _one(n: int, i: int) -> np.ndarray:
    m = np.zeros(n, bool)
    m[i] = True
    return m


def default_rejects_path(src: SourceFile) -> Path:
    """``<file>.rejects.csv`` beside the file, or under the data dir when that is read-only."""
    beside = src.path.with_name(src.path.stem + ".rejects.csv")
    if beside.parent.is_dir() and os.access(beside.parent, os.W_OK):
        return beside
    return imports_dir() / f"{src.sha256[:12]}.rejects.csv"


def imports_dir() -> Path:
    """Where uploads and the rejects of web/API imports go (``NINETY_IMPORTS_DIR``)."""
    import os

    return Path(os.environ.get("NINETY_IMPORTS_DIR") or Path(settings.DATA_DIR) / "imports")


def resolve_mapping(
    kind: str, src: SourceFile | None, *, mapping: Mapping | None = None, preset: str | None = None
) -> Mapping:
    if mapping is not None:
        return mapping
    return load_preset(preset or "generic", kind)


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
        rejects_path=rejects_path, progress=progress,
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


def iter_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for lo in range(0, len(items), size):
        yield items[lo : lo + size]
