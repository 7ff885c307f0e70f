"""Which ways work: P(best), P(beats), Thompson sampling and the ways' prior."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ninety.core.shrinkage import BetaPrior
from ninety.core.ways import (
    WAY_PRIOR_MAX_STRENGTH,
    WEAK_PRIOR_STRENGTH,
    adherence,
    fit_way_prior,
    guard_untried,
    p_beats,
    p_best_exact,
    p_best_sampled,
    rank_ways,
    rep_adjusted_successes,
    thompson_pick,
)

# PostHog, posthog/hogql_queries/experiments/test/test_funnels_statistics.py,
# test_many_variants_win_probability_compared_to_control: control 100/1000, test_a 80/1000,
# test_b 150/1000, test_c 110/1000 (successes/failures 100/900, 80/920, 150/850, 110/890) under
# Beta(1, 1). calculate_probabilities_v2 in funnels_statistics_v2.py returns, at index 0,
# P(control >= best test variant) and at index i, P(variant i > control). PostHog samples 10,000
# draws and asserts 0, 0.05, 0.99, 0.76 within 0.05 (retried as flaky); the exact values (numerical
# integration, docs/statistics.md) are 0.0003, 0.0594, 0.9996, 0.7666.
POSTHOG_A = np.array([101.0, 81.0, 151.0, 111.0])
POSTHOG_B = np.array([901.0, 921.0, 851.0, 891.0])
POSTHOG_EXACT = (0.0003, 0.0594, 0.9996, 0.7666)


def _posthog_probabilities() -> list[float]:
    control = p_beats(POSTHOG_A, POSTHOG_B, 0, [1, 2, 3])
    return [control] + [p_beats(POSTHOG_A, POSTHOG_B, i, [0]) for i in (1, 2, 3)]


def test_it_reproduces_posthogs_multi_arm_probabilities_exactly() -> None:
    assert _posthog_probabilities() == pytest.approx(POSTHOG_EXACT, abs=5e-5)


def test_sampling_agrees_with_the_exact_posthog_values() -> None:
    rng = np.random.default_rng(7)
    s = rng.beta(POSTHOG_A[:, None], POSTHOG_B[:, None], size=(4, 200_000))
    sampled = [np.mean(s[0] >= s[1:].max(axis=0))] + [np.mean(s[i] > s[0]) for i in (1, 2, 3)]
    # Standard error of a proportion near 0.77 with 200,000 draws is 0.001: 0.005 is 5 SE.
    assert sampled == pytest.approx(_posthog_probabilities(), abs=0.005)


def test_it_matches_evan_millers_two_arm_closed_form() -> None:
    # Evan Miller's example, also in GrowthBook's tests: exact Beta(1,1) P(p_B > p_A) for 12/80
    # vs 22/85 ≈ 0.9564. Evan Miller's sum:
    # P = Σ_{i<α_B} B(α_A+i, β_A+β_B) / ((β_B+i) B(1+i, β_B) B(α_A, β_A)).
    from scipy.special import betaln

    a_a, b_a, a_b, b_b = 13, 69, 23, 64
    i = np.arange(a_b)
    terms = np.exp(
        betaln(a_a + i, b_a + b_b) - np.log(b_b + i) - betaln(1 + i, b_b) - betaln(a_a, b_a)
    )
    closed = float(terms.sum())
    assert closed == pytest.approx(0.9564, abs=5e-4)
    assert p_beats([a_a, a_b], [b_a, b_b], 1, [0]) == pytest.approx(closed, abs=1e-8)


def test_sampled_p_best_agrees_with_numerical_integration() -> None:
    a = np.array([30.0, 34.0, 25.0, 31.0, 2.0])
    b = np.array([70.0, 66.0, 75.0, 69.0, 3.0])
    exact = p_best_exact(a, b)
    assert exact.sum() == pytest.approx(1.0, abs=1e-6)
    # 100,000 draws: SE <= 0.0016, so 0.008 is five standard errors.
    assert p_best_sampled(a, b, draws=100_000, seed=3) == pytest.approx(exact, abs=0.008)


def test_p_best_is_reproducible_with_a_seed_and_the_seed_is_used() -> None:
    a, b = [5.0, 6.0, 7.0], [5.0, 5.0, 5.0]
    draws = p_best_sampled(a, b, draws=2_000, seed=11)
    assert np.array_equal(draws, p_best_sampled(a, b, draws=2_000, seed=11))
    # Another seed gives other draws (a function that ignored it would pass the line above).
    assert not np.array_equal(draws, p_best_sampled(a, b, draws=2_000, seed=12))


def test_ten_tries_never_outrank_a_thousand() -> None:
    # 7/10 looks better raw than 550/1000, but the prior over the ways pulls it to the middle.
    result = rank_ways(
        ["lucky", "proven", "plain", "weak"],
        [7, 550, 400, 300],
        [10, 1000, 1000, 1000],
        seed=1,
    )
    assert result.best is not None and result.best.key == "proven"
    lucky = result.ways[0]
    assert lucky.raw_rate == 0.7 and lucky.mean < 0.7
    assert lucky.low < 0.55 < lucky.high


def test_the_interval_contains_the_mean_and_has_the_level() -> None:
    result = rank_ways(["a", "b", "c"], [20, 40, 60], [100, 100, 100], level=0.8, seed=0)
    for w in result.ways:
        assert w.low < w.mean < w.high
    assert result.level == 0.8


def test_a_new_way_starts_from_the_prior_and_gets_tried() -> None:
    keys = ["a", "b", "c", "d", "new"]
    x, n = [45, 50, 55, 48, 0], [100, 100, 100, 100, 0]
    result = rank_ways(keys, x, n, seed=2)
    new = result.ways[-1]
    assert new.is_new and new.mean == pytest.approx(result.prior.mean)
    assert (new.alpha, new.beta) == pytest.approx((result.prior.alpha, result.prior.beta))
    # Thompson sampling suggests it now and then: over 2,000 reps' draws it is picked at least once
    # in 2% of them (its chance of being best is well above that).
    rng = np.random.default_rng(5)
    a = np.array([w.alpha for w in result.ways])
    b = np.array([w.beta for w in result.ways])
    picks = np.bincount([thompson_pick(a, b, rng) for _ in range(2000)], minlength=5)
    assert picks[-1] / 2000 > 0.02
    # …and it is picked in proportion to its chance of being best (within 5 SE of 2,000 draws).
    assert picks / 2000 == pytest.approx(p_best_exact(a, b), abs=0.05)


def test_a_proven_weak_way_is_rarely_suggested() -> None:
    a = np.array([500.0, 300.0])
    b = np.array([500.0, 700.0])
    rng = np.random.default_rng(0)
    assert all(thompson_pick(a, b, rng) == 0 for _ in range(500))


def test_the_prior_is_fitted_over_the_ways_and_capped() -> None:
    prior = fit_way_prior([20, 40, 60, 80], [100, 100, 100, 100])
    assert prior.method == "mle"
    assert prior.mean == pytest.approx(0.5, abs=0.01)
    same = fit_way_prior([50, 50, 50], [100, 100, 100])
    assert same.strength == pytest.approx(WAY_PRIOR_MAX_STRENGTH) == pytest.approx(200.0)


def test_a_new_way_among_alike_proven_ways_keeps_a_real_chance() -> None:
    # Four ways at 500/1000 each fit a very strong prior; capped at 200 tries' weight, an untried
    # way is still the likeliest best (P ≈ 0.35; uncapped, it would fall towards the others').
    result = rank_ways(["a", "b", "c", "d", "new"], [500] * 4 + [0], [1000] * 4 + [0], seed=1)
    p_best = {w.key: w.p_best for w in result.ways}
    assert p_best["new"] >= 0.3 and all(p_best[k] < 0.2 for k in "abcd")


def test_with_few_ways_tried_the_prior_is_weak_around_the_stage_rate() -> None:
    prior = fit_way_prior([3, 0], [10, 0], stage_rate=0.4)
    assert prior.method == "weak"
    assert prior.mean == pytest.approx(0.4)
    assert prior.strength == pytest.approx(WEAK_PRIOR_STRENGTH)
    assert fit_way_prior([0, 0], [0, 0]) == BetaPrior(1.0, 1.0, "uniform", 0)


def test_adherence_is_the_share_of_stage_activities_with_a_way() -> None:
    result = rank_ways(["a", "b"], [1, 2], [3, 5], stage_total=16)
    assert result.adherence == pytest.approx(0.5)
    assert adherence(0, 0) is None
    with pytest.raises(ValueError):
        adherence(5, 4)


def test_it_rejects_more_successes_than_tries() -> None:
    with pytest.raises(ValueError, match="successes <= tries"):
        rank_ways(["a"], [3], [2])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda t: (min(t), max(t))),
        min_size=1,
        max_size=10,
    )
)
def test_p_best_is_a_probability_distribution(counts: list[tuple[int, int]]) -> None:
    x = [c[0] for c in counts]
    n = [c[1] for c in counts]
    result = rank_ways([str(i) for i in range(len(x))], x, n, draws=2000, seed=0)
    total = sum(w.p_best for w in result.ways)
    assert total == pytest.approx(1.0)
    assert result.suggestion in {w.key for w in result.ways}
    for w in result.ways:
        # (A very skewed Beta can have its mean above its upper quantile, so no mean check here.)
        assert 0.0 <= w.low <= w.high <= 1.0 and 0.0 <= w.mean <= 1.0


def test_the_ways_core_does_not_import_django() -> None:
    code = "import sys, ninety.core.ways; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rep_adjustment_removes_the_skill_of_the_reps_who_prefer_a_way() -> None:
    # Way 0 is truly better (multiplier 1.2 vs 1.0) but the strong rep (rate 0.6) mostly uses
    # way 1 and the weak rep (rate 0.2) mostly way 0: raw rates favour way 1.
    n = np.array([[100.0, 900.0], [900.0, 100.0]])
    rate = np.array([[0.6 * 1.2, 0.6], [0.2 * 1.2, 0.2]])
    x = n * rate
    raw = x.sum(0) / n.sum(0)
    assert raw[1] > raw[0]
    adjusted = rep_adjusted_successes(x, n)
    assert adjusted[0] / n.sum(0)[0] == pytest.approx(1.2 * adjusted[1] / n.sum(0)[1], rel=1e-6)
    assert adjusted.sum() == pytest.approx(x.sum(), rel=0.05)


def test_an_untried_way_never_displaces_one_with_strong_evidence() -> None:
    # Way "a" is tried and 84% likely best; "new" has no tries: the guard keeps "a".
    assert guard_untried([400, 300, 0], [0.84, 0.10, 0.06], pick=2) == 0
    # With weak evidence everywhere, exploring the untried way stays allowed.
    assert guard_untried([5, 4, 0], [0.40, 0.30, 0.30], pick=2) == 2
    # A tried pick is never changed.
    assert guard_untried([400, 300, 0], [0.84, 0.10, 0.06], pick=1) == 1
    # Through rank_ways, on every seed: the brand-new way is never the suggestion.
    for seed in range(200):
        result = rank_ways(["strong", "weak", "new"], [300, 60, 0], [400, 300, 0], seed=seed)
        assert result.best.key == "strong" and result.best.p_best >= 0.8
        assert result.suggestion != "new", seed
