"""Validation: a block's source columns become fields, checked and converted column by column.

Each bad cell rejects its row with the field and a reason (the caller adds the file and the
spreadsheet row); rows that are not behavior (a task still to do, a meeting not yet held) are
*skipped* with a reason instead, so every row of a file is accounted for. Nothing here touches
the database: people, deals and ways are looked up in indexes built beforehand
(:mod:`ninety.ingest.lookups`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ninety.ingest import convert, reader
from ninety.ingest.fields import KINDS
from ninety.ingest.mapping import Mapping

MAX_LENGTH = {
    "external_id": 100, "type": 32, "outcome": 50, "way": 80, "account": 200, "product": 100,
    "stage": 50, "name": 200, "email": 254, "team": 200, "manager": 254, "person": 254,
    "owner": 254, "deal": 100,
}  # fmt: skip


@dataclass
class RowError:
    row: int | None
    field: str
    reason: str

    def as_dict(self, file: str) -> dict[str, Any]:
        return {"file": file, "row": self.row, "field": self.field, "reason": self.reason}


def q(value: Any) -> str:
    """A value quoted for an error message."""
    return f"'{convert.describe(value)}'"


@dataclass
class Block:
    """One block of rows under validation: field -> text array, the rejects and skips so far."""

    batch: pa.RecordBatch
    rows: np.ndarray  # the spreadsheet row of each row
    cols: dict[str, pa.Array]
    bad: np.ndarray
    skip: np.ndarray
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def n(self) -> int:
        return self.batch.num_rows

    @property
    def ok(self) -> np.ndarray:
        return ~(self.bad | self.skip)

    def reject(self, m: np.ndarray, field_name: str, reason: Callable[[Any], str]) -> None:
        """Reject the rows of mask ``m`` (not yet rejected or skipped) with ``reason(value)``."""
        m = m & ~self.bad & ~self.skip
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

    def skip_rows(self, m: np.ndarray, reason: str) -> None:
        """Leave out rows that are fine but are not what the import counts (with a reason)."""
        m = m & ~self.bad & ~self.skip
        if m.any():
            self.skipped[reason] += int(m.sum())
            self.skip |= m


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
        self.table = table
        self.keys = pa.array(list(table), pa.string())
        self.ids = np.array(list(table.values()) or [0], dtype=np.int64)

    def get(self, value: str) -> int | None:
        """The id for one value (-1 when ambiguous, None when unknown)."""
        return self.table.get(value.strip().casefold()) if value else None

    def resolve(self, arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, unknown mask, ambiguous mask) for the values of ``arr``."""
        idx = pc.index_in(pc.utf8_lower(arr), value_set=self.keys)
        unknown = convert.mask(pc.is_null(idx))
        pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
        ids = self.ids[pos] if len(self.keys) else np.zeros(len(arr), np.int64)
        ambiguous = ~unknown & (ids == -1)
        return ids, unknown, ambiguous


