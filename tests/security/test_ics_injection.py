"""Finding 5 (medium): line breaks in a person's name went raw into the one-on-one ``.ics``."""

from __future__ import annotations

import icalendar

from ninety.people.models import Person
from tests.coaching.conftest import sams_meeting
from tests.conftest import World

EVIL = (
    "Sam\r\nATTENDEE;CN=Eve:mailto:eve@evil.example\r\nBEGIN:VALARM\r\nTRIGGER:-PT1M\r\nEND:VALARM"
)


def test_finding5_names_cannot_add_attendees_or_alarms(world: World, client_for):
    Person.objects.filter(pk=world.rep.pk).update(name=EVIL)
    Person.objects.filter(pk=world.leader.pk).update(name='Dana "the boss"\nX-INJECTED:1')
    meeting = sams_meeting(world)
    response = client_for(world.leader).get(f"/one-on-ones/{meeting.pk}.ics")
    assert response.status_code == 200
    body = response.content.decode()
    unfolded = body.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert sum(line.startswith("ATTENDEE") for line in lines) == 1
    assert not any(line.startswith(("BEGIN:VALARM", "TRIGGER", "X-INJECTED")) for line in lines)
    assert "eve@evil.example" not in [line.rsplit("mailto:", 1)[-1] for line in lines]
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert not event.walk("VALARM")
    assert str(event["ATTENDEE"]) == "mailto:sam@example.com"
    assert event["ATTENDEE"].params["CN"].startswith("Sam ATTENDEE")


def test_finding5_an_address_with_a_line_break_is_left_out(world: World, client_for):
    Person.objects.filter(pk=world.rep.pk).update(email="sam@example.com\r\nBEGIN:VALARM")
    meeting = sams_meeting(world)
    body = client_for(world.leader).get(f"/one-on-ones/{meeting.pk}.ics").content.decode()
    assert "VALARM" not in body
    assert "ATTENDEE" not in body
    assert "ORGANIZER" in body
