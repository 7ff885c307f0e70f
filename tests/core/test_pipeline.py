"""The pipeline funnel's counting: deal levels to stage entries, advanced and pending."""

from __future__ import annotations

import numpy as np
import pytest

from ninety.core.pipeline import (
    deal_steps,
    fit_to_steps,
    funnel_kind,
    level_grid,
    pipeline_playbook,
    step_counts,
    step_names,
)
from ninety.core.playbook_spec import PlaybookSpec, StageSpec

STEPS = ("deal:opened", "deal:qualified", "deal:proposal", "deal:won")


def test_levels_become_cohort_counts() -> None:
    # rep 0: a won deal, a lost one at qualified, one open at proposal; rep 1: one open at opened.
    grid = level_grid(
        owner=[0, 0, 0, 1], bucket=[0, 0, 1, 0], level=[3, 1, 2, 0], is_open=[0, 0, 1, 1],
        n_reps=2, n_buckets=2, n_steps=4,
    )  # fmt: skip
    entries, advanced, pending = step_counts(grid, STEPS)
    assert entries["deal:opened"].tolist() == [[2, 1], [1, 0]]
    assert advanced["deal:opened"].tolist() == [[2, 1], [0, 0]]
    assert pending["deal:opened"].tolist() == [[0, 0], [1, 0]]
    # At proposal: the won deal advanced, the open one is pending (no try yet).
    assert entries["deal:proposal"].tolist() == [[1, 1], [0, 0]]
    assert advanced["deal:proposal"].tolist() == [[1, 0], [0, 0]]
    assert pending["deal:proposal"].tolist() == [[0, 1], [0, 0]]
    assert entries["deal:won"].tolist() == [[1, 0], [0, 0]]


def test_deals_outside_every_bucket_are_left_out() -> None:
    grid = level_grid([0, 0], [-1, 0], [3, 3], [0, 0], 1, 1, 4)
    assert grid.sum() == 1


def test_the_default_pipeline_chains_its_steps() -> None:
    spec = pipeline_playbook()
    assert funnel_kind(spec) == "pipeline"
    assert deal_steps(spec) == STEPS
    names = step_names(STEPS)
    assert names["engaging"] == names["qualified to buy"] == 1
    assert names["contract sent"] == names["proposal"] == 2
    assert "won" not in names and "opened" not in names


def test_steps_no_deal_is_seen_at_are_merged_into_the_next_stage() -> None:
    spec = pipeline_playbook()
    only_close = fit_to_steps(spec, [])
    assert [(s.key, s.entry, s.exit) for s in only_close.stages] == [
        ("close", "deal:opened", "deal:won")
    ]
    assert deal_steps(fit_to_steps(spec, ["deal:proposal"])) == (
        "deal:opened", "deal:proposal", "deal:won",
    )  # fmt: skip
    assert fit_to_steps(spec, STEPS) == spec


def test_a_joined_playbook_and_its_errors() -> None:
    joined = PlaybookSpec(
        "Joined", 1,
        (
            StageSpec("connect", "Prospecting", "dial", "connect"),
            StageSpec("qualify", "Qualify", "deal:opened", "deal:qualified"),
            StageSpec("close", "Close", "deal:qualified", "deal:won"),
        ),
    )  # fmt: skip
    assert funnel_kind(joined) == "joined"
    assert deal_steps(joined) == ("deal:opened", "deal:qualified", "deal:won")
    mixed = PlaybookSpec("Bad", 1, (StageSpec("x", "X", "dial", "deal:won"),))
    with pytest.raises(ValueError, match="both be deal steps"):
        funnel_kind(mixed)
    broken = PlaybookSpec(
        "Bad", 1,
        (
            StageSpec("a", "A", "deal:opened", "deal:qualified"),
            StageSpec("b", "B", "deal:proposal", "deal:won"),
        ),
    )  # fmt: skip
    with pytest.raises(ValueError, match="must chain"):
        deal_steps(broken)


def test_counts_are_a_true_binomial() -> None:
    rng = np.random.default_rng(3)
    n = 500
    grid = level_grid(
        rng.integers(0, 4, n), rng.integers(0, 3, n), rng.integers(0, 4, n),
        rng.integers(0, 2, n), 4, 3, 4,
    )  # fmt: skip
    entries, advanced, pending = step_counts(grid, STEPS)
    for s in STEPS[:-1]:
        assert np.all(advanced[s] <= entries[s] - pending[s])
