"""The diagnosis accuracy benchmark at a small size, fixed seed (bench/bench_diagnosis.py).

Scored as the product diagnoses: each director's region on its own (a team with its sibling
teams, ``groups`` = team), each stage on its evidence window, on day 2 of a month and on the
last full month. The figures of the issue at full size are in the README; here, at 300 reps,
the same properties with room for the smaller sample: intervals cover the truth about 90 % of
the time at every stage, false focus stays at or under 10 %, Ninety beats the naive baseline
and gets most of the Neyman-Pearson ceiling of the same evidence.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_diagnosis as bench

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def org_reps() -> tuple[object, dict]:
    org = bench.simulate(bench.SimConfig(reps=300, months=4, seed=7, as_of=AS_OF))
    return org, bench.rep_table(org)


@pytest.mark.parametrize(
    "m0, upto", [(dt.date(2026, 11, 1), dt.date(2026, 11, 2)), (dt.date(2026, 10, 1), None)]
)
def test_focus_and_intervals_on_the_evidence_windows(
    org_reps: tuple[object, dict], m0: dt.date, upto: dt.date | None
) -> None:
    org, reps = org_reps
    acc = bench.bench_accuracy(org, reps, m0, bench.DiagnosisConfig(), as_of=upto, windows=True)
    ninety, naive, ceiling = acc["ninety"], acc["naive"], acc["ceiling"]
    assert acc["runs"] >= 8  # one run per region, as the product does
    assert ninety["material"] >= 60 and ninety["clean"] >= 120
    assert ninety["false_rate"] <= 0.10
    assert ninety["hit_rate"] > naive["hit_rate"]
    assert ninety["hit_rate"] >= 0.7 * ceiling["hit_rate"]
    for stage, share in acc["coverage"].items():
        assert 0.82 <= share <= 0.97, (stage, share)
    # Windows reach back for the late stages (few tries a month), not for the first one.
    days = [w.days for w in acc["windows"]]
    assert days[-1] > days[0]
    assert max(days) <= 91
    # Stated certainty is never an overstatement by more than the bin noise.
    rel = np.array(acc["reliability"])
    high = rel[rel[:, 0] >= 0.5]
    assert high[:, 1].mean() >= high[:, 0].mean() - 0.1
