"""The roster sweep (:func:`ninety.coaching.services.end_out_of_reach`) at an org's scale: it runs
on every Person and Team save and after each people import, so its cost must not grow with the
number of leaders, and a reorganisation that ends a thousand pairs at once must not break the
import (SQLite refuses a WHERE of more than 1000 ORed terms)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ninety.coaching.models import OneOnOne
from ninety.coaching.services import end_out_of_reach
from ninety.people.models import Person, Role, Team
from ninety.people.permissions import managed_people, still_managed
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _leaders_with_a_meeting(w: World, n: int, tag: str) -> list[Person]:
    """``n`` more leaders, each leading a team under West with one rep and one meeting."""
    at = timezone.now() + timedelta(days=3)
    leaders = []
    for i in range(n):
        lead = Person.objects.create(org=w.org, name=f"L{tag}{i}", role=Role.LEADER, team=w.west)
        team = Team.objects.create(org=w.org, name=f"T{tag}{i}", leader=lead, parent=w.west)
        rep = Person.objects.create(org=w.org, name=f"R{tag}{i}", role=Role.REP, team=team)
        OneOnOne.objects.create(org=w.org, leader=lead, rep=rep, scheduled_at=at)
        leaders.append(lead)
    return leaders


def _queries_of_a_save(w: World) -> int:
    w.rep.refresh_from_db()
    w.rep.name = w.rep.name + "."
    with CaptureQueriesContext(connection) as ctx:
        w.rep.save()  # as the Django admin saves it: every field
    return len(ctx.captured_queries)


def test_a_person_save_costs_the_same_whatever_the_number_of_leaders(world: World) -> None:
    _leaders_with_a_meeting(world, 2, "a")
    few = _queries_of_a_save(world)
    _leaders_with_a_meeting(world, 20, "b")
    many = _queries_of_a_save(world)
    assert many == few, f"{few} queries with 3 leaders, {many} with 23"
    assert OneOnOne.objects.filter(status=OneOnOne.Status.CANCELLED).count() == 0


def test_a_reorganisation_ending_over_a_thousand_pairs_cancels_them_all(world: World) -> None:
    at = timezone.now() + timedelta(days=3)
    reps = Person.objects.bulk_create(
        [
            Person(org=world.org, name=f"Rep {i}", role=Role.REP, team=world.crew)
            for i in range(1100)
        ]
    )
    OneOnOne.objects.bulk_create(
        [OneOnOne(org=world.org, leader=world.leader, rep=r, scheduled_at=at) for r in reps]
    )
    Person.objects.filter(pk__in=[r.pk for r in reps]).update(team=world.closers)  # a bulk move
    assert end_out_of_reach(world.org.pk) == 1100
    left = OneOnOne.objects.filter(leader=world.leader, status=OneOnOne.Status.SCHEDULED)
    assert not left.exists()


def test_the_sweeps_rule_is_managed_people(world: World) -> None:
    # Directors through a sub-team, leaders of a parent team, admins, reps, oneself.
    world.teammate.team = None
    world.teammate.save()
    people = list(Person.objects.filter(org=world.org))
    pairs = {(v.pk, p.pk) for v in people for p in people}
    expected = {(v.pk, p.pk) for v in people for p in managed_people(v)}
    assert still_managed(world.org.pk, pairs) == expected
