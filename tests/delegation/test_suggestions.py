"""Who to delegate Sam's coaching to: Alex Kim, high-potential and reliably strong at Greeting."""

from __future__ import annotations

from ninety.core.periods import Period
from ninety.delegation.queries import suggest_delegates
from ninety.diagnosis.services import team_report
from ninety.goals.services import suggestions as goal_suggestions
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


def test_without_a_certain_focus_the_suggestion_names_where_the_evidence_points(
    story_org, client
) -> None:
    """Day 1 or a quiet month: no stage is a certain focus, yet the leader still gets a stage
    to ask the delegate to work on, said as a suggestion, by the goal suggestion's own rule."""
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    report = team_report(dana.led_teams.first(), Period.of(AS_OF), AS_OF)
    unsure = [r for r in report.reps if r.diagnosis.focus is None]
    assert unsure, "the story team has reps without a certain focus"
    for r in unsure:
        d = r.diagnosis
        s = suggest_delegates(dana, r.person, AS_OF)
        assert not s.certain and s.focus_key in report.playbook.stage_keys
        assert s.focus_key not in d.strengths
        goal = [
            g for g in goal_suggestions(r.person, report, AS_OF) if g.metric.startswith("stage:")
        ]
        assert goal and goal[0].metric == f"stage:{s.focus_key}"
        assert s.focus_stage is not None and s.focus_stage.key == s.focus_key
    sam = Person.objects.get(org=story_org, name="Sam Patel")
    assert suggest_delegates(dana, sam, AS_OF).certain  # Sam's Greeting is a certain focus
    client.force_login(dana.user)
    who = unsure[0].person
    html = client.get(f"/delegation/?coachee={who.pk}&as_of={AS_OF.isoformat()}").content.decode()
    label = report.factor_label(suggest_delegates(dana, who, AS_OF).focus_key)
    assert (
        f"no certain focus yet; the evidence points most below the team at <strong>{label}</strong>"
        in html
    )
    api = client.get(f"/api/delegation/suggestions?coachee_id={who.pk}&as_of={AS_OF.isoformat()}")
    assert api.json()["focus_certain"] is False
