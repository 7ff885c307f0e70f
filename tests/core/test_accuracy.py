"""The diagnosis accuracy benchmark at a small size, fixed seed (bench/bench_diagnosis.py).

Scored as the product diagnoses: each director's region on its own (a team with its sibling
teams, ``groups`` = team), on the month to date at day 27 and on the last full month, cohort
funnel. Issue 5's targets are ≥ 90 % of materially weak reps focused on their planted stage and
≤ 10 % of reps without material weakness given a focus. The second holds. The first is out of
reach of *any* method at the simulator's volumes (about 10 proposals and 3-9 wins per rep and
month): the Neyman-Pearson ceiling — the best hit rate at ≤ 10 % false focus of the Bayes
posterior that knows every team's true rates and the simulator's prior, its threshold swept on
the truth — is 50-62 % at 1,000 reps (see docs/diagnosis-accuracy.md). The naive baseline
names a stage for about 60 % of healthy reps; Ninety beats its hit rate while keeping false
focus under 10 %.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
bench = pytest.importorskip("bench_diagnosis")

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def org_reps() -> tuple[object, dict]:
    org = bench.simulate(bench.SimConfig(reps=300, months=2, seed=7, as_of=AS_OF))
    return org, bench.rep_table(org)


@pytest.mark.parametrize("m0, upto", [(dt.date(2026, 11, 1), AS_OF), (dt.date(2026, 10, 1), None)])
def test_team_level_focus_finds_weak_stages_without_false_alarms(
    org_reps: tuple[object, dict], m0: dt.date, upto: dt.date | None
) -> None:
    org, reps = org_reps
    acc = bench.bench_accuracy(org, reps, m0, bench.DiagnosisConfig(), as_of=upto)
    ninety, naive, oracle = acc["ninety"], acc["naive"], acc["oracle"]
    ceiling = acc["ceiling"]
    assert acc["runs"] >= 8  # one run per region, as the product does
    assert ninety["material"] >= 80 and ninety["clean"] >= 120
    assert ninety["false_rate"] <= 0.10
    assert naive["false_rate"] >= 0.4  # the baseline flags most healthy reps
    # Ninety beats the baseline on both numbers of issue 5.
    assert ninety["hit_rate"] > naive["hit_rate"]
    assert ninety["false_rate"] < naive["false_rate"]
    assert ninety["hit_rate"] >= 0.7 * oracle["hit_rate"]
    # The Neyman-Pearson ceiling: no rule on one month's counts gets near the 90 % target (it is
    # 47 % and 60 % here, 50-62 % at 1,000 reps), and Ninety gets most of what is reachable.
    assert ceiling["false_rate"] <= 0.10
    assert ceiling["hit_rate"] <= 0.75
    assert ninety["hit_rate"] >= 0.75 * ceiling["hit_rate"]
    # The top of the funnel has hundreds of tries a month: there the focus is reliable.
    top = [ninety["by_stage"][k] for k in ("connect", "conversation")]
    assert sum(h for h, _ in top) >= 0.65 * sum(n for _, n in top)
