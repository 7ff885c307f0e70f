"""Shared fixtures: a small world with the personas of every permission test.

Org "Acme": admin Riley; director Morgan leads "West" (members: leaders Dana and Chris);
Dana leads "Crew" (reps Sam, Alex); Chris leads "Closers" (rep Grace).
Org "Other": Olive (admin) — the outsider who should have no access to Acme.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client

from ninety.people.models import Org, Person, Role, Team
from ninety.people.services import create_person

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    org: Org
    other_org: Org
    admin: Person
    director: Person
    leader: Person
    other_leader: Person
    rep: Person
    teammate: Person
    other_rep: Person
    outsider: Person
    outsider_rep: Person
    west: Team
    crew: Team
    closers: Team
    other_team: Team

    def persona(self, name: str) -> Person:
        return getattr(self, name)


def build_world() -> World:
    org = Org.objects.create(name="Acme", slug="acme")
    other = Org.objects.create(name="Other", slug="other")

    def p(o: Org, name: str, role: str, team: Team | None = None, **kw: object) -> Person:
        username = name.lower()
        return create_person(
            o, name, role=role, team=team, email=f"{username}@example.com",
            external_id=f"ext-{username}", username=username, password=PASSWORD,
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    admin = p(org, "Riley", Role.ADMIN)
    director = p(org, "Morgan", Role.LEADER)
    west = Team.objects.create(org=org, name="West", leader=director)
    leader = p(org, "Dana", Role.LEADER, west)
    other_leader = p(org, "Chris", Role.LEADER, west)
    crew = Team.objects.create(org=org, name="Crew", leader=leader, parent=west)
    closers = Team.objects.create(org=org, name="Closers", leader=other_leader, parent=west)
    rep = p(org, "Sam", Role.REP, crew)
    teammate = p(org, "Alex", Role.REP, crew, high_potential=True)
    other_rep = p(org, "Grace", Role.REP, closers)
    outsider = p(other, "Olive", Role.ADMIN)
    other_team = Team.objects.create(org=other, name="Elsewhere", leader=outsider)
    outsider_rep = p(other, "Oscar", Role.REP, other_team)
    return World(
        org, other, admin, director, leader, other_leader, rep, teammate, other_rep,
        outsider, outsider_rep, west, crew, closers, other_team,
    )  # fmt: skip


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_for(db: None):
    def make(person: Person | None) -> Client:
        client = Client()
        if person is not None:
            client.force_login(person.user)
        return client

    return make


@pytest.fixture(autouse=True)
def immediate_tasks(request: pytest.FixtureRequest, settings: object) -> None:
    """Background tasks (imports) run at once inside the test, unless it asks for the queue."""
    if "real_queue" not in request.keywords:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def empty_report_cache() -> Iterator[None]:
    """Each test starts with an empty report cache (its ids are reused after a rollback)."""
    caches["reports"].clear()
    yield
    caches["reports"].clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest, settings: object) -> None:
    """Argon2 is deliberately slow; tests use a fast hasher unless they test hashing itself."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


# Browser fixtures live here so every test folder shares one Playwright session.
CHROMIUM = os.environ.get("NINETY_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (make test does)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()
