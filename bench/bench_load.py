"""Latency under load: signed-in leaders and reps on a real server while an import runs.

Serves the database with ``ninety serve`` (gunicorn, ``--workers`` processes) on loopback and
runs, for each level of concurrent users, a closed loop per user for ``--seconds``: a leader
opens their team's dashboard, a rep page of the team and the team's diagnosis through the API;
a rep opens their own page and their own diagnosis through the API; each user waits a think
time of 0.5-1.5 s between requests. Meanwhile ``ninety import activities`` imports a file of
new activities into the same org, again and again (``--import-day old``: 200 days back, a day no
page of the month reads, so the report cache keeps; ``current``: the as-of day, so every import
moves the month's data version and every report is computed anew). Prints p50/p95/p99, errors
and throughput per level, the server's CPU seconds per request (its gunicorn workers' user +
system time from /proc, before and after the level: what a loaded machine does not inflate;
on PostgreSQL also the CPU of the database backends serving it, by their application name),
the size of the data, the machine and its load average (other work on the machine shows there).
Before the levels every user's pages are read once (the report cache filled as after the day's
first look; those cold times are printed apart). The server runs with the production cache
setting (``--cache``: ``db``, or a ``redis://`` URL).

The org is the one ``bench_pages.py`` builds (reused): by default 1,000 reps x 12 months.

Usage: ``python bench/bench_load.py --database-url postgresql://... [--users 20,50]
[--seconds 60] [--workers 4]``; ``--small`` is the CI size (60 reps, 2 months, 5 users, 10 s).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from _machine import machine  # bench/ is on sys.path when a bench runs

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class User:
    """One signed-in person and the pages they cycle through."""

    name: str
    cookie: str
    token: str
    paths: list[tuple[str, str]]  # (kind, path): kind "page" uses the cookie, "api" the token


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.setdefault(what, []).append(seconds)
            if error:
                self.errors.append(error)


def _get(base: str, user: User, kind: str, path: str, timeout: float = 30) -> str | None:
    headers = {"Cookie": user.cookie} if kind == "page" else {"Authorization": user.token}
    req = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return None if r.status == 200 else f"{r.status} {path}"
    except urllib.error.HTTPError as exc:
        return f"{exc.code} {path}"
    except OSError as exc:
        return f"{type(exc).__name__} {path}"


THINK = (0.5, 1.5)


def _user_loop(base: str, user: User, until: float, tally: Tally, seed: int) -> None:
    rnd = random.Random(seed)
    time.sleep(rnd.uniform(0, 1.0))  # users do not all start at once
    i = rnd.randrange(len(user.paths))
    while time.monotonic() < until:
        kind, path = user.paths[i % len(user.paths)]
        t0 = time.perf_counter()
        error = _get(base, user, kind, path)
        what = path.split("?")[0].rstrip("0123456789/") or "/"
        tally.add(f"{kind} {what}", time.perf_counter() - t0, error)
        i += 1
        time.sleep(rnd.uniform(*THINK))


def _percentiles(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=100, method="inclusive")
    return 1000 * statistics.median(xs), 1000 * q[94], 1000 * q[98]


def run_level(base: str, users: list[User], n: int, seconds: float) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_user_loop, args=(base, users[i % len(users)], until, tally, i))
        for i in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def warm(base: str, users: list[User], workers: int) -> list[float]:
    """Every path of every user once, ``workers`` at a time; the seconds each took."""
    todo = [(u, kind, path) for u in users for kind, path in u.paths]
    times: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                user, kind, path = todo.pop()
            t0 = time.perf_counter()
            _get(base, user, kind, path, timeout=600)
            with lock:
                times.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def _people(org, n: int, as_of):  # type: ignore[no-untyped-def]
    """Up to ``n`` users: leaders of teams with reps, and reps of those teams, signed in."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.test import Client

    from ninety.api.services import create_token
    from ninety.people.models import Person, Role, Team

    teams = list(
        Team.objects.filter(org=org, leader__isnull=False)
        .annotate(n=Count("members", filter=Q(members__role=Role.REP)))
        .filter(n__gt=0)
        .select_related("leader")
        .order_by("pk")
    )
    period = f"period={as_of:%Y-%m}&as_of={as_of}"
    users = []
    for i in range(n):
        team = teams[(i // 2) % len(teams)]
        reps = list(Person.objects.filter(team=team, role=Role.REP).order_by("pk"))
        person = team.leader if i % 2 == 0 else reps[(i // (2 * len(teams))) % len(reps)]
        if person.user_id is None:
            user = get_user_model().objects.create_user(f"load-{person.pk}")
            Person.objects.filter(pk=person.pk).update(user=user)
            person.refresh_from_db()
        client = Client()
        client.force_login(person.user)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        token = "Bearer " + create_token(person, "load test")[1]
        if i % 2 == 0:
            paths = [
                ("page", f"/dashboard/?team={team.pk}&{period}"),
                ("page", f"/reps/{reps[0].pk}/?{period}"),
                ("api", f"/api/diagnosis/teams/{team.pk}?{period}"),
            ]
        else:
            paths = [
                ("page", f"/reps/{person.pk}/?{period}"),
                ("api", f"/api/diagnosis/reps/{person.pk}?{period}"),
            ]
        users.append(User(person.name, cookie, token, paths))
    return users


def _import_file(org, rows: int, day, out: Path) -> Path:  # type: ignore[no-untyped-def]
    """New dials (fresh external ids) on ``day``, spread over the reps."""
    from ninety.people.models import Person, Role

    people = list(
        Person.objects.filter(org=org, role=Role.REP).exclude(external_id="")
        .values_list("external_id", flat=True)
    )  # fmt: skip
    stamp = time.time_ns()
    lines = ["external_id,person,occurred_at,type,outcome"]
    lines += [
        f"load-{stamp}-{i},{people[i % len(people)]},{day}T{9 + i % 8:02d}:00:00Z,dial,connect"
        for i in range(rows)
    ]
    path = out / f"load-{stamp}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _imports(env: dict[str, str], slug: str, make_file, stop: threading.Event, done: list) -> None:  # type: ignore[no-untyped-def]
    while not stop.is_set():
        path = make_file()
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "ninety", "import", "activities", str(path), "--org", slug,
             "--preset", "ninety"], env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        done.append((r.returncode, time.perf_counter() - t0))
        path.unlink()


def _serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "ninety", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(OUT / "load-server.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    for _ in range(600):  # a busy machine takes a while to boot the workers
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer within five minutes")


def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's worker processes (children of ``master`` running
    gunicorn; the background task worker is left out), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master and b"gunicorn" in cmdline:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


SERVER_APP = "ninety-load-server"


def _proc_cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended meanwhile
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu(connection) -> dict[int, float]:  # type: ignore[no-untyped-def]
    """CPU seconds so far of each PostgreSQL backend serving the server (its connections carry
    the application name ``SERVER_APP``); empty on SQLite, where the queries run in the
    workers themselves."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [SERVER_APP])
        pids = [row[0] for row in cur.fetchall()]
    return {pid: _proc_cpu(pid) for pid in pids}


def _db_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """A backend seen only at the end counts whole (a connection opened during the level)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _report(n: int, tally: Tally, seconds: float, cpu: float, db: float) -> float:
    """Print a level's figures; returns its p95 in ms."""
    every = [t for ts in tally.times.values() for t in ts]
    p50, p95, p99 = _percentiles(every)
    print(f"{n} users: {len(every):,} requests in {seconds:.0f} s ({len(every) / seconds:.1f}/s), "
          f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, errors {len(tally.errors)}"
          f"; load average {os.getloadavg()[0]:.1f}; server CPU {cpu:.1f} s = "
          f"{1000 * cpu / max(len(every), 1):.0f} ms per request"
          + (f", database {db:.1f} s = {1000 * db / max(len(every), 1):.0f} ms per request"
             if db else ""))  # fmt: skip
    for what, ts in sorted(tally.times.items()):
        a, b, c = _percentiles(ts) if len(ts) > 1 else (1000 * ts[0],) * 3
        print(f"    {what:<28} {len(ts):>6,}  p50 {a:>5.0f}  p95 {b:>5.0f}  p99 {c:>5.0f} ms")
    for e in sorted(set(tally.errors))[:5]:
        print(f"    error: {e}")
    return p95


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None, help="default: bench_pages' SQLite file")
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-27")
    ap.add_argument("--users", default="20,50")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--port", type=int, default=8102)
    ap.add_argument("--import-rows", type=int, default=20000)
    ap.add_argument("--think", default="0.5-1.5", help="seconds between a user's requests")
    ap.add_argument(
        "--import-day",
        choices=("old", "current"),
        default="old",
        help="old: 200 days back (no page of the month reads it); current: as-of day",
    )
    ap.add_argument("--cache", default="db", help="the server's NINETY_CACHE_URL: db or redis://…")
    ap.add_argument("--small", action="store_true", help="CI size")
    args = ap.parse_args(argv)
    if args.small:
        args.reps, args.months, args.users, args.seconds = 60, 2, "5", 10
        args.import_rows = 500
    levels = [int(x) for x in args.users.split(",")]
    global THINK
    THINK = tuple(float(x) for x in args.think.split("-"))  # type: ignore[assignment]
    slug = f"bench-{args.reps}x{args.months}-s{args.seed}"
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or str(OUT / f"{slug}.sqlite3")
    # The org is bench_pages.py's: build it there first if it is missing (one command).
    build = [sys.executable, str(ROOT / "bench" / "bench_pages.py"), "--reps", str(args.reps),
             "--months", str(args.months), "--seed", str(args.seed), "--as-of", args.as_of,
             "--database-url", url, "--requests", "1"]  # fmt: skip
    os.environ.update(NINETY_DATABASE_URL=url, NINETY_DEBUG="0", NINETY_CACHE_URL=args.cache)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    import django

    django.setup()
    from datetime import date, timedelta

    from django.core.management import call_command
    from django.db import connection

    from ninety.activity.models import Activity
    from ninety.people.models import Org

    org = (
        Org.objects.filter(slug=slug).first()
        if "people_org" in connection.introspection.table_names()
        else None
    )
    if org is None:
        subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
        org = Org.objects.get(slug=slug)
    call_command("migrate", verbosity=0)  # a database built by an older Ninety
    as_of = date.fromisoformat(args.as_of)
    users = _people(org, max(levels), as_of)
    n_acts = Activity.objects.filter(org=org).count()
    env = dict(os.environ)
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}; org {slug}: {org.people.count():,} people, "
          f"{n_acts:,} activities; {args.workers} gunicorn workers; think time {args.think} s; "
          f"an import of {args.import_rows:,} activities ({args.import_day} day) running "
          f"throughout; report cache {args.cache}")  # fmt: skip
    connection.close()
    server = _serve(env | {"PGAPPNAME": SERVER_APP}, args.port, args.workers)
    stop, done = threading.Event(), []
    tmp = Path(tempfile.mkdtemp(prefix="ninety-load-"))
    day = as_of - timedelta(days=200) if args.import_day == "old" else as_of
    importer = threading.Thread(target=_imports, args=(
        env, slug, lambda: _import_file(org, args.import_rows, day, tmp), stop, done))  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    p95s = {}
    try:
        # Warm every worker (its first requests import the analytics) and the report cache:
        # each user's pages once, as after a day's first look (the cold figures are printed).
        t0 = time.perf_counter()
        cold = warm(base, users[: max(levels)], args.workers)
        print(f"warm-up: every user's pages once, {len(cold)} requests in "
              f"{time.perf_counter() - t0:.0f} s (cold: p50 {_percentiles(cold)[0]:.0f} ms, "
              f"max {1000 * max(cold):.0f} ms)")  # fmt: skip
        importer.start()
        for n in levels:
            cpu, db = server_cpu_seconds(server.pid), database_cpu(connection)
            tally = run_level(base, users, n, args.seconds)
            cpu = server_cpu_seconds(server.pid) - cpu
            p95s[n] = _report(n, tally, args.seconds, cpu, _db_delta(db, database_cpu(connection)))
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        if importer.is_alive():
            importer.join()
    ok = sum(1 for rc, _ in done if rc == 0)
    print(
        f"imports during the run: {len(done)} ({ok} succeeded), "
        f"median {statistics.median([s for _, s in done]) if done else 0:.1f} s each"
    )
    first = levels[0]
    print(f"p95 at {first} users <= 400 ms: {p95s[first] <= 400}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
