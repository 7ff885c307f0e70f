"""The experiment verdict: one table row per rule of ``verdict_codes`` (and each rule's edge),
then the verdict itself on simulated teams: false alarms under daily looks, power, and how often
"no detectable change" is said of a change that is real."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ninety.core.experiments import (
    COLLECTING,
    IMPROVED,
    NO_CHANGE,
    VERDICTS,
    WORSE,
    ExperimentPlan,
    RateCounts,
    analyse,
    confidence_sequence_halfwidth,
    cumulative,
    verdict_codes,
)

ALPHA, THRESHOLD = 0.05, 0.95
V, TAU2 = 0.01, 0.02  # variance of the estimate and mixture variance of the table rows
H = float(confidence_sequence_halfwidth(V, TAU2, ALPHA))  # the confidence sequence's half-width
H2 = float(confidence_sequence_halfwidth(V, TAU2, 2 * ALPHA))  # the same at twice the level
PRACTICAL = 0.4
assert H2 < H < PRACTICAL  # the rows below rely on it

# One row per rule (and the edges that make each rule what it is). Columns: estimate, P(improved),
# always-valid p, enough data, planned end reached, verdict. Rows vary one input at a time.
ROWS = [
    # 1. Collecting while data are short: no other verdict, whatever the evidence.
    ("short data, strong evidence up", 0.5, 0.999, 0.001, False, False, COLLECTING),
    ("short data, strong evidence down", -0.5, 0.001, 0.001, False, False, COLLECTING),
    ("short data, planned end reached", 0.0, 0.5, 0.9, False, True, COLLECTING),
    ("short data, interval inside ±practical", 0.0, 0.5, 0.9, False, False, COLLECTING),
    # 2. Likely improved: p < α and P(improved) ≥ threshold (and an estimate above zero).
    ("improved", 0.5, 0.999, 0.001, True, False, IMPROVED),
    ("improved beats the planned end", 0.5, 0.999, 0.001, True, True, IMPROVED),
    ("improved at exactly the threshold", 0.5, THRESHOLD, 0.001, True, False, IMPROVED),
    ("P(improved) just below the threshold", 0.5, 0.949, 0.001, True, False, COLLECTING),
    ("p between α and 2α is not enough", 0.5, 0.999, 0.07, True, False, COLLECTING),
    ("p at α is not below it", 0.5, 0.999, ALPHA, True, False, COLLECTING),
    ("high P(improved) with a negative estimate", -0.5, 0.999, 0.001, True, False, COLLECTING),
    # 3. Likely worse: the mirror image.
    ("worse", -0.5, 0.001, 0.001, True, False, WORSE),
    ("worse beats the planned end", -0.5, 0.001, 0.001, True, True, WORSE),
    ("P(improved) just above 1 − threshold", -0.5, 0.051, 0.001, True, False, COLLECTING),
    ("worse needs p < α too", -0.5, 0.001, 0.07, True, False, COLLECTING),
    # 4. No detectable change: planned end reached, or the confidence sequence inside ±practical.
    ("planned end reached without evidence", 0.3, 0.9, 0.2, True, True, NO_CHANGE),
    ("sequence inside ±practical", 0.0, 0.5, 0.9, True, False, NO_CHANGE),
    ("sequence just inside", PRACTICAL - H - 0.01, 0.9, 0.3, True, False, NO_CHANGE),
    ("estimate small but sequence reaches practical", PRACTICAL - H + 0.01, 0.9, 0.3, True,
     False, COLLECTING),
    ("negative estimate, sequence reaches −practical", -(PRACTICAL - H + 0.01), 0.1, 0.3, True,
     False, COLLECTING),
    ("sequence at 2α would fit, at α it does not", PRACTICAL - (H + H2) / 2, 0.9, 0.3, True,
     False, COLLECTING),
    # 5. Otherwise collecting.
    ("enough data, no evidence, end not reached", 0.3, 0.9, 0.2, True, False, COLLECTING),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "estimate", "p_improved", "p_value", "enough", "end", "verdict"),
    ROWS,
    ids=[r[0] for r in ROWS],
)
def test_each_verdict_rule(
    case: str,
    estimate: float,
    p_improved: float,
    p_value: float,
    enough: bool,
    end: bool,
    verdict: str,
) -> None:
    code = verdict_codes(
        estimate, V, p_improved, p_value, enough, end, PRACTICAL, TAU2, ALPHA, THRESHOLD
    )
    assert VERDICTS[int(code)] == verdict, case


def test_the_rules_apply_elementwise_to_the_whole_table() -> None:
    cols = list(zip(*[r[1:] for r in ROWS], strict=True))
    est, pi, pv, ok, end, expected = (np.array(c) for c in cols)
    codes = verdict_codes(est, V, pi, pv, ok, end, PRACTICAL, TAU2, ALPHA, THRESHOLD)
    assert [VERDICTS[c] for c in codes] == list(expected)


def test_the_interval_test_uses_the_variance_of_each_look() -> None:
    # Same estimate, the one with four times the variance has a wider sequence: not inside.
    codes = verdict_codes(
        [0.0, 0.0], [V, 4 * V], 0.5, 0.9, True, False, PRACTICAL, TAU2, ALPHA, THRESHOLD
    )
    assert float(confidence_sequence_halfwidth(4 * V, TAU2, ALPHA)) > PRACTICAL
    assert [VERDICTS[c] for c in codes] == [NO_CHANGE, COLLECTING]


def test_the_default_plan_decides_at_five_percent() -> None:
    plan = ExperimentPlan(start=dt.date(2025, 3, 3))
    assert (plan.alpha, plan.threshold, plan.min_days, plan.min_tries) == (0.05, 0.95, 5, 30)


# ------------------------------------------------------------------ the verdict on simulated teams

DAYS_BEFORE = DAYS_AFTER = 40
DAYS = np.busday_offset("2025-01-06", np.arange(DAYS_BEFORE + DAYS_AFTER), roll="forward")
PLAN = ExperimentPlan(
    start=DAYS[DAYS_BEFORE].astype(dt.date), planned_end=DAYS[-1].astype(dt.date), label="x"
)


def _team(rng: np.random.Generator, lift: float, subjects: int) -> RateCounts:
    """One experiment on a simulated team: ``subjects`` reps change, 8 reps are the control;
    each rep makes Poisson(8) connects a business day at their own rate around 0.45, with a
    daily shock common to the team (log-odds sd 0.1)."""
    reps, days = subjects + 8, DAYS.size
    rate = rng.beta(0.45 * 60, 0.55 * 60, size=(reps, 1))
    p = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + rng.normal(0, 0.1, size=(1, days)))))
    after = np.arange(days) >= DAYS_BEFORE
    p[:subjects] = np.where(after, np.minimum(p[:subjects] * (1 + lift), 0.99), p[:subjects])
    tries = rng.poisson(8.0, size=(reps, days))
    wins = rng.binomial(tries, p)
    return RateCounts.of(
        DAYS, wins[:subjects].sum(0), tries[:subjects].sum(0), wins[subjects:].sum(0),
        tries[subjects:].sum(0),
    )  # fmt: skip


def _verdicts(seed: int, n: int, lift: float, subjects: int) -> list[list[str]]:
    """The verdict at every daily look of ``n`` simulated experiments."""
    rng = np.random.default_rng(seed)
    return [
        [look.verdict for look in cumulative(_team(rng, lift, subjects), PLAN)] for _ in range(n)
    ]


def _first_conclusive(looks: list[str]) -> str:
    return next((v for v in looks if v != COLLECTING), COLLECTING)


def test_false_alarms_stay_below_five_percent_under_daily_looks() -> None:
    runs = _verdicts(seed=11, n=300, lift=0.0, subjects=1)
    alarms = sum(any(v in (IMPROVED, WORSE) for v in looks) for looks in runs)
    assert alarms / len(runs) <= 0.05
    # Every null experiment concludes "no detectable change" by its planned end.
    assert all(looks[-1] == NO_CHANGE for looks in runs if not set(looks) & {IMPROVED, WORSE})


def test_a_large_change_on_three_reps_is_found_within_eight_weeks() -> None:
    runs = _verdicts(seed=12, n=100, lift=0.30, subjects=3)
    first = [_first_conclusive(looks) for looks in runs]
    assert first.count(IMPROVED) / len(runs) >= 0.9  # the long benchmark measures 98 %
    assert first.count(WORSE) == 0


def test_a_real_change_is_not_called_no_change_before_the_planned_end() -> None:
    # +20 % on one rep is rarely proven in eight weeks, but "no detectable change" before the
    # end needs a confidence sequence that rules out a 10 % change: it must stay rare.
    runs = _verdicts(seed=13, n=150, lift=0.20, subjects=1)
    early = sum(NO_CHANGE in looks[:-1] for looks in runs)
    assert early / len(runs) <= 0.05


@pytest.mark.parametrize(
    "cell", ["subject_before", "control_before", "subject_after", "control_after"]
)
def test_each_cell_needs_its_thirty_tries(cell: str) -> None:
    # A clear +50% on a large team, except that one of the four cells has only 20 tries.
    before, after = np.arange(DAYS.size) < DAYS_BEFORE, np.arange(DAYS.size) >= DAYS_BEFORE
    tries = {k: np.full(DAYS.size, 50) for k in ("s", "c")}
    short = {"subject_before": ("s", before), "control_before": ("c", before),
             "subject_after": ("s", after), "control_after": ("c", after)}[cell]  # fmt: skip
    tries[short[0]] = np.where(short[1], 0, tries[short[0]])
    tries[short[0]][np.flatnonzero(short[1])[:2]] = 10  # 20 tries in that cell
    rate_s = np.where(after, 0.6, 0.4)
    data = RateCounts.of(
        DAYS, np.round(tries["s"] * rate_s), tries["s"], np.round(tries["c"] * 0.4), tries["c"]
    )
    r = analyse(data, PLAN)
    assert r.n[cell] == 20
    assert r.verdict == COLLECTING and "not enough data yet" in r.sentence
    # With every cell full the same data say "likely improved".
    full = RateCounts.of(DAYS, np.round(50 * rate_s), np.full(DAYS.size, 50),
                         np.full(DAYS.size, 20), np.full(DAYS.size, 50))  # fmt: skip
    assert analyse(full, PLAN).verdict == IMPROVED


def test_an_ended_experiment_with_too_little_data_is_still_collecting() -> None:
    rng = np.random.default_rng(14)
    tries = rng.poisson(0.4, size=DAYS.size)  # one rep with a handful of connects
    wins = rng.binomial(tries, 0.45)
    data = RateCounts.of(DAYS, wins, tries, wins * 8, tries * 8)
    r = analyse(data, PLAN)
    assert r.days_after == DAYS_AFTER and r.n["subject_after"] < PLAN.min_tries
    assert r.verdict == COLLECTING and "not enough data yet" in r.sentence
