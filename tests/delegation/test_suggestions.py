"""Who to delegate Sam's coaching to: Alex Kim, high-potential and reliably strong at Greeting."""

from __future__ import annotations

from ninety.delegation.queries import suggest_delegates
from ninety.people.models import Person
from ninety.people.services import set_high_potential
from tests.delegation.conftest import AS_OF


def test_alex_is_the_first_suggestion_for_sams_greeting(story_org) -> None:
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    sam = Person.objects.get(org=story_org, name="Sam Patel")
    s = suggest_delegates(dana, sam, AS_OF)
    assert s.focus_key == "conversation" and s.focus_label == "Greeting"
    assert s.focus_stage is not None and s.focus_stage.key == "conversation"
    first = s.ranked[0]
    assert first.person.name == "Alex Kim" and first.eligible
    assert first.reasons[:2] == ("reliably strong at Greeting", "high-potential")
    assert sam.pk not in {x.person.pk for x in s.ranked}
    assert dana.pk not in {x.person.pk for x in s.ranked}


def test_unmarking_high_potential_makes_a_strong_rep_ineligible(story_org) -> None:
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    sam = Person.objects.get(org=story_org, name="Sam Patel")
    alex = Person.objects.get(org=story_org, name="Alex Kim")
    set_high_potential(alex, False)
    s = suggest_delegates(dana, sam, AS_OF)
    row = next(x for x in s.ranked if x.person.pk == alex.pk)
    assert not row.eligible and "high-potential" not in row.reasons


def test_without_a_coachee_leaders_and_high_potential_reps_are_offered(story_org) -> None:
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    s = suggest_delegates(dana, None, AS_OF)
    assert s.focus_key is None
    assert all(x.eligible for x in s.ranked)
    assert any(x.person.name == "Alex Kim" for x in s.ranked)
