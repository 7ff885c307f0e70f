"""Objects the permission matrix needs for the experiment rows (made inside each test world)."""

from __future__ import annotations

from datetime import date

from ninety.experiments.models import Experiment
from ninety.experiments.services import start_experiment
from tests.conftest import World

START = date(2026, 11, 13)
#: A valid API body: Sam by external id (ids differ between databases; the matrix data is static).
NEW_FOR_SAM = {
    "hypothesis": "A local reference gets people talking",
    "subjects": ["ext-sam"],
    "metric": "conversation",
    "start": START.isoformat(),
}
CONCLUDE = {"conclusion": "keep", "note": "It works for Sam"}


def sams_experiment(w: World) -> int:
    existing = Experiment.objects.filter(org=w.org).first()
    if existing is not None:
        return existing.pk
    return start_experiment(
        leader=w.leader, subjects=[w.rep], hypothesis="A local reference gets people talking",
        metric="conversation", start=START,
    ).pk  # fmt: skip


def no_experiment(w: World) -> bool:
    return not Experiment.objects.exists()


def still_running(w: World) -> bool:
    return not Experiment.objects.filter(status=Experiment.Status.CONCLUDED).exists()
