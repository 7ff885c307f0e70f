"""The demo org: Dana Reyes's inside-sales team under director Morgan Lee."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from ninety.coaching.demo import seed_demo as seed_one_on_ones
from ninety.coaching.notifications import remind_tomorrow
from ninety.conf import today
from ninety.conversations.demo import seed_calls
from ninety.core.simulate import (
    SimConfig,
    SimulatedOrg,
    first_clear_story,
    simulate,
    stop_at,
    write_dataset,
)
from ninety.delegation.demo import seed_demo as seed_delegation
from ninety.experiments.services import refresh_running
from ninety.goals.demo import seed_demo as seed_goals
from ninety.ingest.loader import load_dataset_dir
from ninety.people.models import Org, Person, Role

DEMO_SLUG = "demo"
DEMO_PASSWORD = "coach-the-90"
DEMO_TIME_ZONE = "America/Los_Angeles"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    note: str


ADMIN_NAME = "Riley Park"
DEMO_LOGINS = (
    DemoLogin("dana", "Dana Reyes", "leader", "leader of Greeting Crew — start here"),
    DemoLogin("morgan", "Morgan Lee", "leader", "director over two teams"),
    DemoLogin("sam", "Sam Patel", "rep", "a rep on Dana's team"),
    DemoLogin("alex", "Alex Kim", "rep", "high-potential rep, strong at Greeting"),
    DemoLogin("riley", "Riley Park", "admin", "RevOps admin, sees the whole org"),
)


def reset_demo() -> None:
    """Remove a previous demo org and its logins, so ``ninety demo`` can be run again."""
    org = Org.objects.filter(slug=DEMO_SLUG).first()
    if org is None:
        return
    user_ids = list(
        Person.objects.filter(org=org, user__isnull=False).values_list("user_id", flat=True)
    )
    org.delete()
    get_user_model().objects.filter(pk__in=user_ids).delete()


#: The demo's simulated org: two regions, the story team first (see docs/simulator.md).
DEMO_REPS = 30
DEMO_MONTHS = 4
DEMO_SEED = 0
STORY_LOGINS = {
    "Dana Reyes": "dana",
    "Morgan Lee": "morgan",
    "Sam Patel": "sam",
    "Alex Kim": "alex",
}


def story_draw(as_of: date) -> SimulatedOrg:
    """The first seed (from DEMO_SEED) whose draw tells the story plainly on this date."""
    seeds = range(DEMO_SEED, DEMO_SEED + 20)
    sim = first_clear_story(as_of, reps=DEMO_REPS, months=DEMO_MONTHS, seeds=seeds)
    if sim is not None:
        return sim
    # Twenty unlucky draws in a row: show the last one rather than nothing.
    return simulate(
        SimConfig(reps=DEMO_REPS, months=DEMO_MONTHS, seed=seeds[-1], as_of=as_of, story=True)
    )


def build_demo_org(as_of: date | None = None, *, progress: bool = False) -> Org:
    """Simulate the demo story up to ``as_of`` (today), import it, and give everyone a login.

    The data goes through the same path as a customer's: simulator CSV files, the ``ninety``
    import preset, the rollups. Logins: the story's people get short usernames (dana, morgan,
    sam, alex), the admin ``riley``; everyone else their e-mail's local part.
    """
    as_of = as_of or today()
    reset_demo()
    sim = story_draw(as_of)
    now = timezone.now()
    built_from = now
    if as_of >= timezone.localdate(now):
        # Today is not over: nothing is logged later than now (the last whole day otherwise).
        sim = stop_at(sim, int(now.timestamp()))
    with tempfile.TemporaryDirectory(prefix="ninety-demo-") as tmp:
        write_dataset(sim, Path(tmp))
        org = load_dataset_dir(
            Path(tmp), org_name="Acme Home Energy", slug=DEMO_SLUG, progress=progress
        )
    # Dana's team works in California: every page shows its times there.
    org.time_zone = DEMO_TIME_ZONE
    org.save(update_fields=["time_zone"])
    _create_logins(org)
    seed_story(org, as_of)
    # What the hourly `ninety notify` would have written by now: tomorrow's one-on-ones.
    remind_tomorrow(as_of, org.pk)
    # Its pages read the stamps in its own zone: the days to move are counted there (on a
    # server's calendar hours ahead of California they went a day too far back).
    real_day = timezone.localdate(now, ZoneInfo(DEMO_TIME_ZONE))
    if as_of < real_day:
        stamp_as_of(org, built_from, timezone.now(), (real_day - as_of).days)
    return org


def stamp_as_of(org: Org, first: datetime, last: datetime, days: int) -> int:
    """Move every stamp the build wrote with the real clock (between ``first`` and ``last``)
    ``days`` back, to the demo's own day: a demo served as of 1 December then reads its
    notifications, publishing and self-report as written that day, not on the real 3rd, which
    its pages read as days ahead. Only ``org``'s rows: the database may hold a customer's org,
    whose rows written meanwhile (a token used, an import) keep their time. Expiry dates
    (after ``last``) are left alone. Rows moved."""
    moved = 0
    for model in apps.get_models():
        if not model.__module__.startswith("ninety."):
            continue
        stamps = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
        ]
        if not stamps:
            continue
        of_org = model._default_manager.filter(**{_org_path(model): org.pk})
        for name in stamps:
            rows = of_org.filter(**{f"{name}__gte": first, f"{name}__lte": last})
            moved += rows.update(**{name: F(name) - timedelta(days=days)})
    return moved


def _org_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to its org: the org itself, its ``org``, or the ``org`` of the
    row it belongs to (a token's person, a note's meeting). LookupError for a model with none:
    a new one must say whose it is before the demo may move its stamps."""
    if model is Org:
        return "pk"
    names = {f.name: f for f in model._meta.concrete_fields}
    if "org" in names:
        return "org"
    for field in names.values():
        to_one = field.many_to_one or field.one_to_one
        if to_one and any(f.name == "org" for f in field.related_model._meta.fields):
            return f"{field.name}__org"
    raise LookupError(f"{model.__name__}: no path to its org")


def seed_story(org: Org, as_of: date) -> None:
    """The parts of the story that are not CRM data: Sam's one-on-ones and the experiment his
    commitment became, Dana's delegation to Alex and her week of time, her team's goals; a few
    call transcripts."""
    story = Person.objects.filter(org=org, name__in=("Sam Patel", "Alex Kim")).order_by("name")
    seed_calls(org, as_of, list(story))
    seed_one_on_ones(org, as_of)
    refresh_running(org, as_of)
    seed_delegation(org, as_of)
    seed_goals(org, as_of)


@transaction.atomic
def _create_logins(org: Org) -> None:
    user_model = get_user_model()
    # One hash for all demo users: the demo password is public anyway, and Argon2 per user
    # would add seconds to every `make demo`.
    password = make_password(DEMO_PASSWORD)
    people = list(Person.objects.filter(org=org, user__isnull=True))
    taken = set(user_model.objects.values_list("username", flat=True))
    for person in people:
        if person.role == Role.ADMIN:
            # The simulated admin has a random name: "riley" signed in as "Grace Ross".
            username, person.name = "riley", ADMIN_NAME
        else:
            username = (
                STORY_LOGINS.get(person.name)
                or (person.email.split("@")[0] or person.external_id).lower()
            )
        while username in taken:
            username += "1"
        taken.add(username)
        person.user = user_model.objects.create(
            username=username,
            email=person.email,
            password=password,
        )
    Person.objects.bulk_update(people, ["user", "name"])
