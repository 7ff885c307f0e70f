"""A set of people's deals as arrays, read in one query: what pace, wins and the deal funnel use.

A whole-org diagnosis used to ask the database four times per comparison (the period's wins, the
wins per evidence bucket, the deal funnel per bucket, the deals the pace projects); each of those
is a filter and a sum over the same few columns of the same deals. :func:`fetch_deal_rows` reads
those columns once as numbers (value in integer cents, times in epoch seconds, status and stage
codes) and the functions below compute each of the four with NumPy, for any subset of the people
(:meth:`DealRows.of`). Sums of cents are exact integers, so the results are the database's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from operator import itemgetter

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from ninety.activity.models import Activity, Deal
from ninety.core.pipeline import level_grid, step_counts, step_names

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: Status codes (the pace core's): open, won, lost.
OPEN, WON, LOST = 0, 1, 2


def epoch(d: date) -> int:
    """Midnight UTC starting ``d``, in seconds since 1970."""
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class DealRows:
    """One row per deal: owner (a person id), value in cents, opened and closed (epoch seconds,
    closed −1 when not closed), status code, stage (an index into ``stage_names``, the stages as
    stored, sorted), and the furthest step its stage history shows (0 without history)."""

    owner: IntArray
    cents: IntArray
    opened: IntArray
    closed: IntArray
    status: IntArray
    stage: IntArray
    history_level: IntArray
    stage_names: tuple[str, ...] = ()
    #: The deals' ids, read for their stage history (0 when no deal steps were asked for).
    ids: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

    def of(self, person_ids: Sequence[int]) -> DealRows:
        """The deals these people own, in the same order."""
        keep = np.isin(self.owner, np.asarray(list(person_ids), np.int64))
        return replace(self, **{f: getattr(self, f)[keep] for f in _ARRAYS})

    def index_of_owner(self, person_ids: Sequence[int]) -> IntArray:
        """Each deal's owner as a position in ``person_ids`` (which must hold every owner)."""
        if not len(self.owner):
            return np.zeros(0, np.int64)
        lookup = np.zeros(max(int(self.owner.max()), max(person_ids)) + 1, np.int64)
        lookup[np.asarray(person_ids, np.int64)] = np.arange(len(person_ids))
        return lookup[self.owner]


def fetch_deal_rows(person_ids: Sequence[int], since: date, steps: Sequence[str] = ()) -> DealRows:
    """The deals of these people that are open, or were opened or closed on or after ``since``.

    One query for the deals, and with ``steps`` (deal steps), one for the stage history of their
    deals. Rows come sorted by every column (owner first, the order of the ``deal_pace`` index,
    so SQLite reads them in order), so any subset of the people gets its deals in the same order
    whichever query read them: the pace's Monte Carlo draws follow it.
    """
    if not person_ids:
        return _rows([])
    secs = _epoch_sql()
    table = connection.ops.quote_name(Deal._meta.db_table)
    marks = ", ".join(["%s"] * len(person_ids))
    deal_id = "id" if steps else "0"  # the id is only needed to find the stage history
    sql = (
        f"SELECT {deal_id}, owner_id, CAST(ROUND(value * 100) AS BIGINT), "
        f"{secs.format('opened_at')}, COALESCE({secs.format('closed_at')}, -1), "
        "CASE status WHEN 'won' THEN 1 WHEN 'lost' THEN 2 ELSE 0 END, stage "
        f"FROM {table} WHERE owner_id IN ({marks}) "
        "AND (opened_at >= %s OR closed_at >= %s OR status = 'open') "
        "ORDER BY owner_id, status, opened_at, closed_at, value, stage, id"
    )
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*person_ids, start, start])
        rows = cursor.fetchall()
    deals = _rows(rows)
    return replace(deals, history_level=_history_levels(deals.ids, person_ids, steps))


def _epoch_sql() -> str:
    """SQL for a datetime column as whole seconds since 1970 (``{}``: the column)."""
    if connection.vendor == "postgresql":
        return "CAST(FLOOR(EXTRACT(EPOCH FROM {})) AS BIGINT)"
    if connection.Database.sqlite_version_info >= (3, 38):
        return "unixepoch({})"  # the same whole seconds as strftime('%s'), read as a number
    return "CAST(strftime('%%s', {}) AS INTEGER)"  # %% : the driver's placeholder escape


def _history_levels(
    deal_ids: IntArray, person_ids: Sequence[int], steps: Sequence[str]
) -> IntArray:
    """The furthest deal step (index into ``steps``, after the first) each deal's stage history
    shows, 0 for none: one grouped query over the deals' activities."""
    level = np.zeros(len(deal_ids), np.int64)
    if len(steps) < 2 or not len(deal_ids):
        return level
    rows = list(
        Activity.objects.filter(
            deal__owner_id__in=list(person_ids), deal_id__isnull=False, type__in=list(steps[1:])
        )
        .values_list("deal_id", "type")
        .distinct()
        .order_by()
    )
    if not rows:
        return level
    step_index = {s: i for i, s in enumerate(steps)}
    ids = np.asarray([r[0] for r in rows], np.int64)
    reached = np.asarray([step_index[r[1]] for r in rows], np.int64)
    order = np.argsort(deal_ids)
    pos = np.clip(np.searchsorted(deal_ids, ids, sorter=order), 0, len(order) - 1)
    found = deal_ids[order[pos]] == ids  # history of deals outside the rows is not needed
    np.maximum.at(level, order[pos[found]], reached[found])
    return level


