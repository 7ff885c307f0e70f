"""Pace: close probabilities, win rates, the projection and its interval."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ninety.core.funnel import day_start
from ninety.core.pace import close_probability, pace_from_deals, pipeline_win_rates, project_pace

AS_OF, END = dt.date(2026, 11, 10), dt.date(2026, 12, 1)


def base(**kw: object) -> dict[str, object]:
    args: dict[str, object] = dict(
        as_of=AS_OF,
        period_end=END,
        won_to_date=np.array([1000.0, 0.0]),
        quota=np.array([2000.0, 1000.0]),
        open_owner=np.array([], dtype=int),
        open_value=np.array([]),
        open_stage=np.array([], dtype=int),
        open_age_days=np.array([]),
        win_rates=np.full((2, 5), 0.5),
        cycle_days=np.array([5.0, 10.0, 15.0]),
        new_deals=np.array([0.0, 0.0]),
        new_exposure_bdays=60.0,
        deal_size=np.array([500.0, 500.0]),
        n_draws=500,
    )
    args.update(kw)
    return args


def test_close_probability_is_the_smoothed_empirical_conditional() -> None:
    # Hand-worked: S(t) = #{T > t} / N with T = 10, 20, 30, 40:
    # S(15) = 3/4, S(25) = 2/4, so P(T <= 25 | T > 15) = 1 - (2/4)/(3/4) = 1/3.
    p = close_probability([15.0], 10.0, [10, 20, 30, 40])
    assert float(p[0]) == pytest.approx(1 / 3)
    # A deal exactly as old as a past one: S(20) = #{T > 20} / 4 = 2/4, S(30) = 1/4, so 1/2.
    assert float(close_probability([20.0], 10.0, [10, 20, 30, 40])[0]) == pytest.approx(1 / 2)
    # Older than every past deal: no further closing expected.
    assert float(close_probability([50.0], 10.0, [10, 20, 30, 40])[0]) == 0.0


def test_with_nothing_open_and_no_run_rate_the_projection_is_the_result_so_far() -> None:
    res = project_pace(**base())
    np.testing.assert_allclose(res.projected, [1000.0, 0.0])
    np.testing.assert_allclose(res.low, res.projected)
    np.testing.assert_allclose(res.high, res.projected)
    np.testing.assert_allclose(res.vs_quota_pct, [-50.0, -100.0])


def test_a_sure_deal_adds_its_value() -> None:
    res = project_pace(
        **base(
            open_owner=np.array([1]),
            open_value=np.array([700.0]),
            open_stage=np.array([3]),
            open_age_days=np.array([1.0]),
            win_rates=np.ones((2, 5)),
            cycle_days=np.array([2.0, 3.0]),
        )
    )
    assert res.expected_pipeline[1] == pytest.approx(700.0)
    assert res.projected[1] == pytest.approx(700.0)
    assert res.low[1] == res.high[1] == pytest.approx(700.0)


def test_the_interval_brackets_the_mean_and_is_reproducible() -> None:
    rng = np.random.default_rng(4)
    kw = base(
        open_owner=rng.integers(0, 2, 40),
        open_value=rng.lognormal(8, 0.5, 40),
        open_stage=rng.integers(2, 4, 40),
        open_age_days=rng.uniform(0, 20, 40),
        cycle_days=rng.uniform(3, 40, 200),
        new_deals=np.array([30.0, 50.0]),
    )
    a, b = project_pace(**kw), project_pace(**kw)
    np.testing.assert_array_equal(a.low, b.low)
    # The interval is Monte Carlo: another seed moves it a little (the seed is really used).
    c = project_pace(**kw, seed=1)
    assert not np.array_equal(a.low, c.low) and np.allclose(a.low, c.low, rtol=0.1)
    assert np.all(a.low < a.projected) and np.all(a.projected < a.high)
    assert np.all(a.expected_new > 0)


def test_win_rates_are_shrunk_towards_the_group() -> None:
    # Rep 0: 1 of 1 closed deals won; rep 1: 30 of 100. Rep 0's rate must sit near the group's.
    owner = np.r_[0, np.ones(100, int)]
    won = np.r_[True, np.arange(100) < 30]
    rates = pipeline_win_rates(owner, np.full(101, 2), won, 2, 5)
    assert rates[0, 2] < 0.6
    assert rates[1, 2] == pytest.approx(0.3, abs=0.05)


def test_pace_from_deals_reads_the_state_as_of_the_date() -> None:
    t = day_start(dt.date(2026, 11, 5))
    before = day_start(dt.date(2026, 10, 1))
    res = pace_from_deals(
        owner=[0, 0, 0, 0],
        value=[100.0, 200.0, 300.0, 400.0],
        opened=[before, before, t, t],
        closed=[before + 10 * 86400, t, -1, day_start(dt.date(2026, 11, 20))],
        status=[1, 1, 0, 1],  # the last one is won only after as_of: still open then
        stage=[4, 4, 2, 3],
        n_reps=1,
        as_of=AS_OF,
        period_start=dt.date(2026, 11, 1),
        period_end=END,
        quota=[1000.0],
        n_draws=200,
    )
    assert res.won_to_date[0] == pytest.approx(200.0)
    assert res.expected_pipeline[0] > 0
    assert res.low[0] >= 200.0


def test_the_projection_stays_inside_its_interval_on_a_long_shot() -> None:
    # Regression: a new rep with nothing open and a small chance of one large new deal. The old
    # point projection was the mean (won + a few % of quota) while both Monte Carlo quantiles
    # sat at the result so far: "-71% (-75% to -75%)". The projection is now the draws' median.
    res = project_pace(
        **base(
            won_to_date=np.array([250.0, 250.0]),
            quota=np.array([1000.0, 1000.0]),
            win_rates=np.full((2, 5), 0.05),
            new_deals=np.array([0.0, 60.0]),
            deal_size=np.array([2000.0, 2000.0]),
            n_draws=2000,
        )
    )
    mean = res.won_to_date + res.expected_pipeline + res.expected_new
    assert mean[0] > res.high[0]  # the mean is outside: the degenerate case is exercised
    assert np.all(res.low <= res.projected) and np.all(res.projected <= res.high)
    assert res.vs_quota_pct[0] == pytest.approx(-75.0)


def test_the_interval_holds_its_level_when_the_result_so_far_is_an_atom() -> None:
    # Half the draws add nothing (no further deal closes): equal tails would give [0, q90] and
    # hold 90 % of the draws; the interval is [0, q80] and holds 80 %.
    from ninety.core.pace import _interval

    rng = np.random.default_rng(0)
    draws = np.where(rng.random(10_000) < 0.5, 0.0, rng.uniform(1.0, 2.0, 10_000))[:, None]
    low, mid, high = _interval(draws, 0.8)
    assert low[0] == 0.0
    assert float(np.mean((draws >= low) & (draws <= high))) == pytest.approx(0.8, abs=0.005)
    assert 0.0 <= mid[0] <= 1.05
    # Without an atom it is the equal-tailed interval.
    smooth = rng.normal(size=(10_000, 1))
    low, _, high = _interval(smooth, 0.8)
    np.testing.assert_allclose([low[0], high[0]], np.quantile(smooth, [0.1, 0.9]), atol=0.01)


def test_a_new_hires_run_rate_counts_from_their_first_deal() -> None:
    # Both reps opened 6 deals in the last two weeks; rep 0 also has a deal from a year ago
    # (tenured, a slow 60-day run rate), rep 1 started two weeks ago (a fast one).
    day = 86_400
    recent = [day_start(dt.date(2026, 10, 27)) + i * 2 * day for i in range(6)]
    old = day_start(dt.date(2025, 11, 3))
    res = pace_from_deals(
        owner=[0] * 7 + [1] * 6,
        value=[100.0] * 13,
        opened=[old, *recent, *recent],
        closed=[old + 20 * day] + [-1] * 12,
        status=[1] + [0] * 12,
        stage=[4] + [2] * 12,
        n_reps=2,
        as_of=AS_OF,
        period_start=dt.date(2026, 11, 1),
        period_end=END,
        quota=[1000.0, 1000.0],
        n_draws=200,
    )
    assert res.expected_new[1] > 2 * res.expected_new[0]


def test_on_the_periods_last_day_the_result_so_far_is_final_as_the_draws_say() -> None:
    """With no day left, no open deal can close and no new one open: the pace skips the draws
    and must give what the draws give (every one the result so far), run rate or not."""
    import ninety.core.pace as pace

    kw = base(
        as_of=END - dt.timedelta(days=1),
        open_owner=np.array([0, 1, 1]),
        open_value=np.array([300.0, 200.0, 900.0]),
        open_stage=np.array([1, 2, 3]),
        open_age_days=np.array([2.0, 5.0, 9.0]),
        new_deals=np.array([30.0, 50.0]),
    )
    res = project_pace(**kw)
    np.testing.assert_array_equal(res.projected, [1000.0, 0.0])
    np.testing.assert_array_equal(res.low, res.projected)
    np.testing.assert_array_equal(res.high, res.projected)
    # The draws themselves, made anyway: the same answer.
    totals = pace._monte_carlo_totals(
        np.random.default_rng(1), 200, np.array([1000.0, 0.0]), np.array([0, 1, 1]),
        np.array([300.0, 200.0, 900.0]), np.zeros(3), np.ones(2), np.ones(2),
        np.full(2, 0.5), 0.0, np.full(2, 500.0), 0.8,
    )  # fmt: skip
    low, mid, high = pace._interval(totals, 0.8)
    np.testing.assert_array_equal(
        np.stack([low, mid, high]), np.stack([res.low, res.projected, res.high])
    )
    # A day earlier there is still something to draw: the interval opens.
    before = project_pace(**{**kw, "as_of": END - dt.timedelta(days=3)})
    assert np.any(before.high > before.low)


def test_the_draws_average_to_the_expected_result_and_skip_what_cannot_win() -> None:
    """The Monte Carlo's mean is won + Σ p·value + E[new wins' value] (within its error), a deal
    that cannot win adds nothing, and with no new business possible none is drawn."""
    import ninety.core.pace as pace

    rng = np.random.default_rng(3)
    won = np.array([100.0, 0.0, 50.0])
    owner = np.array([0, 0, 1, 1, 1, 2])
    value = np.array([1000.0, 400.0, 250.0, 800.0, 5000.0, 300.0])
    p_deal = np.array([0.3, 0.9, 0.5, 0.1, 0.0, 0.6])  # the 5,000 deal cannot win
    a_post, b_post = np.array([4.0, 2.0, 6.0]), np.array([20.0, 20.0, 20.0])
    p0, size = np.full(3, 0.4), np.array([700.0, 900.0, 500.0])
    totals = pace._monte_carlo_totals(
        rng, 20_000, won, owner, value, p_deal, a_post, b_post, p0, 3.0, size, 0.8
    )
    pipe = np.bincount(owner, weights=value * p_deal, minlength=3)
    new = a_post / b_post * p0 * 3.0 * size
    sd = totals.std(axis=0) / np.sqrt(totals.shape[0])
    assert np.all(np.abs(totals.mean(axis=0) - (won + pipe + new)) < 4 * sd)
    # No new business (weight 0): only sums of the open deals that can win, never the 5,000.
    only_pipe = pace._monte_carlo_totals(
        rng, 2_000, won, owner, value, p_deal, a_post, b_post, p0, 0.0, size, 0.8
    )
    possible_1 = {0.0, 250.0, 800.0, 1050.0}
    assert set(np.unique(only_pipe[:, 1])) <= possible_1
    assert set(np.unique(only_pipe[:, 0] - 100.0)) <= {0.0, 400.0, 1000.0, 1400.0}
