"""A delegate sees the coachee's pages only while the delegation is open (end to end)."""

from __future__ import annotations

from ninety.core.playbook_spec import default_playbook
from ninety.delegation.models import TaskCategory
from ninety.delegation.services import create_task, delegate_task, record_outcome
from ninety.playbook.models import Stage
from ninety.playbook.services import install_playbook
from tests.conftest import World


def test_a_delegate_rep_sees_the_coachee_only_while_the_task_is_open(
    world: World, client_for
) -> None:
    playbook = install_playbook(world.org, default_playbook())
    greeting = Stage.objects.get(playbook=playbook, key="conversation")
    behavior = greeting.behaviors.get()
    alex = client_for(world.teammate)  # high-potential rep on Sam's team
    pages = [f"/reps/{world.rep.pk}/", f"/people/{world.rep.pk}/", f"/api/people/{world.rep.pk}"]
    assert [alex.get(p).status_code for p in pages] == [404, 404, 404]

    task = create_task(world.leader, "Coach Sam on the greeting", category=TaskCategory.COACHING)
    delegation = delegate_task(
        task, world.leader, world.teammate, coachee=world.rep, focus_stage=greeting,
        behaviors=[behavior],
    )  # fmt: skip
    assert [alex.get(p).status_code for p in pages] == [200, 200, 200]
    # Only the coachee: not the leader, not another team's rep.
    assert alex.get(f"/people/{world.other_rep.pk}/").status_code == 404
    assert alex.get(f"/people/{world.leader.pk}/").status_code == 404

    record_outcome(
        delegation, world.teammate, ratings={f"b{behavior.pk}": ("met", "better opener")}
    )
    assert [alex.get(p).status_code for p in pages] == [404, 404, 404]