_ARRAYS = ("owner", "cents", "opened", "closed", "status", "stage", "history_level", "ids")


def _rows(rows: list[tuple]) -> DealRows:
    """The fetched rows (id, owner, cents, opened, closed, status, stage) as arrays: the six
    numbers in one pass into one array, the stage as its position among the names seen."""
    n = len(rows)
    stage = list(map(itemgetter(6), rows))
    seen = set(stage)
    names = sorted({s or "" for s in seen})
    code = {s: names.index(s or "") for s in seen}  # None and "" alike
    numbers = chain.from_iterable(map(itemgetter(0, 1, 2, 3, 4, 5), rows))
    cols = np.fromiter(numbers, np.int64, count=6 * n).reshape(n, 6).T.copy()
    return DealRows(
        owner=cols[1],
        cents=cols[2],
        opened=cols[3],
        closed=cols[4],
        status=cols[5],
        stage=np.fromiter(map(code.__getitem__, stage), np.int64, count=n),
        history_level=np.zeros(n, np.int64),
        stage_names=tuple(names),
        ids=cols[0],
    )


def bucket_of(times: IntArray, starts: Sequence[date], last_day: date) -> IntArray:
    """Each time's bucket (``starts`` newest first: the first whose start it is on or after),
    −1 before the oldest start or after ``last_day``."""
    edges = np.array([epoch(s) for s in starts], np.int64)[::-1]  # oldest first
    b = len(edges) - np.searchsorted(edges, times, side="right")
    outside = (times < edges[0]) | (times >= epoch(last_day + timedelta(days=1)))
    return np.where(outside, -1, b)


def won_sums(
    rows: DealRows, person_ids: Sequence[int], starts: Sequence[date], last_day: date
) -> tuple[FloatArray, FloatArray]:
    """Value and number of deals won per person and bucket (reps, buckets), by close day."""
    r, nb = len(person_ids), len(starts)
    b = np.where(rows.status == WON, bucket_of(rows.closed, starts, last_day), -1)
    keep = b >= 0
    flat = rows.index_of_owner(person_ids)[keep] * nb + b[keep]
    # Integer sums of cents (bincount's weights are floats): exact, then one division.
    total = np.zeros(r * nb, np.int64)
    np.add.at(total, flat, rows.cents[keep])
    count = np.bincount(flat, minlength=r * nb)
    return (total / 100.0).reshape(r, nb), count.astype(np.float64).reshape(r, nb)


def deal_levels(rows: DealRows, steps: Sequence[str], with_history: bool) -> IntArray:
    """How far each deal got, as a step index: won → the last step; else the step its current
    stage names (lower-cased, :func:`ninety.core.pipeline.step_names`), or with history the
    furthest of that and its stage history."""
    names = step_names(steps)
    by_name = np.array([names.get(s.lower(), 0) for s in rows.stage_names] + [0], np.int64)
    current = by_name[rows.stage]
    current = np.where(rows.status == WON, len(steps) - 1, current)
    return np.maximum(current, rows.history_level) if with_history else current


def deal_step_grid(
    rows: DealRows,
    person_ids: Sequence[int],
    steps: Sequence[str],
    starts: Sequence[date],
    last_day: date,
    with_history: bool,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, FloatArray], FloatArray]:
    """Deal-step entries, advanced and pending per person and bucket (deals count in the
    bucket they closed in, once closed), and the deals opened per bucket (the volume)."""
    steps = tuple(steps)
    owner = rows.index_of_owner(person_ids)
    closed_b = np.where(rows.status != OPEN, bucket_of(rows.closed, starts, last_day), -1)
    level = deal_levels(rows, steps, with_history)
    grid = level_grid(
        owner, closed_b, level, np.zeros_like(level), len(person_ids), len(starts), len(steps)
    )
    entries, advanced, pending = step_counts(grid, steps)
    opened_b = bucket_of(rows.opened, starts, last_day)
    keep = opened_b >= 0
    flat = owner[keep] * len(starts) + opened_b[keep]
    opened = np.bincount(flat, minlength=len(person_ids) * len(starts)).astype(np.float64)
    return entries, advanced, pending, opened.reshape(len(person_ids), len(starts))


def pace_arrays(
    rows: DealRows, person_ids: Sequence[int], since: date, stage_keys: Sequence[str]
) -> dict[str, NDArray]:
    """The deals open or opened on or after ``since``, as :func:`ninety.core.pace.pace_from_deals`
    takes them (owner positions, value, times, status, stage index)."""
    keep = (rows.opened >= epoch(since)) | (rows.status == OPEN)
    stage_index = {k: i for i, k in enumerate(stage_keys)}
    codes = np.array([stage_index.get(s, 0) for s in rows.stage_names] + [0], np.int64)
    return {
        "owner": rows.index_of_owner(person_ids)[keep],
        "value": rows.cents[keep] / 100.0,
        "opened": rows.opened[keep],
        "closed": rows.closed[keep],
        "status": rows.status[keep],
        "stage": codes[rows.stage[keep]],
    }
