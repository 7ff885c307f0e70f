"""Proposals, drafts, versions and the diff, through the service functions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ninety.activity.models import Activity
from ninety.core.playbook_spec import default_playbook
from ninety.playbook.diff import diff_playbooks
from ninety.playbook.models import Playbook, Stage, Way
from ninety.playbook.services import (
    PlaybookError,
    add_way,
    approve_way,
    current_playbook,
    decline_way,
    move_item,
    playbook_spec,
    propose_way,
    publish_draft,
    start_draft,
    too_many_ways,
    update_item,
)
from tests.conftest import World
from tests.playbook.conftest import way

GREETING = "compelling-reason-to-speak"


def _greeting(playbook: Playbook):  # type: ignore[no-untyped-def]
    return playbook.stages.get(key="conversation").behaviors.get(key=GREETING)


def test_a_rep_proposes_a_way_that_awaits_a_leader(world: World, playbook: Playbook) -> None:
    w = propose_way(world.rep, _greeting(playbook), "  Mention the neighbour who switched  ")
    assert (w.status, w.source, w.author, w.text) == (
        "proposed", "rep", world.rep, "Mention the neighbour who switched",
    )  # fmt: skip
    assert w.key == "mention-the-neighbour-who-switched"


def test_an_approved_way_credits_its_author_and_may_be_reworded(
    world: World, playbook: Playbook
) -> None:
    w = propose_way(world.rep, _greeting(playbook), "mention the neighbour")
    approved = approve_way(world.leader, w, "Mention the neighbour who switched last week.")
    assert (approved.status, approved.author, approved.text) == (
        "approved", world.rep, "Mention the neighbour who switched last week.",
    )  # fmt: skip


def test_an_approval_publishes_a_new_version_and_leaves_the_old_one_as_it_was(
    world: World, playbook: Playbook
) -> None:
    w = propose_way(world.rep, _greeting(playbook), "Ask about the weather")
    approved = approve_way(world.leader, w)
    v2 = approved.behavior.stage.playbook
    playbook.refresh_from_db()
    w.refresh_from_db()
    assert (playbook.status, v2.status, v2.version) == ("archived", "published", 2)
    assert w.status == "proposed"  # v1 stays as it was published
    assert current_playbook(world.org) == v2
    changes = diff_playbooks(playbook_spec(playbook), playbook_spec(v2))
    assert any("Ask about the weather" in str(c) for c in changes), changes


def test_past_ten_ways_an_approval_warns(world: World, playbook: Playbook) -> None:
    behavior = _greeting(playbook)
    n = behavior.ways.filter(status="approved").count()
    for i in range(10 - n):
        behavior = approve_way(world.leader, propose_way(world.rep, behavior, f"way {i}")).behavior
    assert too_many_ways(behavior) == ""
    behavior = approve_way(world.leader, propose_way(world.rep, behavior, "one more")).behavior
    assert "11 approved ways" in too_many_ways(behavior)


def test_declining_needs_a_reason_the_author_reads(world: World, playbook: Playbook) -> None:
    w = propose_way(world.rep, _greeting(playbook), "Shout")
    with pytest.raises(PlaybookError, match="reason"):
        decline_way(world.leader, w, "   ")
    w.refresh_from_db()
    assert w.status == "proposed"
    decline_way(world.leader, w, "Too loud for the phone.")
    w.refresh_from_db()
    assert (w.status, w.decline_reason) == ("retired", "Too loud for the phone.")


def test_a_decision_on_the_published_version_reaches_the_open_draft(
    world: World, playbook: Playbook
) -> None:
    draft = start_draft(world.org)
    w = propose_way(world.rep, _greeting(playbook), "Ask about their weekend")
    copy = Way.objects.get(behavior__stage__playbook=draft, key=w.key)
    assert copy.status == "proposed" and copy.author == world.rep
    approve_way(world.leader, w)
    copy.refresh_from_db()
    assert copy.status == "approved"
    v2 = publish_draft(draft)
    assert Way.objects.get(behavior__stage__playbook=v2, key=w.key).status == "approved"


def test_publishing_a_draft_makes_a_new_version_and_archives_the_old(
    world: World, playbook: Playbook
) -> None:
    draft = start_draft(world.org)
    assert start_draft(world.org) == draft  # one draft at a time
    assert (draft.version, draft.status) == (2, "draft")
    update_item(draft.stages.get(key="conversation"), name="Opening")
    v2 = publish_draft(draft)
    playbook.refresh_from_db()
    assert (playbook.status, v2.status, v2.version) == ("archived", "published", 2)
    assert playbook.stages.get(key="conversation").name == "Greeting"


def test_published_versions_are_never_edited(world: World, playbook: Playbook) -> None:
    stage = playbook.stages.get(key="conversation")
    with pytest.raises(PlaybookError, match="edit the draft"):
        update_item(stage, name="Opening")
    assert Stage.objects.get(pk=stage.pk).name == "Greeting"


def test_activities_keep_the_way_and_version_they_were_logged_under(
    world: World, playbook: Playbook
) -> None:
    old = way(playbook, "price-hook")
    activity = Activity.objects.create(
        org=world.org, person=world.rep, occurred_at=timezone.now() - dt.timedelta(days=1),
        type="connect", way=old, outcome="conversation",
    )  # fmt: skip
    draft = start_draft(world.org)
    update_item(way(draft, "price-hook"), text="Lead with the saving, then ask a question.")
    publish_draft(draft)
    activity.refresh_from_db()
    assert activity.way == old
    assert activity.way.text == "Lead with the headline price saving."
    assert activity.way.behavior.stage.playbook.version == 1


def test_reordering_moves_an_item_among_its_siblings(world: World, playbook: Playbook) -> None:
    draft = start_draft(world.org)
    greeting = draft.stages.get(key="conversation")
    move_item(greeting, -1)
    assert list(draft.stages.order_by("order").values_list("key", flat=True))[:2] == [
        "conversation", "connect",
    ]  # fmt: skip
    move_item(greeting, -5)  # clamped at the top
    assert draft.stages.order_by("order").first().key == "conversation"


def test_the_diff_names_changed_stages_and_added_ways(world: World, playbook: Playbook) -> None:
    draft = start_draft(world.org)
    update_item(draft.stages.get(key="conversation"), name="Opening", exit_type="conversation")
    add_way(_greeting(draft), "Ask how their day is going, and mean it.", world.leader)
    changes = diff_playbooks(playbook_spec(playbook), playbook_spec(draft))
    summary = {(c.kind, c.action, c.after or c.what) for c in changes}
    assert ("stage", "changed", "Opening (connect → conversation)") in summary
    assert ("way", "added", "Ask how their day is going, and mean it.") in summary
    assert len(changes) == 2


def test_the_diff_of_identical_versions_is_empty() -> None:
    spec = default_playbook()
    assert diff_playbooks(spec, spec) == []


def test_the_diff_lists_removed_and_reworded_items() -> None:
    from dataclasses import replace

    old = default_playbook()
    stages = list(old.stages)
    b = stages[1].behaviors[0]
    b2 = replace(b, ways=b.ways[1:], questions=(*b.questions[1:], "Is the name said first?"))
    stages[1] = replace(stages[1], behaviors=(b2,))
    new = replace(old, stages=tuple(stages[:-1]))
    actions = {(c.kind, c.action) for c in diff_playbooks(old, new)}
    assert actions == {
        ("way", "removed"), ("question", "removed"), ("question", "added"), ("stage", "removed"),
    }  # fmt: skip
