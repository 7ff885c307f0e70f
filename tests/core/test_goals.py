"""Behavior goals in the core: periods, judging progress, suggested targets, the scorecard, and
the issue's figures on the simulator (bench/bench_goals.py at a small size, fixed seed)."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from ninety.core import goals
from ninety.core.stage_model import prob_at_least, stage_posteriors

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_goals as bench


def test_period_bounds_and_business_days() -> None:
    wed = dt.date(2026, 11, 25)
    assert goals.period_bounds("day", wed) == (wed, wed)
    assert goals.period_bounds("week", wed) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert goals.period_bounds("month", wed) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert goals.period_bounds("month", dt.date(2026, 12, 9))[1] == dt.date(2026, 12, 31)
    assert goals.business_days(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == 21
    e = goals.elapsed("week", wed, wed)
    assert (e.done, e.total, e.is_final) == (3, 5, False)
    assert goals.elapsed("week", wed, dt.date(2026, 12, 3)).is_final
    with pytest.raises(ValueError, match="period kind 'year'"):
        goals.period_bounds("year", wed)


def test_metrics_list_every_stage_and_the_result() -> None:
    m = goals.metrics([("connect", "Connect"), ("greeting", "Greeting")])
    assert list(m)[:3] == ["volume", "stage:connect", "stage:greeting"]
    assert m["stage:greeting"].stage == "greeting" and m["stage:greeting"].kind == "rate"
    assert m["quota"].category == goals.RESULT
    assert {k for k, v in m.items() if v.category == goals.BEHAVIOR} >= {"recital", "one_on_ones"}
    assert m["stage:connect"].format(0.384) == "38%"
    assert m["volume"].format(44.0) == "44.0 a day"
    assert m["volume"].format(math.nan) == "–"


def test_prob_at_least_is_the_stage_models_posterior() -> None:
    x = np.array([[30.0], [28], [31], [29], [20], [30], [33], [27], [25]])
    n = np.full((9, 1), 100.0)
    g = np.zeros(9, np.int64)
    post = stage_posteriors(x, n, g)
    # The model's own 90 % interval: 95 % of the posterior lies above its low end, 5 % above
    # its high end (up to the lattice).
    assert np.allclose(prob_at_least(x, n, g, post.low), 0.95, atol=0.02)
    assert np.allclose(prob_at_least(x, n, g, post.high), 0.05, atol=0.03)
    # Monotone in the threshold, and a 0 threshold is certain.
    lo, hi = prob_at_least(x, n, g, 0.2), prob_at_least(x, n, g, 0.35)
    assert np.all(lo > hi) and np.allclose(prob_at_least(x, n, g, 1e-6), 1.0)
    # The 20/100 rep is far less likely to reach 30 % than the 33/100 rep.
    p30 = prob_at_least(x, n, g, 0.3)
    assert p30[4, 0] < 0.15 < p30[6, 0]
    assert math.isnan(prob_at_least(x, n, g, np.full((9, 1), np.nan))[0, 0])


def test_three_of_five_is_not_a_met_goal() -> None:
    # A team converting 55 %, a goal of 60 %: 3 of 5 is "60 %" raw, but the posterior says the
    # rep is most likely near the team (not materially short, not likely at the goal either).
    x = np.array([[3.0], [110], [105], [115]])
    n = np.array([[5.0], [200], [200], [200]])
    g = np.zeros(4, np.int64)
    p = prob_at_least(x, n, g, 0.6)[0, 0]
    near = prob_at_least(x, n, g, goals.NEAR * 0.6)[0, 0]
    j = goals.judge_rate(p, near, 0.6)
    assert 0.05 < p < 0.3 and near > 0.8
    assert j.status == goals.ON_TRACK and j.status != goals.MET
    assert j.certainty_phrase == (
        f"{round(100 * p)}% chance it meets the goal in full; not 20%+ short of it"
    )
    # Against a team at 30 %, the same 3 of 5 is far less likely at the goal (five tries do not
    # make a rep twice the team's rate); 2 of 5 there is over 95 % sure to fall short: behind.
    x2 = np.array([[3.0], [60], [55], [65]])
    p2 = prob_at_least(x2, n, g, 0.6)[0, 0]
    assert p2 < 0.5 * p and p2 < 0.1
    x3 = np.array([[2.0], [60], [55], [65]])
    p3 = prob_at_least(x3, n, g, 0.6)[0, 0]
    assert p3 < p2 and goals.judge_rate(p3, 1.0, 0.6).status == goals.BEHIND


def test_status_rule_edges() -> None:
    assert goals.status_from(0.049, 0.99) == goals.BEHIND
    assert goals.status_from(0.05, 0.8) == goals.ON_TRACK
    assert goals.status_from(0.3, 0.79) == goals.UNKNOWN
    assert goals.status_from(math.nan, 0.9) == goals.UNKNOWN
    assert goals.Judgement(goals.ON_TRACK, 1.0, 0.5).certainty_phrase == (
        "99% chance it meets the goal"
    )


def test_a_goal_not_settled_yet_says_what_would_settle_it() -> None:
    # "not yet known · 5% likely" read as a contradiction: the label says the evidence is not
    # settled, the phrase the chance so far and what would settle it.
    j = goals.judge_rate(0.05, 0.5, 0.4, more_tries=120)
    assert j.status == goals.UNKNOWN and j.label == "not settled yet"
    assert j.certainty_phrase == (
        "5% chance it meets the goal so far; about 120 more tries would settle it"
    )
    assert "likely" not in j.certainty_phrase and "known" not in j.label
    # Settled (behind or on track): no tries to count.
    assert goals.judge_rate(0.01, 0.5, 0.4, more_tries=120).more_tries == 0
    assert goals.judge_rate(0.9, 0.95, 0.6, more_tries=120).certainty_phrase == (
        "90% chance it meets the goal"
    )
    # A volume has no tries to count: 30 dials on the first whole day against 40 a day.
    volume = goals.judge_volume(30, 1, 23, 40)
    assert volume.status == goals.UNKNOWN
    assert volume.certainty_phrase == (
        "9% chance it meets the goal so far; too early to call it either way"
    )


def test_volume_share_count_and_result_judgements() -> None:
    # 45 a day for 10 days against 40 a day: on track; 30 a day: behind.
    assert goals.judge_volume(450, 10, 20, 40).status == goals.ON_TRACK
    assert goals.judge_volume(300, 10, 20, 40).status == goals.BEHIND
    assert goals.judge_volume(0, 0, 20, 40).status == goals.UNKNOWN
    assert goals.judge_volume(450, 10, 20, 40).projected == 45
    # Lower is better: 30 a day against at most 40 is on track.
    assert goals.judge_volume(300, 10, 20, 40, higher=False).status == goals.ON_TRACK
    assert goals.judge_share(90, 100, 0.6).status == goals.ON_TRACK
    assert goals.judge_share(30, 100, 0.6).status == goals.BEHIND
    assert goals.judge_share(0, 0, 0.6).status == goals.UNKNOWN
    half = goals.Elapsed(10, 20)
    assert goals.judge_count(2, 4, half).status == goals.ON_TRACK
    assert goals.judge_count(1, 4, half).status == goals.BEHIND
    assert goals.judge_count(4, 4, half).status == goals.MET
    assert goals.judge_count(3, 4, goals.Elapsed(20, 20)).status == goals.BEHIND
    assert goals.judge_count(5, 4, half, higher=False).status == goals.BEHIND
    assert goals.judge_result(11_000, 13_000, 10_000, 1.0).status == goals.ON_TRACK
    assert goals.judge_result(8_000, 9_000, 10_000, 1.0).status == goals.BEHIND
    assert goals.judge_result(8_000, 12_000, 10_000, 1.0).status == goals.UNKNOWN
    assert goals.judge_result(8_000, 12_000, None, 1.0).status == goals.UNKNOWN


def test_volume_needed_is_the_funnel_backwards() -> None:
    # 20 business days, 10 % x 50 % x 40 % x 50 % of dials win at 5,000: one dial is worth 50.
    rates = [0.1, 0.5, 0.4, 0.5]
    assert goals.volume_needed(50_000, 20, rates, 5_000) == pytest.approx(50.0)
    assert math.isnan(goals.volume_needed(50_000, 0, rates, 5_000))
    assert math.isnan(goals.volume_needed(50_000, 20, [0.0, 0.5], 5_000))
    v = goals.volume_targets(50_000, 20, rates, 5_000, [0.1, 0.5, 0.5, 0.5], 2, "meeting")
    assert v.own == pytest.approx(50.0) and v.at_team == pytest.approx(40.0)
    assert v.stage == "meeting"
    # A stage already above the team's saves nothing.
    same = goals.volume_targets(50_000, 20, rates, 5_000, [0.1, 0.5, 0.3, 0.5], 2)
    assert same.at_team == pytest.approx(50.0)
    assert goals.volume_targets(50_000, 20, rates, 5_000, rates, None).at_team is None


def test_suggested_stage_without_a_focus() -> None:
    # A rep clearly below the team at conversation (many tries) and barely below at won, whose
    # few tries leave a wide posterior: P(materially weak) alone would pick won.
    pm = {"connect": 0.0, "conversation": 0.04, "meeting": 0.0, "won": 0.08}
    pb = {"connect": 0.29, "conversation": 0.96, "meeting": 0.36, "won": 0.63}
    ratio = {"connect": 1.04, "conversation": 0.89, "meeting": 1.03, "won": 0.94}
    assert goals.suggested_stage(None, pm, pb, ratio) == "conversation"
    # Never a strength, nor the stage where the rep is best, however the probabilities fall.
    assert goals.suggested_stage(None, pm, pb, ratio, strengths=("conversation",)) == "won"
    flat = {k: 0.0 for k in pm}
    near = {"connect": 0.45, "conversation": 0.4, "meeting": 0.44, "won": 0.3}
    best = {"connect": 1.2, "conversation": 1.01, "meeting": 1.05, "won": 1.02}
    assert goals.suggested_stage(None, flat, near, best) == "meeting"
    # The focus, when it is a stage, is the suggestion whatever the others say.
    assert goals.suggested_stage("won", pm, pb, ratio) == "won"


def test_suggested_stage_and_target() -> None:
    pm = {"connect": 0.05, "greeting": 0.62, "meeting": 0.2}
    pb = {"connect": 0.4, "greeting": 0.95, "meeting": 0.7}
    assert goals.suggested_stage("greeting", pm, pb) == "greeting"
    assert goals.suggested_stage(None, pm, pb) == "greeting"
    # Volume as the focus: no stage goal from it; the one stage left is then the suggestion.
    assert goals.suggested_stage("volume", {"connect": 0.3}, {"connect": 0.2}) == "connect"
    assert goals.suggested_stage(None, {"connect": math.nan}, {"connect": math.nan}) is None
    mates = [0.30, 0.34, 0.38, 0.42]
    assert goals.stage_target(mates, 0.2) == 0.36
    assert goals.stage_target(mates, 0.2, "top_quartile") == 0.39
    # Never a target below the rep's own rate.
    assert goals.stage_target(mates, 0.40) == pytest.approx(0.42)
    assert goals.stage_target([], 0.2) is None


def test_scorecard_weights_and_streaks() -> None:
    att = goals.attainment([40.0, 0.3, 9_000.0], [40.0, 0.4, 10_000.0], [True, True, True])
    assert att.tolist() == pytest.approx([1.0, 0.75, 0.9])
    s = goals.scorecard(att[None, :], [True, True, False])
    assert s.behavior[0] == pytest.approx(87.5) and s.result[0] == pytest.approx(90.0)
    assert s.total[0] == pytest.approx(0.9 * 87.5 + 0.1 * 90.0)
    even = goals.scorecard(att[None, :], [True, True, False], (0.5, 0.5))
    assert even.total[0] == pytest.approx(88.75)
    # No result goal: the behavior score is the score. Nothing at all: NaN.
    only = goals.scorecard([[1.0, np.nan]], [True, False])
    assert only.total[0] == 100.0 and math.isnan(only.result[0])
    assert math.isnan(goals.scorecard([[np.nan]], [True]).total[0])
    # Lower is better: 50 against at most 40 attains 0.8.
    assert goals.attainment([50.0], [40.0], [False])[0] == pytest.approx(0.8)
    assert goals.streak([90, 70, 85, 81, 99]) == 3
    assert goals.streak([90, math.nan]) == 0
    assert goals.check_weights(9, 1) == (0.9, 0.1)
    with pytest.raises(ValueError, match="both be zero"):
        goals.check_weights(0, 0)


@pytest.fixture(scope="module")
def accuracy() -> dict:
    org = bench.simulate(bench.SimConfig(reps=150, months=3, seed=7, as_of=dt.date(2026, 11, 27)))
    return bench.goal_accuracy(org, dt.date(2026, 10, 1), dt.date(2026, 10, 27))


def test_on_track_figures_on_the_simulator(accuracy: dict) -> None:
    # The lines: a rep whose true rate is the goal is on track >= 90 % of the time by the
    # last week; one 20 % below it at most 10 %.
    assert accuracy["cells"] >= 500
    assert accuracy["on_track_meets"] >= 0.9
    assert accuracy["on_track_below"] <= 0.1


def test_suggested_targets_and_funnel_backwards_on_the_simulator(accuracy: dict) -> None:
    assert accuracy["suggest_material"] >= 40
    assert accuracy["suggest_hits"] / accuracy["suggest_material"] >= 0.8
    assert accuracy["focus_hits"] / accuracy["focused"] >= 0.9
    fb = accuracy["funnel_backwards"]
    assert fb["reps"] >= 100 and fb["max_error"] <= 0.05


def test_a_young_period_is_judged_on_whole_business_days_only() -> None:
    # December 2026: 23 business days, Tuesday the 1st to Thursday the 31st.
    day1 = goals.elapsed("month", dt.date(2026, 12, 1), dt.date(2026, 12, 1), day_over=False)
    assert (day1.done, day1.total, day1.partial, day1.judged) == (1, 23, True, 0)
    assert day1.share == 0 and not day1.is_final
    assert day1.so_far == "so far (day 1 of 23)"
    # Part of the first day: too early to say, never "behind, 1% likely".
    early = goals.judge_volume(3, day1.judged, day1.total, 40)
    assert early.status == goals.UNKNOWN and early.early and early.label == "too early to say"
    assert early.p_meets is None and early.certainty_phrase == ""
    assert goals.judge_count(0, 4, day1).label == "too early to say"
    assert goals.judge_count(4, 4, day1).status == goals.MET  # reached is reached
    # Once the first day is over it counts: one day's dials, a wide certainty.
    over = goals.elapsed("month", dt.date(2026, 12, 1), dt.date(2026, 12, 1), day_over=True)
    assert (over.judged, over.so_far) == (1, "so far (day 1 of 23)")
    one_day = goals.judge_volume(40, over.judged, over.total, 40)
    # (40.5 / 40 on the log scale)
    assert one_day.certainty_phrase == "53% chance it meets the goal"
    # Mid-period, Wednesday the 16th under way: 12th business day, 11 judged.
    mid = goals.elapsed("month", dt.date(2026, 12, 16), dt.date(2026, 12, 16), day_over=False)
    assert (mid.done, mid.judged, mid.so_far) == (12, 11, "so far (day 12 of 23)")
    at_goal = goals.judge_volume(440, mid.judged, mid.total, 40)  # 40 a day: the goal
    assert at_goal.status == goals.ON_TRACK and at_goal.value == 40
    assert at_goal.p_meets == pytest.approx(0.508, abs=0.005)
    assert goals.judge_volume(330, mid.judged, mid.total, 40).status == goals.BEHIND  # 30 a day
    assert goals.judge_count(1, 4, mid).status == goals.ON_TRACK  # floor(4 × 11/23) = 1
    assert goals.judge_count(0, 4, mid).status == goals.BEHIND
    # The end: the 31st over, the period is final and nothing says "so far".
    end = goals.elapsed("month", dt.date(2026, 12, 31), dt.date(2026, 12, 31), day_over=True)
    assert (end.done, end.judged, end.is_final, end.so_far) == (23, 23, True, "")
    assert goals.judge_count(3, 4, end).status == goals.BEHIND
    # Its last day still under way is not the end yet.
    assert goals.elapsed("month", dt.date(2026, 12, 31), dt.date(2026, 12, 31), False).so_far == (
        "so far (day 23 of 23)"
    )
    # A weekend day is no business day: nothing under way on Saturday the 5th.
    sat = goals.elapsed("week", dt.date(2026, 12, 5), dt.date(2026, 12, 5), day_over=False)
    assert (sat.done, sat.judged, sat.is_final, sat.so_far) == (5, 5, True, "")
