"""An org with both logged activities and deals: one playbook joins activity and deal stages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ninety.core.periods import Period
from ninety.core.playbook_spec import PlaybookSpec, StageSpec
from ninety.diagnosis.services import is_pipeline_only, playbook_for, team_report
from ninety.ingest.services import import_file
from ninety.playbook.services import install_playbook
from tests.conftest import World

JOINED = PlaybookSpec(
    "Calls, then the pipeline", 1,
    (
        StageSpec("connect", "Prospecting", "dial", "connect"),
        StageSpec("close", "Close", "deal:opened", "deal:won"),
    ),
)  # fmt: skip


def test_activity_and_deal_stages_are_read_into_one_funnel(world: World, data: Path) -> None:
    install_playbook(world.org, JOINED)
    s = import_file(world.org, "activities", data / "salesforce_tasks.csv", preset="salesforce")
    assert s.rejected == 0, s.errors
    d = import_file(world.org, "deals", data / "salesforce_opportunities.csv", preset="salesforce")
    assert d.rejected == 0, d.errors
    assert not is_pipeline_only(world.org)
    assert playbook_for(world.org).stage_keys == ("connect", "close")
    crew = world.rep.team
    report = team_report(crew, Period.parse("2026-10"), date(2026, 10, 31))
    assert report is not None and report.kind == "joined"
    sam = report.for_person(world.rep.pk).diagnosis
    alex = report.for_person(world.teammate.pk).diagnosis
    # Sam's two dials (one connected) and his one decided deal, won.
    assert (sam.stages["connect"].tries, sam.stages["connect"].successes) == (2, 1)
    assert (sam.stages["close"].tries, sam.stages["close"].successes) == (1, 1)
    # Alex: one dial, no connect; one lost deal.
    assert (alex.stages["connect"].tries, alex.stages["connect"].successes) == (1, 0)
    assert (alex.stages["close"].tries, alex.stages["close"].successes) == (1, 0)
    # Volume is the first stage's entries: dials.
    assert sam.contributions["volume"] >= alex.contributions["volume"]
