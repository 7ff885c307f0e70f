"""The weekly rollup equals the daily one by ISO week, and buckets read through it are exact.

``load_buckets`` reads whole weeks from the weekly rollup and the edge days from the daily one;
here it is held equal, to the count, to a plain sum of the daily rows, on random imports that
straddle week and month boundaries, in a zone far from UTC, for periods starting on every
weekday and as-of days over the whole month (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.db.models import Sum

from ninety.activity.models import ActivityRollup, ActivityWeekRollup
from ninety.activity.rollups import add_to_week, rebuild_weeks
from ninety.core.evidence import bucket_starts, monday
from ninety.diagnosis.loaders import load_buckets
from ninety.ingest.services import import_file
from tests.conftest import World

TYPES = ["dial", "connect", "conversation", "meeting", "proposal"]
OUTCOMES = ["", "connect", "conversation", "meeting", "proposal", "won", "no answer"]
FIRST = date(2026, 6, 20)
DAYS = 200


def weeks_of_daily() -> dict[tuple, tuple[int, int, int, int]]:
    """The daily rollup grouped by ISO week (and over ways) in Python: what the weekly table
    must hold."""
    out: dict[tuple, list[int]] = {}
    for r in ActivityRollup.objects.all():
        key = (r.person_id, monday(r.day), r.type)
        acc = out.setdefault(key, [0, 0, 0, 0])
        for i, v in enumerate((r.count, r.advanced, r.pending, r.duration_seconds)):
            acc[i] += v
    return {k: tuple(v) for k, v in out.items()}


def stored_weeks() -> dict[tuple, tuple[int, int, int, int]]:
    return {
        (r.person_id, r.week, r.type): (
            r.count, r.advanced, r.pending, r.duration_seconds
        )
        for r in ActivityWeekRollup.objects.all()
    }  # fmt: skip


def daily_buckets(ids: list[int], types: list[str], start: date, last: date) -> np.ndarray:
    """The reference: each bucket summed from the daily rows alone, (3, reps, types, buckets)."""
    starts = bucket_starts(start, last)
    ends = [last] + [s - timedelta(days=1) for s in starts[:-1]]
    out = np.zeros((3, len(ids), len(types), len(starts)))
    for b, (a, z) in enumerate(zip(starts, ends, strict=True)):
        rows = (
            ActivityRollup.objects.filter(person_id__in=ids, day__gte=a, day__lte=z)
            .values_list("person_id", "type")
            .annotate(n=Sum("count"), v=Sum("advanced"), p=Sum("pending"))
        )
        for pid, t, n, v, p in rows:
            if t in types:
                out[:, ids.index(pid), types.index(t), b] += (n, v, p)
    return out


def _random_file(path: Path, names: list[str], seed: int, prefix: str) -> None:
    rng = np.random.default_rng(seed)
    lines = ["external_id,person,occurred_at,type,outcome,duration_seconds"]
    for i in range(1500):
        day = FIRST + timedelta(days=int(rng.integers(0, DAYS)))
        # Times near midnight on both sides, so the zone moves rows across day and week edges.
        seconds = int(rng.choice([0, 59, 3600 * 23 + 3599, int(rng.integers(0, 86400))]))
        at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
        lines.append(
            f"{prefix}{i},{rng.choice(names)},{at:%Y-%m-%dT%H:%M:%SZ},{rng.choice(TYPES)},"
            f"{rng.choice(OUTCOMES)},{int(rng.integers(0, 600))}"
        )
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_buckets_from_weeks_equal_buckets_from_days(
    world: World, tmp_path: Path, settings: object, zone: str
) -> None:
    settings.TIME_ZONE = zone  # type: ignore[attr-defined]
    reps = [world.rep, world.teammate, world.other_rep]
    first = tmp_path / "a.csv"
    _random_file(first, [p.name for p in reps], seed=len(zone), prefix="a")
    assert import_file(world.org, "activities", first).imported == 1500
    # A second file reaching back over the first one's days and weeks (upsert-add) …
    second = tmp_path / "b.csv"
    _random_file(second, [p.name for p in reps], seed=99, prefix="b")
    import_file(world.org, "activities", second)
    assert stored_weeks() == weeks_of_daily()
    # … and the same files again: nothing changes.
    before = stored_weeks()
    import_file(world.org, "activities", first)
    import_file(world.org, "activities", second)
    assert stored_weeks() == before
    ids = [p.pk for p in reps]
    checked = 0
    starts = [date(2026, m, 1) for m in range(7, 13)]
    # Periods starting on five different weekdays.
    assert len({s.weekday() for s in starts}) == 5
    for start in starts:
        for last in (start, start + timedelta(days=1), start + timedelta(days=12),
                     start + timedelta(days=27)):  # fmt: skip
            got = load_buckets(ids, TYPES, start, last)
            grid = np.stack(
                [np.stack([d[t] for t in TYPES], axis=1)
                 for d in (got.type_counts, got.advanced, got.pending)]
            )  # fmt: skip
            want = daily_buckets(ids, TYPES, start, last)
            assert grid.sum() > 0
            assert np.array_equal(grid, want), (start, last)
            checked += 1
    assert checked == 24


class _Editor:
    """What the migration's function uses of a schema editor (SQLite's real one cannot run
    inside the test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_rebuild_and_the_backfill_give_what_the_importer_wrote(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    _random_file(path, ["Sam", "Alex", "Grace"], seed=4, prefix="a")
    import_file(world.org, "activities", path)
    imported = stored_weeks()
    assert imported and imported == weeks_of_daily()
    ActivityWeekRollup.objects.all().delete()
    rebuild_weeks([world.rep.pk])
    assert stored_weeks() == {k: v for k, v in imported.items() if k[0] == world.rep.pk}
    rebuild_weeks()
    assert stored_weeks() == imported
    # The migration that took the ways out of the table refills it from the daily rows.
    ActivityWeekRollup.objects.all().delete()
    migration = importlib.import_module("ninety.activity.migrations.0013_week_rollup_without_ways")
    migration.refill(None, _Editor())
    assert stored_weeks() == imported


@pytest.mark.django_db
def test_a_week_sums_the_days_ways(world: World) -> None:
    """Daily rows of one day and type under two ways and none become one weekly row; a single
    activity added or taken away (a call's way moving) keeps the week equal to the days."""
    day = date(2026, 11, 4)  # a Wednesday
    # Way ids only (the rollup's way is not a database constraint): two ways and none.
    for way, n in ((901, 3), (902, 2), (None, 4)):
        ActivityRollup.objects.create(
            person=world.rep, day=day, type="connect", way_id=way, count=n, advanced=1,
            pending=0, duration_seconds=10 * n,
        )  # fmt: skip
    rebuild_weeks([world.rep.pk])
    assert stored_weeks() == {(world.rep.pk, date(2026, 11, 2), "connect"): (9, 3, 0, 90)}
    add_to_week(world.rep.pk, day, "connect", (1, 0, 1, 7))
    assert stored_weeks() == {(world.rep.pk, date(2026, 11, 2), "connect"): (10, 3, 1, 97)}
    add_to_week(world.rep.pk, day + timedelta(days=5), "meeting", (1, 1, 0, 0))  # Monday next
    assert stored_weeks()[(world.rep.pk, date(2026, 11, 9), "meeting")] == (1, 1, 0, 0)
    add_to_week(world.rep.pk, day + timedelta(days=5), "meeting", (-1, -1, 0, 0))
    assert (world.rep.pk, date(2026, 11, 9), "meeting") not in stored_weeks()


@pytest.mark.django_db
def test_deleting_a_person_deletes_their_weeks(world: World, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    _random_file(path, ["Sam", "Alex"], seed=8, prefix="a")
    import_file(world.org, "activities", path)
    assert ActivityWeekRollup.objects.filter(person=world.rep).exists()
    world.rep.delete()
    assert not ActivityWeekRollup.objects.filter(person_id=world.rep.pk).exists()
    assert stored_weeks() == weeks_of_daily()
