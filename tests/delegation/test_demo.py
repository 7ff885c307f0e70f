"""The demo story: Dana's week is 55 / 25 / 20 and the coaching session waits for her review."""

from __future__ import annotations

from ninety.core.attention import BEHAVIOR, RESULTS, TACTICAL, IsoWeek
from ninety.delegation.access import delegated_people
from ninety.delegation.demo import seed_demo
from ninety.delegation.models import Delegation, TimeEntry
from ninety.delegation.queries import attention_week, waiting_review
from ninety.people.models import Person
from tests.delegation.conftest import AS_OF


def test_the_demo_week_splits_55_25_20_and_suggests_two_items(story_org) -> None:
    seeded = seed_demo(story_org, AS_OF)
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    meter = attention_week(dana, IsoWeek.of(AS_OF))
    assert meter.percent == {BEHAVIOR: 55, RESULTS: 25, TACTICAL: 20}
    assert meter.split.total == 2400
    assert [(c.title, c.minutes) for c in meter.candidates] == [
        ("Weekly schedule building", 120),
        ("Report review", 90),
    ]
    assert "title=Weekly+schedule+building" in meter.candidates[0].delegate_url
    assert seeded.import_summary.created == TimeEntry.objects.filter(source="calendar").count()


def test_the_demo_delegation_waits_for_review(story_org) -> None:
    seed_demo(story_org, AS_OF)
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    alex = Person.objects.get(org=story_org, name="Alex Kim")
    [waiting] = waiting_review(dana)
    assert waiting.delegate == "Alex Kim" and waiting.coachee == "Sam Patel"
    assert waiting.reported and waiting.delegation.status == Delegation.Status.REPORTED
    expectations = [b.name for b in waiting.delegation.behaviors.all()]
    assert expectations == ["Create a compelling reason to speak"]
    assert waiting.delegation.steps == ["tone"]
    # Alex reported back: the access to Sam's page has ended.
    assert not delegated_people(alex).exists()


def test_seeding_twice_never_duplicates_calendar_time(story_org) -> None:
    seed_demo(story_org, AS_OF)
    before = TimeEntry.objects.filter(source="calendar").count()
    again = seed_demo(story_org, AS_OF)
    assert again.import_summary.created == 0
    assert TimeEntry.objects.filter(source="calendar").count() == before