@dataclass
class Validator:
    """The checks every kind shares, for one file under one mapping."""

    kind: str
    mapping: Mapping
    columns: dict[str, list[str]]
    people: PersonIndex | None = None
    scoped: bool = False
    #: Creates the people a file names and the org lacks; returns the new index (DB: optional).
    create_people: Callable[[list[str]], PersonIndex] | None = None
    hash_seen: Counter[str] = field(default_factory=Counter)

    def block(self, read: reader.Block) -> Block:
        """Map the source columns to fields and apply the per-field checks."""
        batch = read.batch
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
        for f, value in self.mapping.defaults.items():
            if f in cols:
                cols[f] = pc.if_else(pa.array(convert.is_empty(cols[f])), value, cols[f])
            else:
                cols[f] = pa.array([value] * n, pa.string())
        block = Block(batch, read.rows, cols, np.zeros(n, bool), np.zeros(n, bool))
        self._keep(block)
        for f in KINDS[self.kind]:
            if f.name in cols:
                # A mapped value is checked for length after mapping (a long Subject may map
                # to a short type).
                mapped = bool(self.mapping.values.get(f.name))
                self._check_text(block, f.name, text=f.text, required=f.required, length=not mapped)
        return block

    def _keep(self, block: Block) -> None:
        """The mapping's ``keep``: rows whose column holds another value are skipped."""
        for column, allowed in self.mapping.keep.items():
            if column not in block.batch.schema.names:
                continue
            values = pc.utf8_lower(pc.utf8_trim_whitespace(block.batch.column(column)))
            wanted = pa.array([a.casefold() for a in allowed], pa.string())
            other = ~convert.mask(pc.is_in(values, value_set=wanted))
            block.skip_rows(other, f"{column} not {' or '.join(map(repr, allowed))}")

    def _check_text(
        self, block: Block, name: str, *, text: bool, required: bool, length: bool = True
    ) -> None:
        arr = block.cols[name]
        bad_utf8 = convert.invalid_utf8(arr)
        if bad_utf8 is not None:
            block.reject(
                bad_utf8,
                name,
                lambda v: (
                    "not UTF-8 text (wrong encoding): save the file as CSV UTF-8 or "
                    "set 'encoding' in the mapping"
                ),
            )
            block.cols[name] = arr = pc.if_else(pa.array(bad_utf8), "", arr)
        if text:
            block.reject(
                convert.formula(arr),
                name,
                lambda v: (
                    f"looks like a spreadsheet formula ({q(v)}); rejected so that it "
                    "never runs in Excel"
                ),
            )
        if required:
            block.reject(convert.is_empty(arr), name, lambda v, n=name: f"missing {n}")
        if length:
            self.check_length(block, name, arr)

    def check_length(self, block: Block, name: str, arr: pa.Array) -> None:
        limit = MAX_LENGTH.get(name)
        if limit:
            too_long = convert.mask(pc.greater(pc.utf8_length(arr), limit))
            block.reject(too_long, name, lambda v, k=limit: f"longer than {k} characters")

    # -- shared field conversions ----------------------------------------------------------

    def person_ids(self, block: Block, name: str) -> np.ndarray:
        assert self.people is not None
        arr = block.cols[name]
        ids, unknown, ambiguous = self.people.resolve(arr)
        wanted = unknown & block.ok & ~convert.is_empty(arr)
        if wanted.any() and self.create_people is not None:
            self.people = self.create_people(sorted(set(arr.filter(pa.array(wanted)).to_pylist())))
            ids, unknown, ambiguous = self.people.resolve(arr)
        empty = convert.is_empty(arr)
        among = " among the people you lead)" if self.scoped else ")"
        block.reject(
            unknown & ~empty,
            name,
            lambda v: f"unknown person {q(v)} (no external id, e-mail or name matches" + among,
        )
        block.reject(
            ambiguous, name, lambda v: f"ambiguous person {q(v)}: several people have this name"
        )
        return ids

    def dates(self, block: Block, name: str, *, required: bool) -> pa.Array:
        arr = block.cols.get(name)
        if arr is None:
            return pa.nulls(block.n, pa.timestamp("s", tz="UTC"))
        ts, bad, ambiguous = convert.parse_datetimes(
            arr, self.mapping.date_formats, self.mapping.timezone
        )
        empty = convert.is_empty(arr)
        formats = " or ".join(f"'{f}'" for f in self.mapping.date_formats)
        block.reject(
            ambiguous,
            name,
            lambda v: (
                f"ambiguous date {q(v)}: day-first or month-first? Set date_format in "
                "the mapping (e.g. '%m/%d/%Y' or '%d/%m/%Y')"
            ),
        )
        block.reject(
            bad & ~empty,
            name,
            lambda v: (
                f"not a date {q(v)} (expected ISO 8601"
                + (f" or {formats})" if formats else ", e.g. 2026-10-01T13:00:00Z)")
            ),
        )
        if required:
            block.reject(empty, name, lambda v: f"missing {name}")
        return ts

    def values(self, block: Block, name: str, *, lower: bool = True) -> pa.Array | None:
        arr = block.cols.get(name)
        if arr is None:
            return None
        return convert.map_values(
            arr, self.mapping.value_map(name), lower=lower, patterns=self.mapping.patterns(name)
        )

    def amounts(self, block: Block, name: str, *, what: str) -> pa.Array:
        """Amounts with the mapping's decimal mark; negative and absurd values are rejected."""
        arr = block.cols[name]
        value, bad = convert.parse_decimals(arr, decimal=self.mapping.decimal)
        mark = "decimal comma" if self.mapping.decimal == "," else "decimal point"
        block.reject(bad, name, lambda v: f"not an amount: {q(v)} (read with a {mark})")
        block.reject(convert.mask(pc.less(value, 0)), name, lambda v: f"negative {what} {q(v)}")
        block.reject(
            convert.mask(pc.greater_equal(value, 1e12)), name, lambda v: f"{what} too large {q(v)}"
        )
        return value

    def content_ids(self, block: Block, key_fields: tuple[str, ...] | None = None) -> pa.Array:
        """External ids: the file's, or a hash of the row's ``key_fields`` (all by default)
        with its repeat number, so re-importing the same file finds the same rows."""
        n = block.n
        ext = block.cols.get("external_id")
        if ext is not None and not convert.is_empty(ext).any():
            return ext
        need = convert.is_empty(ext) if ext is not None else np.ones(n, bool)
        present = [c for c in self.mapping.key_columns if c in block.batch.schema.names]
        if present:
            texts = [block.batch.column(c).to_pylist() for c in present]
        elif key_fields is None:
            # Every mapped source column, each once (the first version's ids: kept so that
            # files imported before still match).
            fields = sorted(self.columns)
            srcs = list(dict.fromkeys(c for f in fields for c in self.columns[f]))
            texts = [block.batch.column(c).to_pylist() for c in srcs]
        else:
            texts = [
                block.cols[f].to_pylist() if f in block.cols else [""] * n
                for f in sorted(key_fields)
            ]
        out = ext.to_pylist() if ext is not None else [""] * n
        for i in np.nonzero(need)[0].tolist():
            key = "\x1f".join(str(t[i]) for t in texts)
            digest = hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
            self.hash_seen[digest] += 1
            k = self.hash_seen[digest]
            out[i] = f"h:{digest}" + (f":{k}" if k > 1 else "")
        return pa.array(out, pa.string())
