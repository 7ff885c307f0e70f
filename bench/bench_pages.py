"""Server time of the analytics from a database holding a whole simulated org.

Builds (once, then reuses) a database with a 1,000-rep org x 12 months of simulated history,
imported through the real import path, then measures:

- diagnosis + pace for every rep of the org for the current month, team by team as the pages do
  (issue 14: <= 1 s),
- diagnosis + pace for one team of about 12 reps (issue 14: <= 60 ms),
- the leader dashboard for that team, full request through Django (issue 6: median <= 150 ms),
- the rep page (with its six-month trend).

Usage: ``python bench/bench_pages.py [--reps 1000 --months 12] [--database-url URL]``;
``--small`` is the CI size. Prints the figures, the data size and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import machine  # bench/ is on sys.path when a bench runs

OUT = Path(__file__).resolve().parent / "out"


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    return timed_cpu(fn, repeat)[::2]  # type: ignore[return-value]


def timed_cpu(fn, repeat: int, before=None) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """Median wall seconds, median CPU seconds of this process (what a shared machine's other
    work does not inflate much), and the last result. ``before`` runs untimed before each call
    (emptying the report cache, so that each call computes instead of reading it)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        if before is not None:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-27")
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in bench/out")
    ap.add_argument("--small", action="store_true", help="CI size: 60 reps x 2 months")
    ap.add_argument("--requests", type=int, default=15)
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.months, args.requests = 60, 2, 5
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or str(OUT / f"bench-{args.reps}x{args.months}-s{args.seed}.sqlite3")
    os.environ["NINETY_DATABASE_URL"] = url
    os.environ["NINETY_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django
    import django.utils.timezone

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client

    from ninety.activity.models import Activity, ActivityRollup, ActivityWeekRollup
    from ninety.core.periods import Period
    from ninety.core.simulate import SimConfig, simulate, write_dataset
    from ninety.diagnosis.cache import ALIAS
    from ninety.diagnosis.services import org_reports, team_report
    from ninety.ingest.loader import load_dataset_dir
    from ninety.people.models import Org, Person, Role, Team

    as_of = date.fromisoformat(args.as_of)
    slug = f"bench-{args.reps}x{args.months}-s{args.seed}"
    call_command("migrate", verbosity=0)
    org = Org.objects.filter(slug=slug).first()
    if org is None:
        print(f"building {slug} on {connection.vendor} (once; reused by later runs)…")
        t0 = time.perf_counter()
        sim = simulate(SimConfig(reps=args.reps, months=args.months, seed=args.seed, as_of=as_of))
        with tempfile.TemporaryDirectory(prefix="ninety-bench-") as tmp:
            write_dataset(sim, Path(tmp))
            org = load_dataset_dir(Path(tmp), org_name=slug, slug=slug, progress=True)
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk insert: the statistics, and the visibility map
            # that lets the deal query read its covering index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"built in {time.perf_counter() - t0:.0f} s")
    n_acts = Activity.objects.filter(org=org).count()
    n_roll = ActivityRollup.objects.filter(person__org=org).count()
    n_week = ActivityWeekRollup.objects.filter(person__org=org).count()
    reps = list(Person.objects.filter(org=org, role=Role.REP).select_related("team"))
    print(f"machine: {machine()}")
    print(
        f"database: {connection.vendor}; org {slug}: {len(reps):,} reps, {n_acts:,} activities,"
        f" {n_roll:,} daily and {n_week:,} weekly rollup rows; period {Period.of(as_of)}"
        f" as of {as_of}"
    )
    period = Period.of(as_of)

    # Computed: the report cache emptied before each run (what a page pays after the data
    # changed). Cached: what every later look reads until the next change.
    cold = caches[ALIAS].clear
    org_reports(org, period, as_of)  # warm the database's page cache and the imports
    t_org, c_org, reports = timed_cpu(lambda: org_reports(org, period, as_of), 5, cold)
    t_hit, _ = timed(lambda: org_reports(org, period, as_of), 5)
    n_org = sum(len(r.reps) for r in reports)
    n_comparisons = len({r.comparison_ids for r in reports})
    print(
        f"diagnosis + pace, all {n_org:,} reps of the org (team by team, {n_comparisons}"
        f" comparisons), computed: {1000 * t_org:.0f} ms wall, {1000 * c_org:.0f} ms CPU"
        f" (medians of 5, report cache emptied before each; target <= 1,000 ms); read from"
        f" the report cache: {1000 * t_hit:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )

    teams = list(
        Team.objects.filter(org=org)
        .annotate(n=Count("members", filter=Q(members__role=Role.REP)))
        .filter(n__gt=0)
    )
    team = min(teams, key=lambda t: (abs(t.n - 12), t.pk))
    t_team, c_team, _ = timed_cpu(lambda: team_report(team, period, as_of), 10, cold)
    print(
        f"diagnosis + pace, one team of {team.n} reps, computed: {1000 * t_team:.0f} ms wall,"
        f" {1000 * c_team:.0f} ms CPU (medians of 10, report cache emptied before each;"
        f" target <= 60 ms); load average {os.getloadavg()[0]:.1f}"
    )

    leader = team.leader
    if leader.user_id is None:
        leader.user = get_user_model().objects.create_user(f"{slug}-leader-{leader.pk}")
        Person.objects.filter(pk=leader.pk).update(user=leader.user)
    client = Client()
    client.force_login(leader.user)
    dash = f"/dashboard/?team={team.pk}&period={period}&as_of={as_of}"
    assert client.get(dash).status_code == 200
    t_dash, _ = timed(lambda: client.get(dash), args.requests)
    t_dash_cold = timed_cpu(lambda: client.get(dash), args.requests, cold)[0]
    print(f"leader dashboard, team of {team.n} reps: median {1000 * t_dash:.0f} ms"
          f" over {args.requests} requests (target <= 150 ms); with the report cache"
          f" emptied before each: {1000 * t_dash_cold:.0f} ms")  # fmt: skip
    rep = Person.objects.filter(team=team, role=Role.REP).first()
    page = f"/reps/{rep.pk}/?period={period}&as_of={as_of}"
    assert client.get(page).status_code == 200
    t_rep, _ = timed(lambda: client.get(page), args.requests)
    t_rep_cold = timed_cpu(lambda: client.get(page), args.requests, cold)[0]
    print(f"rep page (with 6-month trend): median {1000 * t_rep:.0f} ms; report cache"
          f" emptied before each: {1000 * t_rep_cold:.0f} ms")  # fmt: skip
    from ninety.coaching.models import OneOnOne
    from ninety.coaching.prep import build_prep

    meeting = OneOnOne.objects.create(
        org=org, leader=leader, rep=rep, scheduled_at=django.utils.timezone.now()
    )
    t_prep, _ = timed(lambda: build_prep(meeting, as_of), args.requests)
    t_prep_cold = timed_cpu(lambda: build_prep(meeting, as_of), args.requests, cold)[0]
    meeting.delete()
    print(f"one-on-one prep sheet: median {1000 * t_prep:.0f} ms (target <= 300 ms); report"
          f" cache emptied before each: {1000 * t_prep_cold:.0f} ms")  # fmt: skip
    ok = t_org <= 1.0 and t_team <= 0.06 and t_dash <= 0.15 and t_prep <= 0.3
    print(f"targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
