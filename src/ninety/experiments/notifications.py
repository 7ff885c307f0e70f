"""What experiments tell people: a verdict reached (likely improved, likely worse, no
detectable change), to whoever started it and to its subjects, once per verdict."""

from __future__ import annotations

from ninety.core.experiments.analysis import COLLECTING
from ninety.experiments.models import Experiment
from ninety.experiments.queries import shows_result, visible_experiments
from ninety.notify.models import Kind
from ninety.notify.services import Message, notify


def verdict_changed(experiment: Experiment, before: str) -> None:
    """Call after the cached verdict changed from ``before``; a verdict other than 'collecting
    data' reaches the people who may open the experiment and read its result."""
    e = experiment
    if not e.pk or not e.verdict or e.verdict in (before, COLLECTING):
        return
    subjects = list(e.subjects.all())
    notify(
        Kind.EXPERIMENT_VERDICT, [e.created_by, *subjects], org_id=e.org_id,
        key=f"experiment_verdict:{e.pk}:{e.verdict}",
        # A subject in a pooled experiment is not told its verdict (queries.shows_result).
        may_see=lambda p: visible_experiments(p).filter(pk=e.pk).exists() and shows_result(p, e),
        message=Message(
            f"Experiment: {e.verdict} — {e.hypothesis[:120]}", e.sentence, e.get_absolute_url()
        ),
    )  # fmt: skip
