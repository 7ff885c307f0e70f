"""Starting, analysing and concluding experiments on the simulated story org."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.core.experiments import IMPROVED
from ninety.experiments.models import Experiment
from ninety.experiments.queries import history_for, running_for
from ninety.experiments.services import (
    ExperimentError,
    analyse_experiment,
    conclude_experiment,
    refresh_running,
    start_experiment,
)
from ninety.people.models import Role
from ninety.playbook.models import Way
from tests.experiments.conftest import (
    AS_OF,
    LOCAL_CUSTOMER,
    SAM_START,
    person,
    published_way,
    sams_experiment,
)

pytestmark = pytest.mark.django_db


def test_it_finds_sams_planted_improvement(story_org, story_sim) -> None:
    change = story_sim.truth["reps"]["P00005"]["behavior_changes"][0]
    assert (change["stage"], change["way"], change["start"]) == (
        "conversation", LOCAL_CUSTOMER, SAM_START.isoformat()
    )  # fmt: skip
    result = analyse_experiment(sams_experiment(story_org), AS_OF)
    assert result.effect > 0
    assert result.p_improved > 0.5
    assert result.as_of == AS_OF
    assert result.label == "connect→conversation"
    assert "likely a real improvement" in result.sentence


def test_it_declares_no_improvement_for_reps_without_a_planted_change(story_org, story_sim):
    dana = person(story_org, "Dana Reyes")
    unchanged = [
        r["name"] for ext, r in story_sim.truth["reps"].items()
        if not r["behavior_changes"] and r["team"] == "Greeting Crew"
    ]  # fmt: skip
    assert unchanged
    for name in unchanged:
        experiment = start_experiment(
            leader=dana, subjects=[person(story_org, name)], hypothesis="Placebo",
            metric="conversation", start=SAM_START,
        )  # fmt: skip
        assert analyse_experiment(experiment, AS_OF).verdict != IMPROVED, name


def test_it_analyses_every_metric_kind(story_org) -> None:
    dana, sam = person(story_org, "Dana Reyes"), person(story_org, "Sam Patel")
    for metric in ("volume", "deal_size", "result", "meeting"):
        experiment = start_experiment(
            leader=dana, subjects=[sam], hypothesis="Check", metric=metric, start=SAM_START
        )
        result = analyse_experiment(experiment, AS_OF)
        assert result.sentence, metric
        assert result.days_after == 11, metric


def test_one_experiment_is_analysed_from_the_database_quickly(story_org) -> None:
    experiment = sams_experiment(story_org)
    analyse_experiment(experiment, AS_OF)  # warm the playbook and the query plans
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        analyse_experiment(experiment, AS_OF)
        elapsed = time.perf_counter() - started
    rollup_queries = [q for q in queries if "activityrollup" in q["sql"].lower()]
    assert len(rollup_queries) == 1
    assert elapsed < 0.5  # the figure is 50 ms; generous here for slow CI machines


def test_it_refuses_subjects_the_leader_does_not_lead(world) -> None:
    with pytest.raises(ExperimentError, match="do not lead Grace"):
        start_experiment(
            leader=world.leader, subjects=[world.other_rep], hypothesis="x",
            metric="conversation", start=SAM_START,
        )  # fmt: skip
    with pytest.raises(ExperimentError) as exc:
        start_experiment(
            leader=world.rep, subjects=[world.teammate], hypothesis="x",
            metric="conversation", start=SAM_START,
        )  # fmt: skip
    assert exc.value.field == "leader"
    assert not Experiment.objects.exists()


def test_it_rejects_an_unknown_metric_and_an_end_before_the_start(world) -> None:
    kw = {"leader": world.leader, "subjects": [world.rep], "hypothesis": "x", "start": SAM_START}
    with pytest.raises(ExperimentError) as exc:
        start_experiment(metric="happiness", **kw)
    assert exc.value.field == "metric"
    with pytest.raises(ExperimentError) as exc:
        start_experiment(metric="conversation", planned_end=SAM_START.replace(day=1), **kw)
    assert exc.value.field == "planned_end"
    assert not Experiment.objects.exists()


def test_a_whole_team_is_compared_with_its_sibling_teams(world) -> None:
    experiment = start_experiment(
        leader=world.director, subjects=world.crew, hypothesis="Team-wide opener",
        metric="conversation", start=SAM_START, source="one-on-one commitment", source_id=7,
    )  # fmt: skip
    assert {p.name for p in experiment.subjects.all()} == {"Sam", "Alex"}
    assert experiment.source_id == 7
    result = analyse_experiment(experiment, AS_OF)
    assert result.verdict == "collecting data"


def test_promoting_a_way_puts_it_first_and_records_the_outcome(story_org) -> None:
    experiment = sams_experiment(story_org)
    dana = person(story_org, "Dana Reyes")
    conclude_experiment(experiment, "promote_way", "Everyone tries it next week", dana, AS_OF)
    way = published_way(story_org, LOCAL_CUSTOMER)
    first = Way.objects.filter(behavior=way.behavior).order_by("order", "pk").first()
    assert first == way and way.status == Way.Status.APPROVED
    experiment.refresh_from_db()
    assert experiment.status == "concluded" and experiment.conclusion == "promote_way"
    assert "Everyone tries it next week" in experiment.outcome
    assert experiment.sentence  # the final verdict is kept
    history = history_for(person(story_org, "Sam Patel"))
    assert [h.outcome for h in history] == [experiment.outcome]
    with pytest.raises(ExperimentError, match="already concluded"):
        conclude_experiment(experiment, "keep", "", dana, AS_OF)


def test_retiring_a_way_retires_it_in_the_playbook(story_org) -> None:
    experiment = sams_experiment(story_org)
    conclude_experiment(experiment, "retire_way", "No better", person(story_org, "Dana Reyes"))
    way = published_way(story_org, LOCAL_CUSTOMER)
    assert way.status == Way.Status.RETIRED and way.decline_reason == "No better"


def test_a_rep_cannot_conclude(story_org) -> None:
    experiment = sams_experiment(story_org)
    with pytest.raises(ExperimentError):
        conclude_experiment(experiment, "keep", "", person(story_org, "Sam Patel"))
    experiment.refresh_from_db()
    assert experiment.status == "running"


def test_refresh_running_caches_verdicts_and_running_for_reads_them(story_org) -> None:
    dana = person(story_org, "Dana Reyes")
    sams_experiment(story_org)
    for name in ("Alex Kim",):
        start_experiment(leader=dana, subjects=[person(story_org, name)], hypothesis="x",
                         metric="volume", start=SAM_START)  # fmt: skip
    assert refresh_running(story_org, AS_OF) == 2
    reps = list(story_org.people.filter(role=Role.REP))
    with CaptureQueriesContext(connection) as queries:
        summaries = running_for(reps, AS_OF)
    assert len(queries) <= 3
    sam = next(s for s in summaries if s.subjects == ("Sam Patel",))
    assert sam.p_improved is not None and sam.p_improved > 0.5
    assert "likely a real improvement" in sam.sentence
    assert sam.url == f"/experiments/{sam.pk}/"
    assert sam.title.startswith("Sam Patel: ")
    assert running_for(reps, SAM_START.replace(day=1)) == []
