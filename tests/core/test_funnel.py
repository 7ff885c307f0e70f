"""Funnels from activity counts (playbook stages) and from deals alone."""

from __future__ import annotations

import numpy as np
import pytest

from ninety.core.funnel import (
    DEAL_LOST,
    DEAL_OPEN,
    DEAL_WON,
    activity_counts,
    activity_funnel,
    deal_funnel,
    month_bounds,
    won_in_period,
)
from ninety.core.playbook_spec import default_playbook

TYPES = ("dial", "connect", "conversation", "meeting", "proposal", "won", "lost", "email")


def test_month_bounds_are_utc_midnights() -> None:
    start, end = month_bounds("2026-12")
    assert start == 1796083200  # 2026-12-01T00:00:00Z
    assert end - start == 31 * 86400


def test_activity_counts_count_per_person_and_type_in_the_window() -> None:
    person = np.array([0, 0, 1, 1, 1, 2])
    type_ = np.array([0, 1, 0, 0, 7, 0])
    ts = np.array([10, 20, 30, 40, 50, 999])
    counts = activity_counts(person, type_, ts, n_people=3, n_types=8, start=0, end=100)
    assert counts.shape == (3, 8)
    assert counts[0, 0] == 1 and counts[0, 1] == 1
    assert counts[1, 0] == 2 and counts[1, 7] == 1
    assert counts[2].sum() == 0  # outside the window


def test_the_activity_funnel_uses_the_playbook_stages_and_telescopes() -> None:
    counts = np.array(
        [
            [600, 120, 60, 16, 10, 4, 6, 20],
            [500, 100, 40, 10, 5, 2, 3, 10],
        ]
    )
    won_value = np.array([40_000.0, 18_000.0])
    f = activity_funnel(counts, default_playbook(), won_value, type_names=TYPES)
    assert f.kind == "activity"
    assert f.stage_keys == ("connect", "conversation", "meeting", "proposal", "won")
    assert f.entry_types == ("dial", "connect", "conversation", "meeting", "proposal")
    np.testing.assert_array_equal(f.volume, [600, 500])
    np.testing.assert_allclose(f.rates[0], [0.2, 0.5, 16 / 60, 10 / 16, 0.4])
    # volume × Π rates × deal size = won value, exactly (the decomposition's identity).
    np.testing.assert_allclose(f.volume * f.rates.prod(axis=1) * f.deal_size, won_value)


def test_it_accepts_a_mapping_and_clips_exits_beyond_entries() -> None:
    counts = {"dial": [10, 0], "connect": [12, 0], "conversation": [3, 0]}
    f = activity_funnel(
        counts,
        [("connect", "dial", "connect"), ("conversation", "connect", "conversation")],
        [0, 0],
    )
    assert f.clipped == 1
    np.testing.assert_array_equal(f.successes[0], [10, 3])
    np.testing.assert_array_equal(f.rates[1], [0, 0])  # no tries → rate 0 (PostHog's rule)
    # Rep 1 has no wins: its deal size is undefined (NaN), not 0.
    assert np.isnan(f.deal_size[1])


def test_it_names_a_missing_activity_type() -> None:
    with pytest.raises(ValueError, match="'meeting'"):
        activity_funnel({"dial": [1], "connect": [1]}, [("m", "connect", "meeting")], [0])


def test_the_deal_funnel_needs_no_activities() -> None:
    start, end = month_bounds("2026-11")
    inside, before = start + 86400, start - 86400
    owner = np.array([0, 0, 0, 0, 1, 1])
    opened = np.array([inside, inside, inside, before, inside, before])
    closed = np.array([-1, inside + 5, inside + 9, inside + 3, -1, end + 10])
    status = np.array([DEAL_OPEN, DEAL_WON, DEAL_LOST, DEAL_WON, DEAL_OPEN, DEAL_WON])
    stage = np.array([0, 4, 2, 4, 1, 4])
    value = np.array([1.0, 100.0, 50.0, 200.0, 5.0, 999.0])
    f = deal_funnel(owner, opened, closed, status, stage, value, 2, start, end)
    assert f.kind == "deal" and f.stage_keys == ("engaged", "won")
    np.testing.assert_array_equal(f.volume, [3, 1])  # opened in the period
    np.testing.assert_array_equal(f.successes[:, 0], [2, 1])  # engaged among them
    np.testing.assert_array_equal(f.tries[:, 1], [3, 0])  # closed in the period
    np.testing.assert_array_equal(f.successes[:, 1], [2, 0])  # won among them
    np.testing.assert_array_equal(f.won_value, [300.0, 0.0])


def test_won_in_period_ignores_open_lost_and_out_of_period_deals() -> None:
    val, cnt = won_in_period(
        [0, 0, 1, 1], [10.0, 20.0, 30.0, 40.0], [1, 2, 1, 0], [5, 6, 500, -1], 2, 0, 100
    )
    np.testing.assert_array_equal(val, [10.0, 0.0])
    np.testing.assert_array_equal(cnt, [1, 0])
