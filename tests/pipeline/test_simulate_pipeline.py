"""``ninety simulate_pipeline``: a deals-only org, loaded and diagnosed like an import."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ninety.activity.models import Activity, Deal
from ninety.people.models import Org, Person, Role


def _diagnose(org: Org) -> dict:
    out = StringIO()
    call_command(
        "diagnose", "--org", org.slug, "--period", "2026-11", "--as-of", "2026-11-30", "--json",
        stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(("history", "stages"), [(True, ["qualify", "propose", "close"]),
                                                 (False, ["close"])])  # fmt: skip
def test_a_simulated_pipeline_org_loads_and_is_diagnosed(
    tmp_path: Path, history: bool, stages: list[str]
) -> None:
    args = ["--reps", "20", "--seed", "3", "--out", str(tmp_path), "--load"]
    call_command("simulate_pipeline", *args, *([] if history else ["--no-history"]),
                 stdout=StringIO())  # fmt: skip
    org = Org.objects.get()
    assert Person.objects.filter(org=org, role=Role.REP).count() == 20
    assert Deal.objects.filter(org=org).count() > 500
    logged = Activity.objects.filter(org=org)
    assert logged.exists() == history
    assert not logged.exclude(type__startswith="deal:").exists()
    body = _diagnose(org)
    assert body["funnel"] == "pipeline"
    assert body["factors"] == ["volume", *stages, "deal_size"]
    assert len(body["reps"]) == 20
    for rep in body["reps"]:
        assert all(rep["stages"][k]["tries"] > 0 for k in stages)
        assert abs(rep["gap_pct"]) <= 1000
    assert (tmp_path / "stage_history.csv").exists() == history


def test_it_needs_somewhere_to_write() -> None:
    with pytest.raises(CommandError, match="--out DIR, --load"):
        call_command("simulate_pipeline")
