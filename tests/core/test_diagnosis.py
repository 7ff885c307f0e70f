"""Gap decomposition, focus, certainty and peer strength; Das Gupta known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ninety.core.decompose import log_decomposition, shapley_decomposition
from ninety.core.diagnosis import diagnose_funnel, diagnose_group, naive_focus
from ninety.core.funnel import activity_funnel

KEYS = ("connect", "conversation", "meeting", "proposal", "won")
BASE = np.array([0.2, 0.5, 0.3, 0.6, 0.35])


def make_team(
    reps: int = 12,
    dials: int = 4000,
    mult: dict[int, tuple[int, float]] | None = None,
    seed: int = 1,
) -> tuple[np.ndarray, ...]:
    """A team with plenty of data; ``mult`` plants {rep: (stage index, multiplier)}."""
    rng = np.random.default_rng(seed)
    p = np.tile(BASE, (reps, 1))
    for rep, (k, m) in (mult or {}).items():
        p[rep, k] *= m
    # Reps differ in volume (log-sd 0.15) and deal size (log-sd 0.08), as on a real floor.
    vol = rng.poisson(dials * rng.lognormal(0, 0.15, reps)).astype(float)
    tries, succ = np.zeros((reps, 5)), np.zeros((reps, 5))
    cur = vol.copy()
    for k in range(5):
        tries[:, k] = cur
        succ[:, k] = rng.binomial(cur.astype(int), p[:, k])
        cur = succ[:, k]
    won_count = succ[:, -1]
    won_value = won_count * 10_000.0 * rng.lognormal(0, 0.08, reps)
    return vol, tries, succ, won_value, won_count


# --- Das Gupta / Shapley known answers ---------------------------------------------------------


def test_shapley_matches_das_guptas_two_factor_example() -> None:
    # Das Gupta (1993) via josiahpjking/DasGuptR README; tolerance 1e-3.
    eff = shapley_decomposition([10930, 0.717892], [16591, 0.825974])
    np.testing.assert_allclose(eff, [4369.913, 1487.262], atol=1e-3)
    assert eff.sum() == pytest.approx(5857.175, abs=1e-3)


def test_shapley_matches_das_guptas_three_factor_example() -> None:
    # Das Gupta (1993) via josiahpjking/DasGuptR README; tolerance 1e-5.
    eff = shapley_decomposition([51.78746, 0.45919, 0.52638], [84.90502, 0.75756, 0.51065])
    np.testing.assert_allclose(eff, [10.43403, 10.56085, -0.66701], atol=1e-5)


factor = st.floats(0.01, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda k: st.tuples(
            st.lists(factor, min_size=k, max_size=k), st.lists(factor, min_size=k, max_size=k)
        )
    )
)
def test_the_decompositions_add_up_exactly(pair: tuple[list[float], list[float]]) -> None:
    before, after = np.array(pair[0]), np.array(pair[1])
    r0, r1 = np.prod(before), np.prod(after)
    assert log_decomposition(before, after).sum() == pytest.approx(
        math.log(r1 / r0), rel=1e-9, abs=1e-9
    )
    # The Shapley terms mix factors of both states, so rounding scales with the largest mix.
    largest_mix = float(np.prod(np.maximum(before, after)))
    assert shapley_decomposition(before, after).sum() == pytest.approx(
        r1 - r0, rel=1e-9, abs=1e-9 * largest_mix
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    reps=st.integers(2, 15),
    dials=st.integers(0, 800),
    with_quota=st.booleans(),
)
def test_the_rep_terms_add_up_to_the_gap(
    seed: int, reps: int, dials: int, with_quota: bool
) -> None:
    vol, tries, succ, wv, wc = make_team(reps, dials, seed=seed)
    quota = np.full(reps, 5_000.0) if with_quota else None
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS, quota_share=quota)
    for r in diag.reps:
        total = sum(r.contributions.values()) + r.benchmark_term
        assert np.isfinite(total)
        if r.result > 0:
            assert total + r.chance == pytest.approx(r.log_gap, abs=1e-9)
        assert set(r.contributions) == {"volume", *KEYS, "deal_size"}


# --- Focus -------------------------------------------------------------------------------------


def test_it_finds_a_planted_weak_stage_with_certainty() -> None:
    vol, tries, succ, wv, wc = make_team(mult={3: (1, 0.6), 7: (2, 0.5)})
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    assert diag.reps[3].focus == "conversation"
    assert diag.reps[7].focus == "meeting"
    assert diag.reps[3].focus_certainty > 0.99
    assert diag.reps[3].contributions["conversation"] < math.log(0.8)
    # The ten healthy reps: at most one chance focus. The focus threshold trades a little false
    # focus for hits (about 7 % of healthy reps get a focus on the simulator, bench_diagnosis.py);
    # here one rep's 12 wins of 56 proposals (0.21 against the team's 0.36) is such a chance.
    others = [r.focus for i, r in enumerate(diag.reps) if i not in (3, 7)]
    assert sum(f is not None for f in others) <= 1


def test_the_focus_does_not_depend_on_being_behind() -> None:
    vol, tries, succ, wv, wc = make_team(mult={3: (1, 0.6)})
    low_quota = diagnose_group(vol, tries, succ, wv, wc, KEYS, quota_share=np.full(12, 1.0))
    high_quota = diagnose_group(vol, tries, succ, wv, wc, KEYS, quota_share=np.full(12, 1e9))
    assert low_quota.reps[3].gap_pct > 0  # far above quota
    assert low_quota.reps[3].focus == high_quota.reps[3].focus == "conversation"
    assert low_quota.benchmark_kind == "quota"


def test_a_small_sample_gives_no_focus_however_bad_its_raw_rate() -> None:
    vol, tries, succ, wv, wc = make_team(dials=4000)
    # Rep 0 converted 0 of 3 proposals: raw rate 0, but three tries prove little.
    tries[0, 4], succ[0, 4] = 3, 0
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    assert diag.reps[0].focus is None
    assert naive_focus(vol, tries, succ, wv, wc, KEYS)[0] == "won"


def test_volume_and_deal_size_can_be_the_focus() -> None:
    vol, tries, succ, wv, wc = make_team(reps=12, seed=3)
    vol[2] *= 0.5
    tries[2, 0] = vol[2]
    succ[2, 0] = np.round(vol[2] * 0.2)
    wv[5] *= 0.5
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    assert diag.reps[2].focus == "volume"
    assert diag.reps[5].focus == "deal_size"


def test_the_currency_split_adds_up_to_expected_minus_typical() -> None:
    vol, tries, succ, wv, wc = make_team(mult={3: (1, 0.6)})
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    r = diag.reps[3]
    expected_over_typical = math.exp(sum(r.contributions.values()))
    assert sum(r.contributions_value.values()) == pytest.approx(
        r.benchmark * (expected_over_typical - 1), rel=1e-9
    )


def test_peer_strength_lists_the_reliably_strong() -> None:
    vol, tries, succ, wv, wc = make_team(mult={4: (2, 1.5)})
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    assert 4 in diag.peer_strength["meeting"]
    assert "meeting" in diag.reps[4].strengths
    assert diag.peer_strength["won"] == ()


def test_it_reports_stage_posteriors() -> None:
    vol, tries, succ, wv, wc = make_team()
    s = diagnose_group(vol, tries, succ, wv, wc, KEYS).reps[0].stages["connect"]
    assert s.low < s.mean < s.high
    assert s.raw_rate == pytest.approx(succ[0, 0] / tries[0, 0])
    assert 0 <= s.p_below <= 1


def test_the_order_of_the_reps_does_not_matter() -> None:
    vol, tries, succ, wv, wc = make_team(reps=8, dials=300)
    a = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    order = np.array([3, 0, 7, 1, 6, 2, 5, 4])
    b = diagnose_group(vol[order], tries[order], succ[order], wv[order], wc[order], KEYS)
    for j, i in enumerate(order):
        ra, rb = a.reps[i], b.reps[j]
        assert rb.focus == ra.focus
        assert rb.focus_certainty == pytest.approx(ra.focus_certainty)
        for k in KEYS:
            assert rb.stages[k].low == pytest.approx(ra.stages[k].low)
            assert rb.stages[k].p_material == pytest.approx(ra.stages[k].p_material)


def test_groups_are_compared_with_their_own_rates() -> None:
    # Team 1 converts half as well at every stage as team 0: nobody is weak *within* a team.
    v0, t0, s0, w0, c0 = make_team(seed=1)
    rng = np.random.default_rng(2)
    v1 = rng.poisson(4000, 12).astype(float)
    t1, s1 = np.zeros((12, 5)), np.zeros((12, 5))
    cur = v1.copy()
    for k in range(5):
        t1[:, k], s1[:, k] = cur, rng.binomial(cur.astype(int), BASE[k] * 0.7)
        cur = s1[:, k]
    args = [
        np.concatenate(p)
        for p in ((v0, v1), (t0, t1), (s0, s1), (w0, s1[:, -1] * 1e4), (c0, s1[:, -1]))
    ]
    groups = np.repeat([0, 1], 12)
    by_team = diagnose_group(*args, KEYS, groups=groups)
    assert all(r.focus is None for r in by_team.reps)
    pooled = diagnose_group(*args, KEYS)
    assert sum(r.focus is not None for r in pooled.reps[12:]) >= 10


# --- Degenerate inputs ------------------------------------------------------------------------


def test_a_single_rep_is_diagnosed_without_a_focus() -> None:
    vol, tries, succ, wv, wc = make_team(reps=1)
    diag = diagnose_group(vol, tries, succ, wv, wc, KEYS)
    assert diag.reps[0].focus is None
    assert all(abs(c) < 1e-9 for c in diag.reps[0].contributions.values())


def test_reps_with_no_activity_and_no_wins_do_not_break_it() -> None:
    z = np.zeros((4, 5))
    diag = diagnose_group(np.zeros(4), z, z, np.zeros(4), np.zeros(4), KEYS)
    for r in diag.reps:
        assert r.focus is None
        assert all(np.isfinite(list(r.contributions.values())))
        # Nothing won by anyone: no benchmark, so no gap to split (never a number from nothing).
        assert not math.isfinite(r.log_gap)


def test_it_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        diagnose_group(np.ones(2), np.ones((2, 5)), np.ones((2, 4)), np.ones(2), np.ones(2), KEYS)


def test_the_funnel_kind_is_reported() -> None:
    vol, _, succ, wv, wc = make_team(reps=4, dials=500)
    counts = {"dial": vol, **{k: succ[:, i] for i, k in enumerate(KEYS)}}
    f = activity_funnel(counts, list(zip(KEYS, ("dial", *KEYS[:-1]), KEYS, strict=True)), wv, wc)
    diag = diagnose_funnel(f)
    assert diag.kind == "activity" and diag.benchmark_kind == "group_median"


def test_the_naive_baseline_flags_the_lowest_raw_ratio() -> None:
    vol, tries, succ, wv, wc = make_team(mult={3: (1, 0.6)})
    naive = naive_focus(vol, tries, succ, wv, wc, KEYS)
    assert naive[3] == "conversation"


# --- The demo story, diagnosed as the product does ---------------------------------------------


def test_the_demo_story_focuses_sam_only() -> None:
    """The Greeting Crew with its sibling team, November to date (the product's comparison).

    Three reps whose true greeting (connect → conversation) rate is the team's (multiplier ~1)
    had raw rates 0.40-0.43 on ~150 tries against a team rate of 0.46; compared with the group
    median of shrunken rates (0.49 by chance, taken as exact) they got focus Greeting at 94-99 %.
    Against their team mates' pooled rate with its uncertainty, and with "material" meaning the
    posterior itself is likely below 0.8 of the team's, only Sam (true multiplier 0.5) is named.
    """
    import datetime as dt

    from ninety.core.funnel import cohort_funnel, day_start, outcome_counts, won_in_period
    from ninety.core.simulate import ACTIVITY_TYPES, OUTCOMES, SimConfig, simulate

    org = simulate(SimConfig(reps=24, months=3, seed=0, story=True))
    as_of = dt.date(2026, 11, 27)
    start, end = day_start(dt.date(2026, 11, 1)), day_start(as_of + dt.timedelta(days=1))
    by_id = {p["external_id"]: p for p in org.people}
    region = [
        i
        for i, p in enumerate(org.people)
        if p["role"] == "rep" and by_id[p["manager"]]["team"] == "West Region"
    ]
    a, d = org.activities, org.deals
    n_people = len(org.people)
    wv, wc = won_in_period(d["owner"], d["value"], d["status"], d["closed"], n_people, start, end)
    counts = outcome_counts(
        a["person"], a["type"], a["outcome"], a["ts"], n_people,
        len(ACTIVITY_TYPES), len(OUTCOMES), start, end,
    )  # fmt: skip
    f = cohort_funnel(
        counts[region], ACTIVITY_TYPES, OUTCOMES, org.playbook, wv[region], wc[region]
    )
    teams = [org.people[i]["team"] for i in region]
    groups = [0 if t == "Greeting Crew" else 1 for t in teams]
    assert groups.count(0) == 9 and groups.count(1) >= 6
    diag = diagnose_group(
        f.volume, f.tries, f.successes, f.won_value, f.won_count, f.stage_keys, groups=groups
    )
    by_name = {org.people[i]["name"]: r for i, r in zip(region, diag.reps, strict=True)}
    sam = by_name["Sam Patel"]
    assert sam.focus == "conversation" and sam.focus_certainty >= 0.9
    assert by_name["Alex Kim"].focus is None
    # Every other rep of the team without a planted weakness (stage or volume) gets no focus,
    # even those whose raw greeting rate fell a few points under the team's by chance.
    truth = {p["name"]: org.truth["reps"].get(p["external_id"]) for p in org.people}
    healthy = [
        name
        for name, t in truth.items()
        if t and t["team"] == "Greeting Crew" and name != "Sam Patel"
        and t["weak_stage"] is None and abs(t["log_ratio"]["volume"]) < 0.2
    ]  # fmt: skip
    assert len(healthy) >= 5
    for name in healthy:
        assert by_name[name].focus is None, name
    lower = [
        by_name[n].stages["conversation"].raw_rate
        for n in ("Aisha Flores", "Emma Nguyen", "Theo Brooks")
    ]
    assert min(lower) < 0.44  # the chance dips that used to be flagged are still in the data
