"""Re-importing changes nothing; rollups equal the raw rows; the simulator's files load exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Count, Q, Sum

from ninety.activity.models import Activity, ActivityRollup, Deal, Quota
from ninety.ingest.loader import load_dataset_dir
from ninety.ingest.services import import_file
from ninety.people.models import Person
from tests.conftest import World


def _rollup_totals() -> dict[str, int]:
    agg = ActivityRollup.objects.aggregate(
        n=Sum("count"), adv=Sum("advanced"), pend=Sum("pending"), dur=Sum("duration_seconds")
    )
    return {k: v or 0 for k, v in agg.items()}


@pytest.fixture
def sim_dir(tmp_path: Path) -> Path:
    from ninety.core.simulate import SimConfig, simulate, write_dataset

    out = tmp_path / "sim"
    write_dataset(simulate(SimConfig(reps=4, months=1, seed=3)), out)
    return out


@pytest.mark.django_db
def test_the_simulated_dataset_loads_exactly(sim_dir: Path) -> None:
    org = load_dataset_dir(sim_dir, org_name="Sim", slug="sim")
    lines = {k: sum(1 for _ in (sim_dir / f"{k}.csv").open()) - 1 for k in
             ("people", "activities", "deals", "quotas")}  # fmt: skip
    assert Person.objects.filter(org=org).count() == lines["people"]
    assert Activity.objects.filter(org=org).count() == lines["activities"]
    assert Deal.objects.filter(org=org).count() == lines["deals"]
    assert Quota.objects.filter(person__org=org).count() == lines["quotas"]


@pytest.mark.django_db
def test_rollups_equal_the_raw_rows(sim_dir: Path) -> None:
    org = load_dataset_dir(sim_dir, org_name="Sim", slug="sim")
    raw = Activity.objects.filter(org=org).aggregate(
        n=Count("id"), pend=Count("id", filter=Q(outcome="")), dur=Sum("duration_seconds")
    )
    totals = _rollup_totals()
    assert (totals["n"], totals["pend"], totals["dur"]) == (raw["n"], raw["pend"], raw["dur"])
    per_type = dict(Activity.objects.values_list("type").annotate(n=Count("id")))
    rolled = dict(ActivityRollup.objects.values_list("type").annotate(n=Sum("count")))
    assert per_type == rolled
    advanced = Activity.objects.filter(
        Q(type="dial", outcome="connect") | Q(type="connect", outcome="conversation")
        | Q(type="conversation", outcome="meeting") | Q(type="meeting", outcome="proposal")
        | Q(type="proposal", outcome="won")
    ).count()  # fmt: skip
    assert totals["adv"] == advanced


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_imports_nothing(sim_dir: Path) -> None:
    org = load_dataset_dir(sim_dir, org_name="Sim", slug="sim")
    before = _rollup_totals()
    rows = Activity.objects.count()
    s = import_file(org, "activities", sim_dir / "activities.csv", preset="ninety")
    assert (s.imported, s.duplicates, s.rejected) == (0, rows, 0)
    assert Activity.objects.count() == rows
    assert _rollup_totals() == before
    deals = import_file(org, "deals", sim_dir / "deals.csv", preset="ninety")
    assert (deals.imported, deals.updated) == (0, 0)


@pytest.mark.django_db
def test_a_file_without_ids_is_deduplicated_by_content(acme: World, tmp_path: Path) -> None:
    path = tmp_path / "noids.csv"
    path.write_text(
        "person,occurred_at,type\nSam,2026-10-01T09:00:00Z,dial\nSam,2026-10-01T09:00:00Z,dial\n"
    )
    first = import_file(acme.org, "activities", path)
    second = import_file(acme.org, "activities", path)
    assert (first.imported, second.imported, second.duplicates) == (2, 0, 2)
    assert ActivityRollup.objects.get(person=acme.rep).count == 2


@pytest.mark.django_db
def test_a_block_stored_only_in_its_middle_adds_just_the_new_rows(
    acme: World, tmp_path: Path
) -> None:
    # The first and last ids are new, so the writer tries the whole block first: the stored
    # middle row must send it back to the careful path, not into the rollups twice.
    head = "external_id,person,occurred_at,type\n"
    middle = tmp_path / "middle.csv"
    middle.write_text(head + "A2,Sam,2026-10-01T10:00:00Z,dial\n")
    around = tmp_path / "around.csv"
    around.write_text(
        head + "A1,Sam,2026-10-01T09:00:00Z,dial\nA2,Sam,2026-10-01T10:00:00Z,dial\n"
        "A3,Sam,2026-10-01T11:00:00Z,dial\n"
    )
    assert import_file(acme.org, "activities", middle).imported == 1
    s = import_file(acme.org, "activities", around)
    assert (s.imported, s.duplicates) == (2, 1)
    assert Activity.objects.filter(org=acme.org).count() == 3
    assert ActivityRollup.objects.get(person=acme.rep).count == 3


@pytest.mark.django_db
def test_rollups_add_up_across_imports_before_on_and_after_stored_days(
    acme: World, tmp_path: Path
) -> None:
    # A later file reaches back before the last stored day (an upsert: add to stored keys, or
    # a new key) and past it (new keys only): every day must count exactly its rows.
    head = "external_id,person,occurred_at,type\n"
    first = tmp_path / "first.csv"
    first.write_text(head + "A1,Sam,2026-10-01T09:00:00Z,dial\nA3,Sam,2026-10-03T09:00:00Z,dial\n")
    later = tmp_path / "later.csv"
    later.write_text(
        head + "B2,Sam,2026-10-02T09:00:00Z,dial\nB3,Sam,2026-10-03T10:00:00Z,dial\n"
        "B4,Sam,2026-10-04T09:00:00Z,dial\nB5,Sam,2026-10-04T10:00:00Z,connect\n"
    )
    import_file(acme.org, "activities", first)
    import_file(acme.org, "activities", later)
    per_day = {(r.day.day, r.type): r.count for r in ActivityRollup.objects.filter(person=acme.rep)}
    assert per_day == {(1, "dial"): 1, (2, "dial"): 1, (3, "dial"): 2, (4, "dial"): 1,
                       (4, "connect"): 1}  # fmt: skip


def _rollup_snapshot() -> tuple[list[tuple], list[tuple]]:
    from ninety.activity.models import ActivityWeekRollup

    cols = ("person_id", "type", "count", "advanced", "pending", "duration_seconds")
    daily = sorted(ActivityRollup.objects.values_list("day", "way_id", *cols))
    weekly = sorted(ActivityWeekRollup.objects.values_list("week", *cols))
    return daily, weekly


@pytest.mark.django_db
def test_rollups_are_the_same_in_small_blocks_across_files_as_in_one_import(
    acme: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small blocks over days and weeks that continue from block to block, two files that
    # overlap, out-of-order days, a re-import: the rollups (new days written straight, days
    # already stored upsert-added) must equal one import of all the rows, and the weekly table
    # the daily one by week.
    import random

    from ninety.activity.rollups import rebuild_weeks
    from ninety.ingest import reader

    rnd = random.Random(7)
    people, types = ("Sam", "Alex", "Grace"), ("dial", "connect", "meeting")
    lines = []
    for i in range(600):
        day, minute = 1 + i * 28 // 600 + rnd.choice((0, 0, 0, -3)), rnd.randrange(600)
        stamp = f"2026-10-{max(day, 1):02d}T{8 + minute // 60:02d}:{minute % 60:02d}:00Z"
        kind = rnd.choice(types)
        outcome = rnd.choice(("", "none", "connect" if kind == "dial" else ""))
        lines.append(f"A{i},{rnd.choice(people)},{stamp},{kind},{i % 90},{outcome}")
    head = "external_id,person,occurred_at,type,duration_seconds,outcome\n"
    whole, part = tmp_path / "all.csv", tmp_path / "part.csv"
    whole.write_text(head + "\n".join(lines) + "\n")
    part.write_text(head + "\n".join(lines[::3]) + "\n")
    assert import_file(acme.org, "activities", whole).imported == 600
    expected = _rollup_snapshot()
    Activity.objects.all().delete()
    ActivityRollup.objects.all().delete()
    rebuild_weeks()
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1024)
    assert import_file(acme.org, "activities", part).imported == 200
    s = import_file(acme.org, "activities", whole)
    assert (s.imported, s.duplicates) == (400, 200)
    assert _rollup_snapshot() == expected
    assert import_file(acme.org, "activities", whole).imported == 0
    assert _rollup_snapshot() == expected
    rebuild_weeks()
    assert _rollup_snapshot() == expected
