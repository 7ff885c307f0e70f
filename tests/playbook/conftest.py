"""Playbook fixtures: Acme's published default playbook, and rollups of ways used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ninety.activity.models import ActivityRollup
from ninety.activity.rollups import rebuild_weeks
from ninety.core.playbook_spec import default_playbook
from ninety.people.models import Person
from ninety.playbook.models import Playbook, Way
from ninety.playbook.services import install_playbook
from tests.conftest import World


@pytest.fixture
def playbook(world: World) -> Playbook:
    return install_playbook(world.org, default_playbook())


def way(playbook: Playbook, key: str) -> Way:
    return Way.objects.get(behavior__stage__playbook=playbook, key=key)


def log_way(person: Person, w: Way, tries: int, advanced: int, days_ago: int = 1) -> None:
    """Roll up ``tries`` activities at the way's stage (its entry type), ``advanced`` advancing."""
    ActivityRollup.objects.create(
        person=person,
        day=timezone.localdate() - dt.timedelta(days=days_ago),
        type=w.behavior.stage.entry_type,
        way=w,
        count=tries,
        advanced=advanced,
    )
    rebuild_weeks([person.pk])


def log_stage(person: Person, type_: str, tries: int, advanced: int, days_ago: int = 1) -> None:
    """Roll up activities at a stage without a recorded way."""
    ActivityRollup.objects.create(
        person=person,
        day=timezone.localdate() - dt.timedelta(days=days_ago),
        type=type_,
        count=tries,
        advanced=advanced,
    )
    rebuild_weeks([person.pk])
