"""Per-kind validation: a :class:`~ninety.ingest.validate.Block` becomes the table of its valid
rows in the columns its writer takes (rejected and skipped rows noted on the block).

No database here (the lookups were read before), so activities are validated in a background
thread while the previous block is written.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings

from ninety.ingest import convert
from ninety.ingest.lookups import ActivityLookups
from ninety.ingest.validate import Block, Validator, q

STATUSES = pa.array(["open", "won", "lost"])
#: What identifies a deal without an id: its stage, status, value and dates change as it moves.
DEAL_KEY_FIELDS = ("owner", "account", "product", "opened_at")
DURATION_UNITS = {"s": "seconds", "ms": "milliseconds", "min": "minutes", "hms": "H:MM:SS"}


# -- activities --------------------------------------------------------------------------------


def activity_rows(v: Validator, lk: ActivityLookups, block: Block) -> pa.Table:
    """The block's valid activities in :data:`ninety.ingest.writers.STAGE_COLUMNS`."""
    n = block.n
    person = v.person_ids(block, "person")
    occurred = v.dates(block, "occurred_at", required=True)
    if v.mapping.skip_future:
        now = pa.scalar(dt.datetime.now(dt.UTC).replace(microsecond=0), occurred.type)
        block.skip_rows(convert.mask(pc.greater(occurred, now)), "dated in the future")
    types = v.values(block, "type")
    v.check_length(block, "type", types)
    outcome = v.values(block, "outcome")
    outcome = outcome if outcome is not None else pa.array([""] * n, pa.string())
    way_id = _ways(v, lk, block, types)
    deal_id = _deals(lk, block)
    duration = _durations(v, block)
    ext = v.content_ids(block)
    exits = pc.take(lk.stage_exits, pc.index_in(types, value_set=lk.stage_entries))
    advanced = pc.fill_null(pc.equal(outcome, exits), False)
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
            "day": _local_day(occurred),
            "advanced": advanced,
        }
    ).filter(pa.array(block.ok))


def _local_day(occurred: pa.Array) -> pa.Array:
    if settings.TIME_ZONE == "UTC":
        return pc.cast(occurred, pa.date32())
    local = pc.local_timestamp(pc.cast(occurred, pa.timestamp("s", tz=settings.TIME_ZONE)))
    return pc.cast(local, pa.date32())


def _ways(v: Validator, lk: ActivityLookups, block: Block, types: pa.Array) -> pa.Array:
    arr = block.cols.get("way")
    if arr is None:
        return pa.nulls(block.n, pa.int64())
    key = pc.utf8_lower(arr)
    idx = pc.index_in(pc.binary_join_element_wise(types, key, "\x1f"), value_set=lk.way_keys)
    idx = pc.coalesce(idx, pc.index_in(key, value_set=lk.way_keys))
    empty = convert.is_empty(arr)
    unknown = convert.mask(pc.is_null(idx)) & ~empty
    where = (
        "not a way of the current playbook for this type"
        if lk.has_playbook
        else "the org has no published playbook"
    )
    block.reject(unknown, "way", lambda x: f"unknown way {q(x)}: {where}")
    pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
    return pa.array(lk.way_ids[pos], pa.int64(), mask=empty | unknown)


def _deals(lk: ActivityLookups, block: Block) -> pa.Array:
    """The deal each row names; of several ids (``id1;id2``), the first the org has."""
    arr = block.cols.get("deal")
    n = block.n
    if arr is None or len(lk.deal_keys) == 0:
        return pa.nulls(n, pa.int64())
    idx = pc.index_in(arr, value_set=lk.deal_keys)
    several = convert.mask(pc.match_substring_regex(arr, r"[;,]"))
    if several.any():
        where = np.nonzero(several & convert.mask(pc.is_null(idx)))[0]
        found = idx.to_pylist()
        keys = {k: i for i, k in enumerate(lk.deal_keys.to_pylist())}
        texts = arr.take(pa.array(where)).to_pylist()
        for i, text in zip(where.tolist(), texts, strict=True):
            ids = [p.strip() for p in text.replace(",", ";").split(";")]
            found[i] = next((keys[p] for p in ids if p in keys), None)
        idx = pa.array(found, pa.int32())
    missing = convert.mask(pc.is_null(idx))
    pos = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
    # A deal that was not imported leaves the activity without a deal: the behavior counts.
    return pa.array(lk.deal_ids[pos], pa.int64(), mask=missing)


