"""A pipeline-only org: the roster and opportunities in the public "CRM Sales Opportunities" layout
(agents, managers only in a manager column, offices as regions; deal stage, engage and close dates;
Prospecting deals without any date), imported through the CLI as a user would."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ninety.people.models import Org, Person

DATA = Path(__file__).resolve().parents[1] / "ingest" / "data"
AS_OF = date(2017, 12, 31)
PERIOD = "2017-12"


@dataclass
class PipelineOrg:
    org: Org
    deals: list[dict[str, str]]
    import_output: str

    def login(self, name: str) -> Person:
        person = Person.objects.get(org=self.org, name=name)
        if person.user_id is None:
            person.user = get_user_model().objects.create_user(
                name.lower().replace(" ", "."), password="pw-123456"
            )
            person.save(update_fields=["user"])
        return person


def build_pipeline_org() -> PipelineOrg:
    roster = str(DATA / "sales_teams.csv")
    call_command("import", "people", roster, "--org", "maven", stdout=StringIO())
    out = StringIO()
    call_command(
        "import", "deals", str(DATA / "sales_pipeline.csv"),
        "--preset", "crm-sales-opportunities", "--org", "maven", stdout=out,
    )  # fmt: skip
    with (DATA / "sales_pipeline.csv").open(newline="") as f:
        deals = list(csv.DictReader(f))
    return PipelineOrg(Org.objects.get(slug="maven"), deals, out.getvalue())


@pytest.fixture
def pipeline_org(db: None) -> PipelineOrg:
    return build_pipeline_org()


# The CRM export fixtures (a copy per test) and the personas' world.
from tests.ingest.conftest import data  # noqa: E402, F401
