"""Tests of the experiment core: known answers (sources cited), planted effects, properties."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from ninety.core.experiments import (
    COLLECTING,
    IMPROVED,
    NO_CHANGE,
    WORSE,
    DealSizes,
    ExperimentPlan,
    RateCounts,
    VolumeCounts,
    always_valid_p_value,
    analyse,
    confidence_sequence_halfwidth,
    cumulative,
    leader_sentence,
    mixture_p_value,
    mixture_variance,
    rate_did,
    tuning_constant,
)
from tests.reference.two_groups import (
    fixed_horizon_rates,
    prob_b_beats_a,
    relative_lift_bayesian,
    relative_lift_ttest,
)

DAYS = np.busday_offset("2025-01-06", np.arange(80), roll="forward")
START = DAYS[40].astype(dt.date)
END = DAYS[79].astype(dt.date)


def rate_data(
    seed: int, lift: float, subjects_per_day: float = 8.0, control_per_day: float = 64.0
) -> RateCounts:
    rng = np.random.default_rng(seed)
    ns = rng.poisson(subjects_per_day, 80)
    nc = rng.poisson(control_per_day, 80)
    p = np.where(np.arange(80) >= 40, 0.45 * (1 + lift), 0.45)
    return RateCounts.of(DAYS, rng.binomial(ns, p), ns, rng.binomial(nc, 0.45), nc)


# ------------------------------------------------------------------ known answers


def test_exact_beta_comparison_matches_evan_millers_example() -> None:
    # Evan Miller, "Formulas for Bayesian A/B testing": Beta(1, 1) prior, 12/80 vs 22/85 ≈ 0.9564.
    assert prob_b_beats_a(1 + 12, 1 + 68, 1 + 22, 1 + 63) == pytest.approx(0.9564, abs=5e-5)


def test_exact_beta_comparison_agrees_with_numerical_integration() -> None:
    exact = prob_b_beats_a(13, 69, 23, 64)
    numeric = prob_b_beats_a(13, 69, 23 + 1e-12, 64)  # non-integer α_B → quadrature path
    assert exact == pytest.approx(numeric, abs=1e-8)


def test_bayesian_relative_lift_reproduces_gbstats() -> None:
    # growthbook/growthbook packages/stats/gbstats tests: proportions 49/100 vs 51/100,
    # Bayesian, relative, flat prior -> expected 0.04082, chance to win 0.60918,
    # CI (-0.24779, 0.32943). Method: gbstats utils.variance_of_ratios + Gaussian interval.
    r = relative_lift_bayesian(49, 100, 51, 100)
    assert r.expected == pytest.approx(0.04082, abs=1e-5)
    assert r.chance_to_win == pytest.approx(0.60918, abs=1e-5)
    assert r.ci == pytest.approx((-0.24779, 0.32943), abs=1e-5)


def test_relative_ttest_reproduces_gbstats() -> None:
    # gbstats frequentist/tests.py TwoSidedTTest: 14/28 vs 16/30, relative -> 0.06667, p 0.80707.
    r = relative_lift_ttest(14, 28, 16, 30)
    assert r.expected == pytest.approx(0.06667, abs=1e-5)
    assert r.p_value == pytest.approx(0.80707, abs=1e-5)


def test_fixed_horizon_numbers_match_statsmodels() -> None:
    # statsmodels/stats/tests/test_proportion.py: z = -1.4078304151258787, p = 0.15918129181156992.
    fh = fixed_horizon_rates(5, 83, 12, 99)
    z, p = proportions_ztest([5, 12], [83, 99])
    assert fh.z == pytest.approx(-1.4078304151258787, abs=1e-8)
    assert fh.p_value == pytest.approx(0.15918129181156992, abs=1e-8)
    assert (fh.z, fh.p_value) == pytest.approx((z, p), abs=1e-8)
    for x, n in ((19, 38), (18, 20), (0, 30), (12, 80)):
        ours = fixed_horizon_rates(x, n, 1, 2, level=0.95).interval_a
        assert ours == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-6)
    assert fixed_horizon_rates(19, 38, 1, 2).interval_a == pytest.approx(
        (0.348499283643951, 0.651500716356049), abs=1e-8
    )


def test_mixture_matches_gbstats_parameterisation() -> None:
    # gbstats SequentialTwoSidedTTest: rho = sqrt(k(alpha)/N) (eq. 161), e-value
    # exp(rho² st2 / (2(n rho² + 1))) / sqrt(n rho² + 1) with st2 = θ² n / SE² (eq. 155),
    # halfwidth sqrt(s2 · 2(n rho² + 1) / (n rho)² · ln(sqrt(n rho² + 1)/alpha)) (eq. 9).
    alpha, big_n, n, s2, theta = 0.05, 5000.0, 1800.0, 0.9, 0.07
    rho2 = tuning_constant(alpha) / big_n
    se2 = s2 / n
    st2 = theta**2 * n / se2
    evalue = np.exp(rho2 * st2 / (2 * (n * rho2 + 1))) / np.sqrt(n * rho2 + 1)
    halfwidth = np.sqrt(
        s2 * 2 * (n * rho2 + 1) / (n**2 * rho2) * np.log(np.sqrt(n * rho2 + 1) / alpha)
    )
    tau2 = rho2 * s2  # τ² = n ρ² V
    assert float(mixture_p_value(theta, se2, tau2)) == pytest.approx(
        min(1.0, 1 / evalue), rel=1e-12
    )
    assert float(confidence_sequence_halfwidth(se2, tau2, alpha)) == pytest.approx(
        halfwidth, rel=1e-12
    )
    # Tuned at V_end = s2/N, the mixture variance is k(α)·V_end = ρ²s².
    assert float(mixture_variance(s2 / big_n, alpha)) == pytest.approx(tau2, rel=1e-12)


def test_the_always_valid_p_value_keeps_false_alarms_below_alpha_under_daily_looks() -> None:
    # A running mean of N(0, 1) draws with a head start (the before period), 40 looks.
    rng = np.random.default_rng(7)
    sims, looks, head = 4000, 40, 40
    increments = rng.normal(size=(sims, head + looks))
    totals = np.cumsum(increments, axis=1)[:, head - 1 :][:, 1:]
    n = np.arange(head + 1, head + looks + 1)
    est, var = totals / n, 1.0 / n
    pv = always_valid_p_value(est, var, mixture_variance(1.0 / (head + looks), 0.05))
    assert (pv[:, -1] < 0.05).mean() <= 0.05
    naive = (np.abs(est) / np.sqrt(var) > 1.96).any(axis=1).mean()
    assert naive > 0.1  # the point of the exercise


# ------------------------------------------------------------------ the DiD and the verdict


def test_did_recovers_a_planted_effect_at_team_volumes() -> None:
    data = rate_data(seed=3, lift=0.3, subjects_per_day=40)
    r = analyse(data, ExperimentPlan(start=START, planned_end=END, label="connect→conversation"))
    truth = special.logit(0.45 * 1.3) - special.logit(0.45)
    assert r.interval[0] < truth < r.interval[1]
    assert r.sequential_interval[0] < truth < r.sequential_interval[1]
    assert r.verdict == IMPROVED and r.p_value < 0.05 and r.p_improved > 0.95
    assert r.sentence.startswith("connect→conversation up from 4")
    assert r.sentence.endswith("likely improved")


def test_did_finds_a_planted_drop() -> None:
    data = rate_data(seed=4, lift=-0.3, subjects_per_day=40)
    r = analyse(data, ExperimentPlan(start=START, planned_end=END, label="connect→conversation"))
    assert r.effect < 0 and r.verdict == WORSE


def test_it_says_collecting_data_with_little_data() -> None:
    data = rate_data(seed=5, lift=0.5)
    r = analyse(data, ExperimentPlan(start=START, label="connect→conversation"), as_of=DAYS[42])
    assert r.verdict == COLLECTING
    assert r.days_after == 3
    assert "not enough data yet" in r.sentence


def test_it_says_collecting_data_before_the_start() -> None:
    data = rate_data(seed=5, lift=0.0)
    r = analyse(data, ExperimentPlan(start=START), as_of=DAYS[10])
    assert (
        r.verdict == COLLECTING
        and r.days_after == 0
        and cumulative(data, ExperimentPlan(start=START), as_of=DAYS[10]) == ()
    )


def test_no_detectable_change_when_the_planned_end_is_reached_without_evidence() -> None:
    data = rate_data(seed=6, lift=0.0)
    r = analyse(data, ExperimentPlan(start=START, planned_end=END))
    assert r.verdict == NO_CHANGE and "planned end" in r.sentence


def test_no_detectable_change_when_the_interval_excludes_practical_effects() -> None:
    # Huge volumes: the confidence sequence becomes narrower than ±10 % before the end.
    data = rate_data(seed=8, lift=0.0, subjects_per_day=4000, control_per_day=8000)
    r = analyse(data, ExperimentPlan(start=START, planned_end=None, label="x"))
    assert r.verdict == NO_CHANGE and "smaller than 10%" in r.sentence


def test_cumulative_gives_one_look_per_business_day_and_ends_at_the_analysis() -> None:
    data = rate_data(seed=9, lift=0.2)
    plan = ExperimentPlan(start=START, planned_end=END)
    looks = cumulative(data, plan)
    r = analyse(data, plan)
    assert len(looks) == 40 and looks[-1].day == END
    assert looks[-1].effect == pytest.approx(r.effect) and looks[-1].verdict == r.verdict
    assert looks[-1].p_value == pytest.approx(r.p_value)
    pv = [look.p_value for look in looks]
    assert all(b <= a for a, b in itertools.pairwise(pv))
    assert all(look.low <= look.effect <= look.high for look in looks)
    assert all(look.seq_low <= look.low and look.high <= look.seq_high for look in looks)


def test_normal_approximation_of_p_improved_matches_monte_carlo_at_rep_counts() -> None:
    # Jeffreys Beta posteriors per cell, DiD of log-odds sampled 200,000 times.
    rng = np.random.default_rng(11)
    cells = [(70, 160), (90, 170), (1150, 2560), (1180, 2600)]  # sb, sa, cb, ca
    draws = [special.logit(rng.beta(x + 0.5, n - x + 0.5, 200_000)) for x, n in cells]
    mc = ((draws[1] - draws[0]) - (draws[3] - draws[2]) > 0).mean()
    (sb, nsb), (sa, nsa), (cb, ncb), (ca, nca) = cells
    approx = float(rate_did(sb, nsb, cb, ncb, sa, nsa, ca, nca).p_improved)
    assert approx == pytest.approx(mc, abs=0.01)


def test_volume_did_recovers_a_planted_increase() -> None:
    rng = np.random.default_rng(12)
    after = np.arange(80) >= 40
    data = VolumeCounts.of(DAYS, rng.poisson(np.where(after, 60, 40)), rng.poisson(300, 80))
    r = analyse(data, ExperimentPlan(start=START, planned_end=END, label="connects per day"))
    assert r.interval[0] < np.log(1.5) < r.interval[1]
    assert r.verdict == IMPROVED
    assert r.sentence.startswith("connects per day up from 4")


def test_deal_size_did_recovers_a_planted_increase() -> None:
    rng = np.random.default_rng(13)
    sd = DAYS[rng.integers(0, 80, 400)]
    cd = DAYS[rng.integers(0, 80, 1200)]
    sv = rng.lognormal(9 + 0.3 * (sd >= DAYS[40]), 0.5)
    cv = rng.lognormal(9, 0.5, cd.size)
    r = analyse(
        DealSizes.of(sd, sv, cd, cv), ExperimentPlan(start=START, label="deal size", unit="$")
    )
    assert r.interval[0] < 0.3 < r.interval[1]
    assert r.verdict == IMPROVED and "$" in r.sentence


def test_it_rejects_successes_above_tries() -> None:
    with pytest.raises(ValueError, match="subject successes exceed tries"):
        RateCounts.of(DAYS[:2], [3, 1], [2, 1], [0, 0], [1, 1])


def test_the_sentence_reads_like_the_design_example() -> None:
    s = leader_sentence(
        metric="rate", label="connect→conversation", unit="", before=0.31, after=0.38,
        control_before=0.30, control_after=0.305, p_improved=0.94, verdict=COLLECTING,
        practical_change=0.1, end_reached=False,
    )  # fmt: skip
    assert (
        s == "connect→conversation up from 31% to 38%, 94% likely a real improvement"
        " — keep collecting"
    )


# ------------------------------------------------------------------ properties

counts = st.integers(min_value=20, max_value=400)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(counts, st.floats(0.05, 0.95)), min_size=4, max_size=4),
)
def test_swapping_subjects_and_control_flips_the_effect(cells: list[tuple[int, float]]) -> None:
    n1, n2, n3, n4 = (n for n, _ in cells)
    x = [round(n * p) for n, p in cells]
    a = rate_did(x[0], n1, x[2], n3, x[1], n2, x[3], n4)
    b = rate_did(x[2], n3, x[0], n1, x[3], n4, x[1], n2)
    assert float(b.estimate) == pytest.approx(-float(a.estimate), abs=1e-12)
    assert float(b.variance) == pytest.approx(float(a.variance), rel=1e-12)
    assert float(b.p_improved) == pytest.approx(1 - float(a.p_improved), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0.0, 3.0), st.floats(0.0, 3.0), st.floats(1e-3, 1.0), st.floats(1e-3, 1.0),
)  # fmt: skip
def test_the_always_valid_p_value_does_not_rise_with_more_evidence(
    e1: float, e2: float, v: float, tau2: float
) -> None:
    small, big = sorted((e1, e2))
    # A larger effect at the same variance is at least as much evidence.
    assert float(mixture_p_value(big, v, tau2)) <= float(mixture_p_value(small, v, tau2)) + 1e-15
    assert float(mixture_p_value(-big, v, tau2)) == pytest.approx(
        float(mixture_p_value(big, v, tau2))
    )
    p = float(mixture_p_value(small, v, tau2))
    assert 0.0 <= p <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=30), st.floats(1e-3, 1.0))
def test_the_always_valid_p_value_never_rises_over_looks(effects: list[float], tau2: float) -> None:
    var = 1.0 / np.arange(10, 10 + len(effects))
    pv = always_valid_p_value(np.array(effects), var, tau2)
    assert np.all(np.diff(pv) <= 0)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(-0.3, 0.3))
def test_swapping_groups_in_a_whole_analysis_flips_sign_and_probability(
    seed: int, lift: float
) -> None:
    d = rate_data(seed, lift)
    swapped = RateCounts.of(
        d.days, d.control_successes, d.control_tries, d.subject_successes, d.subject_tries
    )
    plan = ExperimentPlan(start=START, planned_end=END)
    a, b = analyse(d, plan), analyse(swapped, plan)
    assert b.effect == pytest.approx(-a.effect, abs=1e-12)
    assert b.p_improved == pytest.approx(1 - a.p_improved, abs=1e-9)
    assert (b.interval[0], b.interval[1]) == pytest.approx(
        (-a.interval[1], -a.interval[0]), abs=1e-12
    )


def test_the_core_imports_without_django() -> None:
    code = (
        "import sys\n"
        "import ninety.core.experiments\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
