"""The simulator: determinism, the import formats, count consistency, planted truth, story."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ninety.core.sim.calendar import eastern_utc_offset, us_holidays
from ninety.core.simulate import (
    ACTIVITY_TYPES,
    OUTCOME_EMPTY,
    OUTCOMES,
    SimConfig,
    SimulatedOrg,
    simulate,
    stop_at,
    write_dataset,
)

FILES = ("people.csv", "activities.csv", "deals.csv", "quotas.csv", "playbook.yaml", "truth.json")
T = {name: i for i, name in enumerate(ACTIVITY_TYPES)}


@pytest.fixture(scope="module")
def small() -> SimulatedOrg:
    return simulate(SimConfig(reps=16, months=2, seed=3))


@pytest.fixture(scope="module")
def medium() -> SimulatedOrg:
    # Big enough for rate checks (~360k activities), still about a second.
    return simulate(SimConfig(reps=60, months=6, seed=11))


@pytest.fixture(scope="module")
def story() -> SimulatedOrg:
    return simulate(SimConfig(reps=30, months=4, seed=0, story=True))


def _write(org: SimulatedOrg, path: Path) -> dict[str, bytes]:
    write_dataset(org, path)
    return {f: (path / f).read_bytes() for f in FILES}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- determinism and formats ------------------------------------------------------------------


def test_the_same_seed_writes_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    cfg = SimConfig(reps=16, months=1, seed=5, story=False)
    a = _write(simulate(cfg), tmp_path / "a")
    b = _write(simulate(cfg), tmp_path / "b")
    assert a == b
    c = _write(simulate(SimConfig(reps=16, months=1, seed=6)), tmp_path / "c")
    for name in ("people.csv", "activities.csv", "deals.csv", "truth.json"):
        assert a[name] != c[name], name


def test_the_csv_headers_are_exact(small: SimulatedOrg, tmp_path: Path) -> None:
    counts = write_dataset(small, tmp_path)
    heads = {f: (tmp_path / f).read_text().split("\n", 1)[0] for f in FILES[:4]}
    assert heads == {
        "people.csv": "external_id,name,email,role,manager,team,high_potential,hired_on",
        "activities.csv": "external_id,person,occurred_at,type,deal,way,duration_seconds,outcome",
        "deals.csv": "external_id,owner,account,product,stage,value,opened_at,closed_at,status",
        "quotas.csv": "person,period,amount",
    }
    for f in FILES[:4]:
        text = (tmp_path / f).read_bytes()
        assert b"\r" not in text and b'"' not in text  # \n line ends, nothing needed quoting
        assert text.count(b"\n") == counts[f] + 1


def test_activity_rows_match_the_arrays(small: SimulatedOrg, tmp_path: Path) -> None:
    write_dataset(small, tmp_path)
    rows = _rows(tmp_path / "activities.csv")
    a = small.activities
    assert len(rows) == len(a["ts"])
    for i in (0, len(rows) // 2, len(rows) - 1):
        r = rows[i]
        assert r["person"] == small.people[a["person"][i]]["external_id"]
        ts = dt.datetime.fromtimestamp(int(a["ts"][i]), dt.UTC)
        assert r["occurred_at"] == ts.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert r["type"] == ACTIVITY_TYPES[a["type"][i]]
        assert r["outcome"] == OUTCOMES[a["outcome"][i]]
        assert r["way"] == ("" if a["way"][i] < 0 else small.ways[a["way"][i]][2])
    assert set(Counter(r["type"] for r in rows)) <= set(ACTIVITY_TYPES)


def test_activities_are_sorted_by_time_then_person(small: SimulatedOrg) -> None:
    ts, person = small.activities["ts"], small.activities["person"]
    assert np.all(np.diff(ts) >= 0)
    same = np.diff(ts) == 0
    assert np.all(np.diff(person)[same] >= 0)


def test_activities_fall_in_business_hours_on_business_days(small: SimulatedOrg) -> None:
    cfg = small.config
    ts = small.activities["ts"]
    utc_day = (ts // 86400).astype("datetime64[D]")
    local = ts + eastern_utc_offset(utc_day)
    day = (local // 86400).astype("datetime64[D]")
    hours = (local % 86400) / 3600
    assert np.all(np.is_busday(day, holidays=us_holidays(2025, 2027)))
    assert hours.min() >= 9 and hours.max() < 18
    assert str(day.min()) == "2026-09-01"  # two full months before November
    assert day.max() <= np.datetime64(cfg.as_of)


# -- counts ------------------------------------------------------------------------------------


def test_every_advanced_attempt_has_exactly_one_next_row(medium: SimulatedOrg) -> None:
    a = medium.activities
    for st in medium.playbook.stages:
        entry, exit_ = T[st.entry], T[st.exit]
        advanced = int(((a["type"] == entry) & (a["outcome"] == exit_)).sum())
        if st.exit == "meeting":
            # A meeting booked in the conversation is known at booking; the ones booked for
            # after as_of have no row yet, and are few (1-6 business days out).
            rows = int((a["type"] == exit_).sum())
            assert rows <= advanced <= rows * 1.05, st.key
            continue
        assert advanced == int((a["type"] == exit_).sum()), st.key
    lost = int(((a["type"] == T["proposal"]) & (a["outcome"] == T["lost"])).sum())
    assert lost == int((a["type"] == T["lost"]).sum())
    # A deal opens at each meeting; deal-bearing rows are exactly meeting/proposal/won/lost.
    assert int((a["type"] == T["meeting"]).sum()) == len(medium.deals["owner"])
    with_deal = np.isin(a["type"], [T["meeting"], T["proposal"], T["won"], T["lost"]])
    assert np.all((a["deal"] >= 0) == with_deal)
    # Terminal and free rows carry neither an outcome nor a way.
    free = np.isin(a["type"], [T["won"], T["lost"], T["email"]])
    assert np.all(a["outcome"][free] == OUTCOME_EMPTY) and np.all(a["way"][free] == -1)


def test_deal_status_follows_the_activity_rows(medium: SimulatedOrg) -> None:
    a, d = medium.activities, medium.deals
    won_deals = np.unique(a["deal"][a["type"] == T["won"]])
    assert np.array_equal(np.flatnonzero(d["status"] == 1), won_deals)
    assert np.all((d["closed"] >= 0) == (d["status"] > 0))
    assert np.all(d["closed"][d["closed"] >= 0] > d["opened"][d["closed"] >= 0])
    # Cycle times cross month ends: some deals opened in one month close in the next.
    opened = d["opened"].astype("datetime64[s]").astype("datetime64[M]")
    closed = d["closed"].astype("datetime64[s]").astype("datetime64[M]")
    assert np.any((d["closed"] >= 0) & (closed > opened))


def test_ways_are_recorded_on_about_sixty_percent_of_stage_rows(medium: SimulatedOrg) -> None:
    a = medium.activities
    stage_rows = a["type"] <= T["proposal"]
    share = float((a["way"][stage_rows] >= 0).mean())
    assert 0.5 < share < 0.7
    # The way on a row belongs to the stage whose entry is the row's type.
    stage_of_way = np.array([medium.playbook.stage_keys.index(w[0]) for w in medium.ways])
    recorded = a["way"] >= 0
    assert np.all(stage_of_way[a["way"][recorded]] == a["type"][recorded])


# -- the planted truth -------------------------------------------------------------------------


def _stage_counts(org: SimulatedOrg, stage: str, person: int) -> tuple[int, int]:
    st = org.playbook.stage(stage)
    a = org.activities
    rows = (a["type"] == T[st.entry]) & (a["outcome"] != OUTCOME_EMPTY) & (a["person"] == person)
    return int(rows.sum()), int((rows & (a["outcome"] == T[st.exit])).sum())


def test_planted_weak_stages_show_at_their_true_strength(medium: SimulatedOrg) -> None:
    truth = medium.truth["reps"]
    index = {p["external_id"]: i for i, p in enumerate(medium.people)}
    checked, z_scores, ratio_err = 0, [], []
    for ext, rep in truth.items():
        stage = rep["weak_stage"]
        if stage is None or any(c["stage"] == stage for c in rep["behavior_changes"]):
            continue
        n, x = _stage_counts(medium, stage, index[ext])
        if n < 100:
            continue
        # The rest of the team, weighted by tries, is the observed benchmark.
        mates = [e for e, r in truth.items() if r["team"] == rep["team"] and e != ext]
        counts = [_stage_counts(medium, stage, index[e]) for e in mates]
        n_rest = sum(c[0] for c in counts)
        x_rest = sum(c[1] for c in counts)
        true_rest = sum(
            c[0] * truth[e]["stage_rates"][stage] for e, c in zip(mates, counts, strict=True)
        )
        true_ratio = rep["stage_rates"][stage] / (true_rest / n_rest)
        observed_ratio = (x / n) / (x_rest / n_rest)
        p = rep["stage_rates"][stage]
        z_scores.append((x / n - p) / np.sqrt(p * (1 - p) / n))
        ratio_err.append(observed_ratio / true_ratio - 1)
        assert 0.45 * 0.9 < np.exp(rep["log_ratio"][stage]) < 0.8 * 1.2
        checked += 1
    assert checked >= 10
    # Each rep's observed rate is within sampling error of the planted rate...
    assert np.max(np.abs(z_scores)) < 4.5
    assert abs(np.mean(z_scores)) < 3 / np.sqrt(checked)
    # ...and the ratio to the observed team rate recovers the planted multiplier.
    assert abs(np.median(ratio_err)) < 0.05


def test_about_forty_percent_of_reps_have_a_weak_stage() -> None:
    org = simulate(SimConfig(reps=300, months=2, seed=2))
    weak = [r["weak_stage"] is not None for r in org.truth["reps"].values()]
    changes = [bool(r["behavior_changes"]) for r in org.truth["reps"].values()]
    assert 0.33 < np.mean(weak) < 0.47
    assert 0.08 < np.mean(changes) < 0.2


def test_better_ways_convert_better(medium: SimulatedOrg) -> None:
    a = medium.activities
    st = medium.playbook.stage("connect")
    rows = (a["type"] == T[st.entry]) & (a["way"] >= 0)
    ways = [i for i, w in enumerate(medium.ways) if w[0] == "connect"]
    rate = [float((a["outcome"][rows & (a["way"] == w)] == T[st.exit]).mean()) for w in ways]
    true = [medium.truth["ways"]["connect"][medium.ways[w][2]] for w in ways]
    assert np.corrcoef(rate, true)[0, 1] > 0.9


# -- the demo story ----------------------------------------------------------------------------


def test_the_story_org_chart(story: SimulatedOrg) -> None:
    by_name = {p["name"]: p for p in story.people}
    morgan, dana = by_name["Morgan Lee"], by_name["Dana Reyes"]
    sam, alex = by_name["Sam Patel"], by_name["Alex Kim"]
    assert morgan["role"] == "leader" and morgan["manager"] == ""
    leaders = [p for p in story.people if p["manager"] == morgan["external_id"]]
    assert len(leaders) == 2 and dana in leaders
    crew = [p for p in story.people if p["manager"] == dana["external_id"]]
    assert len(crew) == 9 and {p["team"] for p in crew} == {"Greeting Crew"}
    assert sam in crew and alex in crew
    assert alex["high_potential"] is True and sam["high_potential"] is False
    assert sam["email"] == "sam.patel@example.com"
    assert sum(p["role"] == "admin" for p in story.people) == 1
    names = [p["name"] for p in story.people]
    assert len(set(names)) == len(names)


def test_the_story_truth_and_data(story: SimulatedOrg) -> None:
    by_name = {p["name"]: p for p in story.people}
    sam_id, alex_id = by_name["Sam Patel"]["external_id"], by_name["Alex Kim"]["external_id"]
    reps = story.truth["reps"]
    sam, alex = reps[sam_id], reps[alex_id]
    assert sam["weak_stage"] == "conversation"
    assert abs(np.exp(sam["log_ratio"]["conversation"]) - 0.5) < 0.06
    assert abs(sam["log_ratio"]["volume"]) < 0.05
    assert alex["strong_stage"] == "conversation"
    assert abs(np.exp(alex["log_ratio"]["conversation"]) - 1.35) < 0.1
    (change,) = sam["behavior_changes"]
    assert change["kind"] == "way" and change["way"] == "reference-a-local-customer"
    assert change["start"] == "2026-11-13" and change["true_effect_log_odds"] > 0.2
    crew = [r for r in reps.values() if r["team"] == "Greeting Crew"]
    assert sum(r["weak_stage"] == "meeting" for r in crew) == 1
    assert sum(abs(np.exp(r["log_ratio"]["volume"]) - 0.6) < 0.05 for r in crew) == 1
    assert sum(r["weak_stage"] is None for r in crew) == 7
    assert abs(story.truth["story"]["sam"]["linear_pace"] + 0.15) < 0.02
    # Sam mostly uses the weak price hook; after the change the local customer takes a share.
    a = story.activities
    person = story.people.index(by_name["Sam Patel"])
    start = dt.datetime(2026, 11, 13, 5, tzinfo=dt.UTC).timestamp()
    greet = (a["person"] == person) & (a["type"] == T["connect"]) & (a["way"] >= 0)
    before = Counter(story.ways[w][2] for w in a["way"][greet & (a["ts"] < start)])
    after = Counter(story.ways[w][2] for w in a["way"][greet & (a["ts"] >= start)])
    assert before.most_common(1)[0][0] == "price-hook"
    local = "reference-a-local-customer"
    share_before = before[local] / sum(before.values())
    share_after = after[local] / sum(after.values())
    assert share_after - share_before > 0.2


def test_quotas_cover_every_rep_for_the_current_month(story: SimulatedOrg) -> None:
    q = story.quotas
    reps = [i for i, p in enumerate(story.people) if p["role"] == "rep"]
    current = set(q["person"][q["period"] == "2026-11"].tolist())
    assert current == set(reps)
    assert np.all(q["amount"] % 100 == 0) and np.all(q["amount"] > 0)


def test_the_core_does_not_import_django() -> None:
    code = "import sys; import ninety.core.simulate; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_stop_at_leaves_nothing_after_the_cut_and_stays_consistent(medium: SimulatedOrg) -> None:
    # The demo stops at "now" of its as-of day; cut mid-history, where far more is pending.
    until = int(np.quantile(medium.activities["ts"], 0.8))
    cut = stop_at(medium, until)
    a, d = cut.activities, cut.deals
    assert a["ts"].max() <= until and len(a["ts"]) < len(medium.activities["ts"])
    assert d["opened"].max() <= until and d["closed"].max() <= until
    # A deal opens at each meeting; won deals are those with a won row; closed iff decided.
    assert int((a["type"] == T["meeting"]).sum()) == len(d["owner"])
    won_deals = np.unique(a["deal"][a["type"] == T["won"]])
    assert np.array_equal(np.flatnonzero(d["status"] == 1), won_deals)
    assert np.all((d["closed"] >= 0) == (d["status"] > 0))
    # An attempt counts as advanced only when its next row is there by the cut.
    for entry, exit_ in (("meeting", "proposal"), ("proposal", "won"), ("proposal", "lost")):
        advanced = int(((a["type"] == T[entry]) & (a["outcome"] == T[exit_])).sum())
        assert advanced == int((a["type"] == T[exit_]).sum()), (entry, exit_)
    calls = (a["type"] == T["dial"]) & (a["outcome"] == T["connect"])
    assert np.all(a["ts"][calls] + a["duration"][calls] <= until)
    # Stages of open deals: a proposal only when its proposal row is there.
    proposed = np.unique(a["deal"][a["type"] == T["proposal"]])
    open_at_proposal = np.flatnonzero((d["status"] == 0) & (d["stage"] >= 3))
    assert np.isin(open_at_proposal, proposed).all()
