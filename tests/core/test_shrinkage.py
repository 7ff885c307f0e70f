"""Empirical-Bayes shrinkage: known answers (Robinson), SciPy cross-checks, properties."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ninety.core.shrinkage import (
    MAX_STRENGTH,
    BetaPrior,
    betabinom_loglik,
    fit_beta_mle,
    fit_beta_moments,
    fit_beta_prior,
    fit_grouped_prior,
    leave_one_out_reference,
    p_below_uncertain,
    posterior,
)

# David Robinson, "Understanding empirical Bayes estimation (using baseball statistics)",
# dgrtwo/dgrtwo.github.com _posts/2015-10-01-empirical_bayes_baseball.md: the prior fitted to
# batters with at least 500 at-bats is alpha0 = 78.661, beta0 = 224.875; the post rounds to 3
# places, hence the tolerance 5e-4.
ROBINSON = BetaPrior(78.661, 224.875)


def test_it_reproduces_robinsons_baseball_shrinkage() -> None:
    post = posterior([300, 4], [1000, 10], ROBINSON)
    assert ROBINSON.mean == pytest.approx(0.259, abs=5e-4)
    assert post.mean[0] == pytest.approx(0.290, abs=5e-4)
    assert post.mean[1] == pytest.approx(0.264, abs=5e-4)


def test_its_interval_and_tail_match_scipy_beta() -> None:
    post = posterior([300, 4], [1000, 10], ROBINSON, level=0.9, reference=0.27)
    a = np.array([78.661 + 300, 78.661 + 4])
    b = np.array([224.875 + 700, 224.875 + 6])
    np.testing.assert_allclose(post.low, stats.beta.ppf(0.05, a, b), rtol=1e-12)
    np.testing.assert_allclose(post.high, stats.beta.ppf(0.95, a, b), rtol=1e-12)
    np.testing.assert_allclose(post.p_below, stats.beta.cdf(0.27, a, b), rtol=1e-12)
    np.testing.assert_allclose(post.p_above, 1 - post.p_below)


def test_the_likelihood_equals_scipys_betabinom_up_to_the_binomial_coefficient() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 300, 50)
    x = rng.binomial(n, 0.3)
    ours = betabinom_loglik(x, n, 2.5, 6.0)
    ref = stats.betabinom.logpmf(x, n, 2.5, 6.0).sum()
    log_binom = np.sum(stats.binom.logpmf(x, n, 0.5) - n * np.log(0.5))
    assert ours + log_binom == pytest.approx(ref, rel=1e-10)


def test_the_mle_recovers_a_known_prior_from_simulated_data() -> None:
    # 2,000 reps with 50-400 tries each, true Beta(30, 70): within 15% on each shape and 2% on
    # the mean (the sampling error of a 2,000-rep fit; fixed seed, so no flakiness).
    rng = np.random.default_rng(20240901)
    n = rng.integers(50, 400, 2000)
    x = rng.binomial(n, rng.beta(30, 70, 2000))
    fit = fit_beta_mle(x, n)
    assert fit.method == "mle"
    assert fit.alpha == pytest.approx(30, rel=0.15)
    assert fit.beta == pytest.approx(70, rel=0.15)
    assert fit.mean == pytest.approx(0.3, rel=0.02)


def test_the_mle_is_a_maximum_of_scipys_likelihood() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(5, 100, 80)
    x = rng.binomial(n, rng.beta(4, 8, 80))
    fit = fit_beta_mle(x, n)
    best = stats.betabinom.logpmf(x, n, fit.alpha, fit.beta).sum()
    for da, db in ((1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95), (1.05, 1.05), (0.95, 0.95)):
        assert stats.betabinom.logpmf(x, n, fit.alpha * da, fit.beta * db).sum() <= best + 1e-8


def test_moments_fit_is_close_to_the_mle_on_plenty_of_data() -> None:
    rng = np.random.default_rng(11)
    n = rng.integers(200, 600, 1000)
    x = rng.binomial(n, rng.beta(20, 30, 1000))
    mom, mle = fit_beta_moments(x, n), fit_beta_mle(x, n)
    assert mom.mean == pytest.approx(mle.mean, rel=0.02)
    assert mom.strength == pytest.approx(mle.strength, rel=0.25)


def test_it_falls_back_to_uniform_with_no_tries() -> None:
    prior = fit_beta_prior([0, 0, 0], [0, 0, 0])
    assert (prior.alpha, prior.beta, prior.method) == (1.0, 1.0, "uniform")


def test_one_rep_gets_a_weak_prior_at_its_own_rate() -> None:
    prior = fit_beta_prior([30], [100])
    assert prior.method == "pooled" and prior.strength == pytest.approx(2.0)
    assert prior.mean == pytest.approx(30.5 / 101)


def test_reps_with_identical_rates_are_shrunk_fully_to_the_group() -> None:
    prior = fit_beta_prior([10, 20, 40], [100, 200, 400])
    assert prior.method == "pooled" and prior.strength == MAX_STRENGTH
    post = posterior([10, 20, 40], [100, 200, 400], prior)
    np.testing.assert_allclose(post.mean, 0.1, atol=1e-3)


def test_a_group_with_all_zero_successes_keeps_a_positive_prior() -> None:
    for method in ("mle", "moments"):
        prior = fit_beta_prior([0, 0, 0, 0], [10, 50, 3, 0], method=method)
        assert prior.alpha > 0 and prior.beta > 0
        assert prior.mean < 0.02


def test_it_rejects_more_successes_than_tries() -> None:
    with pytest.raises(ValueError, match="exceed"):
        fit_beta_prior([5], [3])


def test_it_rejects_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown prior fit method"):
        fit_beta_prior([1, 2], [3, 4], method="bayes")


def test_grouped_priors_compare_each_rep_with_its_own_team() -> None:
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(20), 10)
    team_rate = np.where(np.arange(20) % 2 == 0, 0.2, 0.4)[groups]
    n = rng.integers(200, 400, 200)
    x = rng.binomial(n, rng.beta(team_rate * 100, (1 - team_rate) * 100))
    prior = fit_grouped_prior(x, n, groups)
    assert prior.method == "grouped-mle"
    np.testing.assert_allclose(prior.group_mean[::2], 0.2, atol=0.03)
    np.testing.assert_allclose(prior.group_mean[1::2], 0.4, atol=0.03)
    # Within-team spread Beta(m·100, (1−m)·100): strength about 100.
    assert 50 < prior.strength < 200


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.01, 0.99),
    small=st.integers(1, 20),
    factor=st.integers(5, 50),
    alpha=st.floats(0.5, 200),
    beta=st.floats(0.5, 200),
)
def test_shrinkage_moves_small_samples_more_than_large_ones(
    rate: float, small: int, factor: int, alpha: float, beta: float
) -> None:
    # Same observed rate, more tries → the posterior mean stays closer to the observed rate.
    prior = BetaPrior(alpha, beta)
    n = np.array([small, small * factor], dtype=float)
    x = np.round(n * rate)
    x[0] = x[1] / factor  # exactly the same raw rate
    post = posterior(x, n, prior)
    moved = np.abs(post.mean - x / n)
    assert moved[0] >= moved[1] - 1e-12
    # And every posterior mean lies between the raw rate and the prior mean.
    lo, hi = np.minimum(x / n, prior.mean), np.maximum(x / n, prior.mean)
    assert np.all(post.mean >= lo - 1e-12) and np.all(post.mean <= hi + 1e-12)


def test_the_core_imports_without_django() -> None:
    code = (
        "import sys\n"
        "import ninety.core.shrinkage, ninety.core.funnel, ninety.core.diagnosis\n"
        "import ninety.core.pace, ninety.core.decompose\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_leave_one_out_reference_pools_the_other_reps() -> None:
    # Hand-worked: group 0 holds reps 0-2; rep 0's reference is (30 + 40 + k0 m) / (100 + 100 + k0).
    x, n = np.array([10.0, 30.0, 40.0, 50.0]), np.array([100.0, 100.0, 100.0, 100.0])
    g = np.array([0, 0, 0, 1])
    prior = fit_grouped_prior(x, n, g)
    ref = leave_one_out_reference(x, n, g, prior)
    k0, m = prior.org_strength, prior.org_mean
    assert ref.mean[0] == pytest.approx((70 + k0 * m) / (200 + k0))
    # A weak rep does not drag their own benchmark down: it is higher than the team's pool.
    assert ref.mean[0] > (x[:3].sum() + k0 * m) / (n[:3].sum() + k0)
    # A rep alone in their group is compared with the org's rate, with a wide uncertainty.
    assert ref.mean[3] == pytest.approx(m)
    assert ref.log_sd[3] > ref.log_sd[0] > 0


def test_p_below_with_an_uncertain_reference() -> None:
    a, b, r = np.array([30.0, 45.0]), np.array([70.0, 55.0]), np.array([0.4, 0.4])
    exact = p_below_uncertain(a, b, r, np.zeros(2))
    np.testing.assert_allclose(exact, stats.beta.cdf(r, a, b), rtol=1e-12)
    # Against a Monte Carlo of the same model (ln R ~ N(ln 0.4, 0.1^2)); tolerance 3 SE.
    rng = np.random.default_rng(3)
    big = 400_000
    mc = [
        np.mean(rng.beta(ai, bi, big) < 0.4 * np.exp(0.1 * rng.standard_normal(big)))
        for ai, bi in zip(a, b, strict=True)
    ]
    np.testing.assert_allclose(p_below_uncertain(a, b, r, np.full(2, 0.1)), mc, atol=3e-3)
    # Uncertainty in the reference pulls a confident verdict towards 1/2.
    assert p_below_uncertain(a, b, r, np.full(2, 0.1))[0] < exact[0]
