"""Which ways work takes each rep's own skill out: a strong rep's favourite way is not
crowned just because the strong rep uses it."""

from __future__ import annotations

from ninety.playbook.models import Playbook, Stage
from ninety.playbook.queries import which_ways_work
from tests.conftest import World
from tests.playbook.conftest import log_way, way


def test_a_strong_reps_favourite_way_is_not_ranked_best_for_it(
    world: World, playbook: Playbook
) -> None:
    a = way(playbook, "reference-a-local-customer")
    b = way(playbook, "question-about-last-bill")
    # Sam converts 60% whichever way he uses; Alex 20%. Sam mostly uses A, Alex mostly B.
    log_way(world.rep, a, 100, 60)
    log_way(world.rep, b, 10, 6)
    log_way(world.teammate, b, 100, 20)
    log_way(world.teammate, a, 10, 2)
    stage = Stage.objects.get(playbook=playbook, key="conversation")
    result = which_ways_work(playbook, [stage])
    estimates = result[stage.behaviors.get().pk].estimates
    # Raw rates would say 56% against 24%; with the reps' skill taken out the two are alike.
    assert abs(estimates[a.key].mean - estimates[b.key].mean) < 0.05
    assert estimates[a.key].tries == estimates[b.key].tries == 110
