"""Stage history: a Salesforce Opportunity History report says where lost deals were lost."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ninety.activity.models import Activity, Deal
from ninety.core.pipeline import deal_steps, pipeline_playbook
from ninety.diagnosis.loaders import has_stage_history, load_deal_buckets, seen_steps
from ninety.diagnosis.services import is_pipeline_only, playbook_for
from ninety.ingest.services import import_file
from tests.conftest import World

STEPS = deal_steps(pipeline_playbook())
STARTS, LAST = [date(2026, 10, 1)], date(2026, 11, 30)


def test_lost_deals_are_lost_where_their_history_says(world: World, data: Path) -> None:
    s = import_file(world.org, "deals", data / "salesforce_opportunities.csv", preset="salesforce")
    assert (s.imported, s.rejected) == (3, 0), s.errors
    people = [world.rep.pk, world.teammate.pk, world.other_rep.pk]
    assert is_pipeline_only(world.org)
    before = load_deal_buckets(people, STEPS, STARTS, LAST)
    # Without history: the lost Globex deal's stage is "lost", so it is lost at the first step,
    # and only the won deal and the open one (at proposal) show their steps.
    assert not has_stage_history(people, STEPS)
    assert seen_steps(world.org.pk, STEPS) == set()
    assert [s.key for s in playbook_for(world.org).stages] == ["close"]
    lost_owner = next(i for i, p in enumerate(people) if before.entries[STEPS[0]][i, 0] == 1
                      and before.advanced[STEPS[0]][i, 0] == 0)  # fmt: skip
    assert before.entries["deal:qualified"][lost_owner, 0] == 0

    h = import_file(
        world.org, "activities", data / "salesforce_opportunity_history.csv",
        preset="salesforce-stage-history",
    )  # fmt: skip
    assert (h.imported, h.rejected) == (8, 0), h.errors
    assert Activity.objects.filter(type="deal:proposal", deal__isnull=False).count() == 2
    assert has_stage_history(people, STEPS)
    after = load_deal_buckets(people, STEPS, STARTS, LAST)
    # Now it reached qualification and the proposal, and was lost there.
    assert after.entries["deal:qualified"][lost_owner, 0] == 1
    assert after.entries["deal:proposal"][lost_owner, 0] == 1
    assert after.advanced["deal:proposal"][lost_owner, 0] == 0
    # The won deal passed every step either way; open deals never count as tries.
    assert after.entries["deal:won"].sum() == before.entries["deal:won"].sum() == 1
    assert after.entries[STEPS[0]].sum() == before.entries[STEPS[0]].sum() == 2
    # Lost deals are now recorded at steps: the default playbook keeps those stages.
    assert {"deal:qualified", "deal:proposal"} <= seen_steps(world.org.pk, STEPS)
    assert [s.key for s in playbook_for(world.org).stages] == ["qualify", "propose", "close"]
    # Stage history is not logged activity: the org stays pipeline-only.
    assert is_pipeline_only(world.org)
    again = import_file(
        world.org, "activities", data / "salesforce_opportunity_history.csv",
        preset="salesforce-stage-history",
    )  # fmt: skip
    assert again.imported == 0


def test_hubspot_date_entered_columns_become_stage_history(world: World, data: Path) -> None:
    """HubSpot's stage-calculated columns (one per stage) melt into one row per stage entered."""
    deals = data / "hubspot_deals_date_entered.csv"
    s = import_file(world.org, "deals", deals, preset="hubspot")
    assert (s.imported, s.rejected) == (3, 0), s.errors
    out = data / "hubspot_history.csv"
    text = StringIO()
    call_command(
        "hubspot_stage_history", str(deals), "--out", str(out), "--load",
        "--org", world.org.slug, stdout=text,
    )  # fmt: skip
    assert "7 stage entries" in text.getvalue() and "rejected 0" in text.getvalue()
    kim = Deal.objects.get(org=world.org, account="Kim household")
    assert sorted(Activity.objects.filter(deal=kim).values_list("type", flat=True)) == [
        "deal:lost", "deal:proposal", "deal:qualified",
    ]  # fmt: skip
    people = [world.rep.pk]
    counts = load_deal_buckets(people, STEPS, STARTS, LAST)
    # Roe won; Kim lost at the proposal; Ode lost with no stage entered before the loss.
    assert [counts.entries[s][0, 0] for s in STEPS] == [3, 2, 2, 1]
    assert [counts.advanced[s][0, 0] for s in STEPS[:-1]] == [2, 2, 1]


def test_a_bad_date_entered_value_writes_nothing(world: World, data: Path) -> None:
    bad = data / "bad_dates.csv"
    lines = (data / "hubspot_deals_date_entered.csv").read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[1].replace("2026-10-12 11:30", "soon")]) + "\n")
    out = data / "never.csv"
    with pytest.raises(CommandError, match=r"row 2, column 'Date entered \"Contract Sent"):
        call_command("hubspot_stage_history", str(bad), "--out", str(out), stdout=StringIO())
    assert not out.exists()
