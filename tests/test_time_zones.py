"""Time zones: the org default, a person's own zone, and the page that sets them."""

from __future__ import annotations

import pytest

from ninety.people.models import Org, Person
from ninety.people.timezones import check_zone, zone_name, zone_names
from tests.conftest import World


def test_a_person_falls_back_to_the_org_default(world: World) -> None:
    assert zone_name(world.rep) == "UTC"
    world.org.time_zone = "America/Chicago"
    world.org.save()
    rep = Person.objects.select_related("org").get(pk=world.rep.pk)
    assert zone_name(rep) == "America/Chicago"
    rep.time_zone = "Europe/Berlin"
    assert zone_name(rep) == "Europe/Berlin"


def test_only_real_zones_are_accepted() -> None:
    assert "Europe/Berlin" in zone_names() and "UTC" in zone_names()
    assert check_zone(" Asia/Tokyo ") == "Asia/Tokyo"
    with pytest.raises(ValueError, match="Mars/Olympus"):
        check_zone("Mars/Olympus")


def test_each_person_sets_their_own_zone_and_only_an_admin_the_orgs(
    world: World, client_for
) -> None:
    sam = client_for(world.rep)
    response = sam.post("/account/time-zone/", {"time_zone": "Europe/Berlin"}, follow=True)
    assert "Times now show in Europe/Berlin" in response.content.decode()
    assert Person.objects.get(pk=world.rep.pk).time_zone == "Europe/Berlin"
    bad = sam.post("/account/time-zone/", {"time_zone": "Nowhere/Land"}, follow=True)
    assert "is not an IANA zone" in bad.content.decode()
    assert Person.objects.get(pk=world.rep.pk).time_zone == "Europe/Berlin"
    assert sam.post("/account/time-zone/", {"org_time_zone": "Asia/Tokyo"}).status_code == 403
    assert Org.objects.get(pk=world.org.pk).time_zone == "UTC"
    client_for(world.admin).post("/account/time-zone/", {"org_time_zone": "Asia/Tokyo"})
    assert Org.objects.get(pk=world.org.pk).time_zone == "Asia/Tokyo"
    assert Org.objects.get(pk=world.other_org.pk).time_zone == "UTC"
    # Back to the default: the org's zone again.
    sam.post("/account/time-zone/", {"time_zone": ""})
    assert zone_name(Person.objects.select_related("org").get(pk=world.rep.pk)) == "Asia/Tokyo"
