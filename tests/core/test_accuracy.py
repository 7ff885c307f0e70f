"""The diagnosis accuracy benchmark at a small size, fixed seed (bench/bench_diagnosis.py).

Issue 5's targets are ≥ 90 % of materially weak reps focused on their planted stage and ≤ 10 %
of reps without material weakness given a focus, with one month of data. The second holds. The
first is out of reach of *any* method at the simulator's volumes (about 10 proposals and 3 wins
per rep and month): the oracle that knows every team's true rates and the simulator's prior
reaches 42-56 % (seed-dependent). The naive baseline's hits are mostly luck: it names a stage for
about 60 % of healthy reps too. This test pins what holds — the false-focus rate, at least 75 % of
the oracle's hit rate, and the top of the funnel where the data suffice — so a regression shows.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
bench = pytest.importorskip("bench_diagnosis")


def test_the_focus_finds_planted_weak_stages_without_false_alarms() -> None:
    org = bench.simulate(bench.SimConfig(reps=400, months=2, seed=7, as_of=dt.date(2026, 11, 27)))
    reps = bench.rep_table(org)
    acc = bench.bench_accuracy(org, reps, dt.date(2026, 10, 1), bench.DiagnosisConfig(), "cohort")
    ninety, naive, oracle = acc["ninety"], acc["naive"], acc["oracle"]
    assert ninety["material"] >= 100 and ninety["clean"] >= 100
    assert ninety["false_rate"] <= 0.10
    assert naive["false_rate"] >= 0.4  # the baseline flags most healthy reps
    assert ninety["hit_rate"] >= 0.75 * oracle["hit_rate"]
    # The top of the funnel has hundreds of tries a month: there the focus is reliable.
    top = [ninety["by_stage"][k] for k in ("connect", "conversation")]
    assert sum(h for h, _ in top) >= 0.8 * sum(n for _, n in top)
