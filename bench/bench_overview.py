"""The director's overview and the daily digest on a whole simulated org.

Builds (once, then reuses) a database with a 1,000-rep org (about 80 teams) imported through
the real import path, then measures:

- the overview page (teams × stages against the region, the leaders' coaching side by side,
  the admin's data health), full request through Django, for the admin (every team) and for a
  director: median over N requests once the teams' snapshot is computed (issue 20: <= 300 ms),
  and the one-off computation of that snapshot (the diagnosis of every team);
- the periodic notifications for a day on which every rep has a one-on-one tomorrow, and the
  daily digest e-mails of every person of the org built and sent (issue 20: <= 10 s).

Usage: ``python bench/bench_overview.py [--reps 1000 --months 3] [--database-url URL]``;
``--small`` is a quick size. Prints the figures, the data size and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from _machine import machine  # bench/ is on sys.path when a bench runs

OUT = Path(__file__).resolve().parent / "out"


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def _setup(args: argparse.Namespace) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or str(OUT / f"bench-{args.reps}x{args.months}-s{args.seed}.sqlite3")
    os.environ["NINETY_DATABASE_URL"] = url
    os.environ["NINETY_DEBUG"] = "0"
    # The first request also imports SciPy and compiles templates: no request time limit.
    os.environ.setdefault("NINETY_REQUEST_SECONDS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _org(args: argparse.Namespace, as_of: date):  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.db import connection

    from ninety.core.simulate import SimConfig, simulate, write_dataset
    from ninety.ingest.loader import load_dataset_dir
    from ninety.people.models import Org

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
        print(f"built in {time.perf_counter() - t0:.0f} s")
    return org


def _client(person):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ninety.people.models import Person

    if person.user_id is None:
        person.user = get_user_model().objects.create_user(f"bench-{person.pk}")
        Person.objects.filter(pk=person.pk).update(user=person.user)
    client = Client()
    client.force_login(person.user)
    return client


def bench_overview(org, as_of: date, requests: int) -> bool:  # type: ignore[no-untyped-def]
    from ninety.core.periods import Period
    from ninety.home.models import TeamsSnapshot
    from ninety.home.overview import compute_snapshot
    from ninety.people.models import Person, Role, Team

    admin = Person.objects.filter(org=org, role=Role.ADMIN).first()
    if admin is None:
        admin = Person.objects.create(org=org, name="Bench Admin", role=Role.ADMIN)
    period = Period.of(as_of)
    url = f"/overview/?period={period}&as_of={as_of}"
    TeamsSnapshot.objects.filter(org=org).delete()
    t0 = time.perf_counter()
    compute_snapshot.call(org.pk, str(period), as_of.isoformat())  # the task the page queues
    cold = 1000 * (time.perf_counter() - t0)
    client = _client(admin)
    assert client.get(url).status_code == 200
    snap = TeamsSnapshot.objects.get(org=org)
    n_teams = len(snap.data["teams"])
    warm = median_ms(lambda: client.get(url), requests)
    print(f"overview, admin, {n_teams} teams: median {warm:.0f} ms over {requests} requests"
          f" (target <= 300 ms); the teams' snapshot (diagnosis of every team, on the task"
          f" queue) {cold / 1000:.1f} s")  # fmt: skip
    parents = set(Team.objects.filter(org=org).values_list("parent_id", flat=True))
    top = Team.objects.filter(org=org, pk__in=parents).exclude(leader=None).first()
    ok = warm <= 300
    if top is not None:
        director = _client(top.leader)
        assert director.get(url).status_code == 200
        d_ms = median_ms(lambda: director.get(url), requests)
        print(f"overview, director {top.leader.name} ({top.name}): median {d_ms:.0f} ms")
        ok = ok and d_ms <= 300
    return ok


def bench_digest(org, as_of: date) -> bool:  # type: ignore[no-untyped-def]
    from django.core import mail
    from django.utils import timezone

    from ninety.coaching.models import OneOnOne
    from ninety.home.management.commands.notify import CHECKS
    from ninety.notify.models import Notification
    from ninety.notify.tasks import send_digests
    from ninety.people.models import Person, Role

    reps = list(Person.objects.filter(org=org, role=Role.REP, is_active=True)
                .select_related("team"))  # fmt: skip
    Notification.objects.filter(org=org).delete()
    OneOnOne.objects.filter(org=org, summary="bench").delete()
    at = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), datetime.min.time()))
    OneOnOne.objects.bulk_create(
        OneOnOne(org=org, leader_id=r.team.leader_id, rep=r, summary="bench",
                 scheduled_at=at + timedelta(hours=9, minutes=30 * (i % 16)))
        for i, r in enumerate(reps) if r.team_id and r.team.leader_id
    )  # fmt: skip
    mail.outbox = []
    t0 = time.perf_counter()
    written = CHECKS["one-on-ones tomorrow"](as_of)
    t_check = time.perf_counter() - t0
    at_once = len(mail.outbox)
    t0 = time.perf_counter()
    sent = send_digests.call()
    t_digest = time.perf_counter() - t0
    people = Person.objects.filter(org=org).count()
    print(f"periodic check: {written:,} notifications for {len(reps):,} one-on-ones tomorrow"
          f" in {t_check:.1f} s ({at_once:,} e-mails at once)")  # fmt: skip
    print(
        f"daily digest: {sent:,} e-mails for the {people:,} people of the org built and sent"
        f" in {t_digest:.2f} s (target <= 10 s); check + digest {t_check + t_digest:.1f} s"
    )
    OneOnOne.objects.filter(org=org, summary="bench").delete()
    return t_digest <= 10


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-27")
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in bench/out")
    ap.add_argument("--small", action="store_true", help="quick size: 60 reps x 2 months")
    ap.add_argument("--requests", type=int, default=15)
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.months, args.requests = 60, 2, 5
    _setup(args)
    from django.db import connection

    from ninety.activity.models import ActivityRollup
    from ninety.people.models import Person, Role, Team

    as_of = date.fromisoformat(args.as_of)
    org = _org(args, as_of)
    n_reps = Person.objects.filter(org=org, role=Role.REP).count()
    n_teams = Team.objects.filter(org=org).count()
    n_roll = ActivityRollup.objects.filter(person__org=org).count()
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}; org {org.slug}: {n_reps:,} reps in {n_teams} teams,"
          f" {n_roll:,} rollup rows; as of {as_of}")  # fmt: skip
    ok = bench_overview(org, as_of, args.requests)
    ok = bench_digest(org, as_of) and ok
    print(f"targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
