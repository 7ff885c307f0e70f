"""The weekly rollup kept equal to the daily one: the SQL both vendors need, and a rebuild.

:class:`~ninety.activity.models.ActivityWeekRollup` is the daily rollup summed per ISO week
and over ways (nothing reads a week per way). The importer adds a chunk's amounts to both tables
in one transaction (:func:`week_upsert`); a writer of single activities adds them with
:func:`add_to_week`; whatever writes daily rows another way (test fixtures, a repair, a restore)
calls :func:`rebuild_weeks` for the people it wrote, which recomputes their weeks from the daily
rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import connection

from ninety.activity.models import ActivityRollup
from ninety.activity.versions import bump

DAILY = "activity_activityrollup"
WEEKLY = "activity_activityweekrollup"
#: The amounts both tables keep, in the order the upserts write them.
AMOUNTS = ("count", "advanced", "pending", "duration_seconds")


def monday_sql(column: str, vendor: str | None = None) -> str:
    """SQL for the Monday of the ISO week holding the date ``column`` (a DATE column)."""
    if (vendor or connection.vendor) == "postgresql":
        # date - integer is a date: no time zone involved.
        return f"({column} - CAST(EXTRACT(ISODOW FROM {column}) AS integer) + 1)"
    # SQLite: back six days, then forward to the first Monday (the day itself if a Monday).
    return f"date({column}, '-6 days', 'weekday 1')"


def week_upsert(source: str) -> str:
    """Add ``source``'s rows (person_id, week, type, n, adv, pend, dur: one chunk's rollup
    amounts already summed per ISO week and over ways, ``week`` its Monday, one row per key; the
    importer sums them in Arrow) to the weekly rollup, as one upsert-add."""
    cols = "(person_id, week, type, count, advanced, pending, duration_seconds)"
    add = ", ".join(f"{a} = {WEEKLY}.{a} + excluded.{a}" for a in AMOUNTS)
    # WHERE true: SQLite needs it to tell the upsert's ON from a join's.
    return (
        f"INSERT INTO {WEEKLY} {cols} SELECT person_id, week, type, n, adv, pend, dur "
        f"FROM {source} WHERE true "
        f"ON CONFLICT (person_id, week, type) DO UPDATE SET {add}"
    )


def add_to_week(person_id: int, day: date, type_: str, amounts: Sequence[int]) -> None:
    """Add ``amounts`` (count, advanced, pending, duration: negative to take away) of one
    person's activities on ``day`` to that week's row, as the daily row got them; a row left
    with no activity is removed (its other amounts are then 0 too). The caller holds the
    transaction."""
    week = day - timedelta(days=day.weekday())
    add = ", ".join(f"{a} = {a} + %s" for a in AMOUNTS)
    key = [person_id, week, type_]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {WEEKLY} SET {add} WHERE person_id = %s AND week = %s AND type = %s",
            [*amounts, *key],
        )
        if cursor.rowcount == 0 and amounts[0] > 0:
            cols = ", ".join(AMOUNTS)
            cursor.execute(
                f"INSERT INTO {WEEKLY} (person_id, week, type, {cols}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [*key, *amounts],
            )
        cursor.execute(
            f"DELETE FROM {WEEKLY} WHERE person_id = %s AND week = %s AND type = %s AND count <= 0",
            key,
        )


def rebuild_sql(where: str = "", vendor: str | None = None) -> tuple[str, str]:
    """DELETE and INSERT that recompute weekly rows from the daily ones (optionally ``where``,
    a condition on ``person_id``)."""
    cond = f" WHERE {where}" if where else ""
    week = monday_sql("day", vendor)
    sums = ", ".join(f"SUM({a})" for a in AMOUNTS)
    cols = f"(person_id, week, type, {', '.join(AMOUNTS)})"
    return (
        f"DELETE FROM {WEEKLY}{cond}",
        f"INSERT INTO {WEEKLY} {cols} SELECT person_id, {week}, type, {sums} "
        f"FROM {DAILY}{cond} GROUP BY person_id, {week}, type",
    )


def rebuild_weeks(person_ids: Sequence[int] | None = None) -> None:
    """Recompute the weekly rollup of these people (everyone when None) from their daily rows.

    For writers of daily rows other than the importer; the caller holds the transaction.
    """
    ids = [int(p) for p in person_ids] if person_ids is not None else None
    if ids is not None and not ids:
        return
    where = f"person_id IN ({', '.join(['%s'] * len(ids))})" if ids is not None else ""
    with connection.cursor() as cursor:
        for sql in rebuild_sql(where):
            cursor.execute(sql, ids or None)
    # Daily rows written another way: whatever their days, the reports of these people's orgs
    # are read anew (the person model reached through the rollup's own foreign key).
    people = ActivityRollup._meta.get_field("person").related_model._default_manager
    rows = people.filter(pk__in=ids) if ids is not None else people.all()
    for org_id in rows.order_by().values_list("org_id", flat=True).distinct():
        bump(org_id)
