"""The demo org of WIREFRAMES.md: Dana Reyes's inside-sales team under director Morgan Lee."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from ninety.core.playbook_spec import default_playbook
from ninety.people.models import Org, Person, Role, Team
from ninety.people.services import create_person
from ninety.playbook.services import install_playbook

DEMO_SLUG = "demo"
DEMO_PASSWORD = "coach-the-90"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    note: str


DEMO_LOGINS = (
    DemoLogin("dana", "Dana Reyes", "leader", "leader of Greeting Crew — start here"),
    DemoLogin("morgan", "Morgan Lee", "leader", "director over two teams"),
    DemoLogin("sam", "Sam Patel", "rep", "a rep on Dana's team"),
    DemoLogin("riley", "Riley Quinn", "admin", "RevOps admin, sees the whole org"),
)

GREETING_CREW = (
    "Sam Patel", "Alex Kim", "Jordan Miller", "Priya Shah", "Luis Romero",
    "Emma Novak", "Kofi Mensah", "Hannah Berg", "Omar Haddad",
)  # fmt: skip
SECOND_TEAM = (
    "Grace Liu", "Ben Carter", "Sofia Rossi", "Mateo Diaz", "Aisha Bello", "Noah Fischer",
    "Ivy Tran",
)  # fmt: skip


def _username(name: str) -> str:
    return name.split()[0].lower()


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


@transaction.atomic
def build_demo_org() -> Org:
    """People, teams and the default playbook of the demo org (no activity yet)."""
    reset_demo()
    org = Org.objects.create(name="Acme Home Energy", slug=DEMO_SLUG)
    install_playbook(org, default_playbook())

    def person(name: str, role: str, team: Team | None, login: bool, **kw: object) -> Person:
        first, last = name.lower().split()[0], name.lower().split()[-1]
        return create_person(
            org,
            name,
            role=role,
            team=team,
            email=f"{first}.{last}@acme.example",
            external_id=f"{first}.{last}",
            username=_username(name) if login else None,
            password=DEMO_PASSWORD if login else None,
            **kw,  # type: ignore[arg-type]
        )

    person("Riley Quinn", Role.ADMIN, None, True)
    morgan = person("Morgan Lee", Role.LEADER, None, True)
    region = Team.objects.create(org=org, name="West Region", leader=morgan)
    dana = person("Dana Reyes", Role.LEADER, region, True)
    chris = person("Chris Ortiz", Role.LEADER, region, True)
    crew = Team.objects.create(org=org, name="Greeting Crew", leader=dana, parent=region)
    closers = Team.objects.create(org=org, name="Desert Closers", leader=chris, parent=region)
    for name in GREETING_CREW:
        person(name, Role.REP, crew, True, high_potential=name == "Alex Kim")
    for name in SECOND_TEAM:
        person(name, Role.REP, closers, True)
    return org