def _durations(v: Validator, block: Block) -> pa.Array:
    arr = block.cols.get("duration_seconds")
    if arr is None:
        return pa.nulls(block.n, pa.int64())
    unit = v.mapping.duration_unit
    secs, bad = convert.parse_durations(arr, unit)
    block.reject(
        bad, "duration_seconds", lambda x: f"not a duration in {DURATION_UNITS[unit]}: {q(x)}"
    )
    neg = convert.mask(pc.less(secs, 0))
    block.reject(neg, "duration_seconds", lambda x: f"negative duration {q(x)}")
    big = convert.mask(pc.greater(secs, 2_147_483_647))
    block.reject(big, "duration_seconds", lambda x: f"duration too large {q(x)}")
    return pc.if_else(pa.array(bad | neg | big), pa.scalar(None, pa.int64()), secs)


# -- deals -------------------------------------------------------------------------------------


def deal_rows(v: Validator, block: Block) -> pa.Table:
    """The block's valid deals (``activity_deal`` columns but the org and source)."""
    n = block.n
    owner = v.person_ids(block, "owner")
    opened = v.dates(block, "opened_at", required=True)
    closed = v.dates(block, "closed_at", required=False)
    status = v.values(block, "status")
    if status is None:
        status = pa.array(["open"] * n, pa.string())
    status = pc.if_else(pc.equal(status, ""), "open", status)
    bad_status = ~convert.mask(pc.is_in(status, value_set=STATUSES))
    block.reject(bad_status, "status", lambda x: f"unknown status {q(x)} (open, won or lost)")
    value = pa.array([0.0] * n)
    if "value" in block.cols:
        value = pc.fill_null(v.amounts(block, "value", what="value"), 0.0)
    empty = pa.array([""] * n, pa.string())
    stage = v.values(block, "stage", lower=False)
    if stage is not None:
        v.check_length(block, "stage", stage)
    is_open = pc.equal(status, "open")
    # An open deal's close date is the planned one: kept apart, never a close.
    expected = v.dates(block, "expected_close_at", required=False)
    planned = pc.if_else(is_open, closed, pa.scalar(None, closed.type))
    expected = pc.coalesce(expected, planned)
    closed = pc.if_else(is_open, pa.scalar(None, closed.type), closed)
    return pa.table(
        {
            "external_id": v.content_ids(block, DEAL_KEY_FIELDS),
            "owner_id": pa.array(owner, pa.int64()),
            "account": block.cols.get("account", empty),
            "product": block.cols.get("product", empty),
            "stage": stage if stage is not None else empty,
            "value": pc.round(value, 2),
            "opened_at": opened,
            "closed_at": closed,
            "expected_close_at": expected,
            "status": status,
        }
    ).filter(pa.array(block.ok))


# -- quotas ------------------------------------------------------------------------------------


def quota_rows(v: Validator, block: Block) -> pa.Table:
    person = v.person_ids(block, "person")
    period = block.cols["period"]
    # 2026-10, 2026-10-01 and 2026/10 all name the month; the month is checked as a number.
    period = pc.replace_substring_regex(period, r"^(\d{4})[-/](\d{1,2})([-/]\d{1,2})?$", r"\1-\2")
    period = pc.replace_substring_regex(period, r"^(\d{4})-(\d)$", r"\1-0\2")
    good = convert.mask(pc.match_substring_regex(period, r"^\d{4}-(0[1-9]|1[0-2])$"))
    block.reject(~good, "period", lambda x: f"not a month {q(x)} (expected YYYY-MM)")
    amount = v.amounts(block, "amount", what="quota")
    block.reject(convert.mask(pc.is_null(amount)), "amount", lambda x: "missing amount")
    return pa.table(
        {
            "person_id": pa.array(person, pa.int64()),
            "period": period,
            "amount": pc.round(amount, 2),
        }
    ).filter(pa.array(block.ok))
