"""Importing activities refreshes the cached verdicts of running experiments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from ninety.core.playbook_spec import default_playbook
from ninety.experiments.models import Experiment
from ninety.experiments.services import start_experiment
from ninety.ingest.services import import_file
from ninety.playbook.services import install_playbook
from tests.conftest import World


def test_an_activity_import_refreshes_running_experiments(world: World, tmp_path: Path) -> None:
    install_playbook(world.org, default_playbook())
    today = timezone.localdate()
    experiment = start_experiment(
        leader=world.leader,
        subjects=[world.rep],
        hypothesis="A better opener",
        metric="conversation",
        start=today - timedelta(days=7),
    )
    Experiment.objects.filter(pk=experiment.pk).update(
        sentence="stale", analysed_as_of=date(2000, 1, 1)
    )
    rows = ["external_id,person,occurred_at,type,outcome"]
    rows += [
        f"A{i},ext-sam,{(today - timedelta(days=1)).isoformat()}T15:00:00Z,connect,"
        f"{'conversation' if i % 2 else 'none'}"
        for i in range(6)
    ]
    csv = tmp_path / "activities.csv"
    csv.write_text("\n".join(rows) + "\n")
    summary = import_file(world.org, "activities", csv, preset="ninety")
    assert summary.imported == 6
    experiment.refresh_from_db()
    assert experiment.sentence != "stale"
    assert experiment.analysed_as_of == today


def test_a_dry_run_leaves_the_cache_alone(world: World, tmp_path: Path) -> None:
    install_playbook(world.org, default_playbook())
    today = timezone.localdate()
    experiment = start_experiment(
        leader=world.leader, subjects=[world.rep], hypothesis="h", metric="conversation",
        start=today - timedelta(days=7),
    )  # fmt: skip
    Experiment.objects.filter(pk=experiment.pk).update(sentence="stale")
    csv = tmp_path / "activities.csv"
    csv.write_text(
        "external_id,person,occurred_at,type\n"
        f"B1,ext-sam,{(today - timedelta(days=1)).isoformat()}T15:00:00Z,dial\n"
    )
    import_file(world.org, "activities", csv, preset="ninety", dry_run=True)
    experiment.refresh_from_db()
    assert experiment.sentence == "stale"
