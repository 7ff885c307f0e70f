"""Delegating with expectations, recording the outcome, reviewing it — and the delegate's access."""

from __future__ import annotations

import pytest

from ninety.delegation import services
from ninety.delegation.access import delegated_people, visible_tasks
from ninety.delegation.models import Delegation, ExpectationRating, TacticalTask
from ninety.delegation.queries import waiting_review
from ninety.people.services import set_high_potential
from tests.conftest import World
from tests.delegation.helpers import danas_task, delegation_to_alex, greeting


def test_a_delegate_sees_the_coachee_only_while_the_delegation_is_open(world: World) -> None:
    assert not delegated_people(world.teammate).exists()
    d = delegation_to_alex(world)
    assert list(delegated_people(world.teammate)) == [world.rep]
    assert not delegated_people(world.other_leader).exists()  # not the delegate
    b = greeting(world)
    services.record_outcome(
        d, world.teammate, ratings={f"b{b.pk}": ("met", "good"), "s0": ("partly", "")}, notes="x"
    )
    assert not delegated_people(world.teammate).exists()
    services.review_delegation(d, world.leader, notes="Thanks")
    assert not delegated_people(world.teammate).exists()
    assert TacticalTask.objects.get().status == TacticalTask.Status.REVIEWED


def test_cancelling_a_delegation_ends_access_and_reopens_the_task(world: World) -> None:
    d = delegation_to_alex(world)
    services.cancel_delegation(d, world.leader)
    assert not delegated_people(world.teammate).exists()
    assert TacticalTask.objects.get().status == TacticalTask.Status.OPEN


def test_the_outcome_rates_every_expectation(world: World) -> None:
    d = delegation_to_alex(world)
    b = greeting(world)
    with pytest.raises(services.DelegationError, match="missing tone"):
        services.record_outcome(d, world.teammate, ratings={f"b{b.pk}": ("met", "")})
    assert not ExpectationRating.objects.exists()
    services.record_outcome(
        d, world.teammate, ratings={f"b{b.pk}": ("met", "a"), "s0": ("not_observed", "b")}
    )
    assert [(r.label, r.rating) for r in d.ratings.all()] == [
        ("Create a compelling reason to speak", "met"),
        ("tone", "not_observed"),
    ]


def test_only_the_delegate_reports_and_only_the_owner_reviews(world: World) -> None:
    d = delegation_to_alex(world)
    with pytest.raises(services.DelegationError, match="only the delegate"):
        services.record_outcome(d, world.leader, ratings={})
    with pytest.raises(services.DelegationError, match="no reported outcome"):
        services.review_delegation(d, world.leader)
    with pytest.raises(services.DelegationError, match="owner"):
        services.review_delegation(d, world.teammate)


def test_a_coaching_session_needs_expectations_and_a_coachee(world: World) -> None:
    task = danas_task(world)
    with pytest.raises(services.DelegationError, match="coachee"):
        services.delegate_task(task, world.leader, world.teammate, process_steps=["tone"])
    with pytest.raises(services.DelegationError, match="expectations"):
        services.delegate_task(task, world.leader, world.teammate, coachee=world.rep)
    assert not Delegation.objects.exists()
    assert TacticalTask.objects.get().status == TacticalTask.Status.OPEN


def test_a_rep_must_be_high_potential_to_be_a_delegate(world: World) -> None:
    set_high_potential(world.teammate, False)
    with pytest.raises(services.DelegationError, match="not marked high-potential"):
        delegation_to_alex(world)
    set_high_potential(world.teammate, True)
    assert delegation_to_alex(world).delegate == world.teammate


def test_a_leader_cannot_delegate_to_someone_in_another_org_or_themselves(world: World) -> None:
    task = danas_task(world)
    with pytest.raises(services.DelegationError, match="no such person"):
        services.delegate_task(task, world.leader, world.outsider)
    with pytest.raises(services.DelegationError, match="other than yourself"):
        services.delegate_task(task, world.leader, world.leader)


def test_a_coachee_must_be_someone_the_leader_leads(world: World) -> None:
    b = greeting(world)
    with pytest.raises(services.DelegationError, match="not someone you lead"):
        services.delegate_task(
            danas_task(world), world.leader, world.teammate, coachee=world.other_rep,
            behaviors=[b],
        )  # fmt: skip


def test_a_task_is_delegated_once_at_a_time(world: World) -> None:
    d = delegation_to_alex(world)
    with pytest.raises(services.DelegationError, match="delegated already"):
        services.delegate_task(d.task, world.leader, world.other_leader, coachee=world.rep,
                               process_steps=["tone"])  # fmt: skip


def test_tasks_are_visible_to_owner_delegate_director_and_admin(world: World) -> None:
    d = delegation_to_alex(world)
    for who in (world.leader, world.teammate, world.director, world.admin):
        assert list(visible_tasks(who)) == [d.task], who
    for who in (world.rep, world.other_leader, world.outsider):
        assert not visible_tasks(who).exists(), who


def test_waiting_review_lists_open_and_reported_delegations(world: World) -> None:
    d = delegation_to_alex(world)
    [w] = waiting_review(world.leader)
    assert (w.title, w.delegate, w.coachee, w.reported) == (d.task.title, "Alex", "Sam", False)
    assert w.url.endswith(f"#delegation-{d.pk}")
    assert waiting_review(world.other_leader) == []
