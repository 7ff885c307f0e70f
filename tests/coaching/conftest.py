"""Fixtures for one-on-ones: Sam's meeting with Dana, in the small world and in the story org."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from ninety.coaching.models import OneOnOne
from ninety.coaching.services import schedule_series
from ninety.core.playbook_spec import default_playbook
from ninety.people.models import Org, Person
from ninety.playbook.services import current_playbook, install_playbook
from tests.conftest import World
from tests.diagnosis.conftest import AS_OF, story_org, story_org_live, story_sim  # noqa: F401

#: The story's one-on-one: Friday 27 Nov 2026 at 15:00 (AS_OF is that day).
MEETING_DAY = AS_OF


def sams_meeting(w: World) -> OneOnOne:
    """Sam's next one-on-one with Dana (a weekly series on the world's Acme org)."""
    existing = OneOnOne.objects.filter(rep=w.rep, leader=w.leader).order_by("pk").first()
    if existing is not None:
        return existing
    if current_playbook(w.org) is None:
        install_playbook(w.org, default_playbook())
    series = schedule_series(w.leader, w.rep, weekday=MEETING_DAY.weekday(), at=time(15, 0),
                             start=MEETING_DAY)  # fmt: skip
    return series.meetings.get()


@pytest.fixture
def meeting(world: World) -> OneOnOne:
    return sams_meeting(world)


def story_people(org: Org) -> tuple[Person, Person]:
    sam = Person.objects.get(org=org, name="Sam Patel")
    dana = Person.objects.get(org=org, name="Dana Reyes")
    return sam, dana


@pytest.fixture
def story_meeting(story_org: Org) -> OneOnOne:  # noqa: F811
    sam, dana = story_people(story_org)
    series = schedule_series(dana, sam, weekday=MEETING_DAY.weekday(), at=time(15, 0),
                             start=MEETING_DAY)  # fmt: skip
    return series.meetings.get()


__all__ = ["AS_OF", "MEETING_DAY", "UTC", "datetime", "sams_meeting", "story_people"]
