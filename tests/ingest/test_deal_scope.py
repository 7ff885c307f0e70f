"""A leader's deals file changes only deals of the people they lead (hostile review of #15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ninety.activity.models import Deal
from ninety.ingest.models import ImportBatch
from ninety.ingest.permissions import import_scope
from ninety.ingest.services import FOREIGN_DEAL, import_file
from tests.conftest import World

HEADER = "external_id,owner,account,product,stage,value,opened_at,closed_at,status\n"
OPENED = dt.datetime(2026, 8, 10, 19, 3, tzinfo=dt.UTC)


def _deal(w: World, owner: Any, ext: str, value: str = "1000") -> Deal:
    return Deal.objects.create(
        org=w.org, owner=owner, source="import", external_id=ext, account="Acme",
        value=Decimal(value), opened_at=OPENED, status="open",
    )  # fmt: skip


def _file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
    return path


def _row(ext: str, owner: str, value: str, account: str = "Hijacked") -> str:
    return (
        f"{ext},{owner},{account},Battery,won,{value},2026-08-10T19:03:37Z,2026-08-20T19:01:24Z,won"
    )


@pytest.mark.django_db
def test_a_leader_cannot_take_over_a_deal_of_another_team(acme: World, tmp_path: Path) -> None:
    theirs = _deal(acme, acme.other_rep, "D77")  # Grace's, in Chris's team
    ours = _deal(acme, acme.rep, "D78")  # Sam's, in Dana's team
    path = _file(tmp_path, _row("D77", "ext-alex", "999999"), _row("D78", "ext-sam", "5000"))
    s = import_file(acme.org, "deals", path, preset="generic", scope=import_scope(acme.leader))
    assert (s.read, s.imported, s.updated, s.rejected) == (2, 0, 1, 1)
    assert [(e.row, e.field, e.reason) for e in s.errors] == [(2, "external_id", FOREIGN_DEAL)]
    assert "Grace" not in FOREIGN_DEAL
    theirs.refresh_from_db()
    assert (theirs.owner_id, theirs.value, theirs.status, theirs.account) == (
        acme.other_rep.pk, Decimal("1000.00"), "open", "Acme",
    )  # fmt: skip
    ours.refresh_from_db()
    assert (ours.value, ours.status) == (Decimal("5000.00"), "won")


@pytest.mark.django_db
def test_an_admin_may_move_a_deal_between_teams(acme: World, tmp_path: Path) -> None:
    deal = _deal(acme, acme.other_rep, "D77")
    path = _file(tmp_path, _row("D77", "ext-alex", "2000"))
    s = import_file(acme.org, "deals", path, preset="generic", scope=import_scope(acme.admin))
    assert (s.updated, s.rejected) == (1, 0)
    deal.refresh_from_db()
    assert deal.owner_id == acme.teammate.pk


@pytest.mark.django_db
def test_the_import_page_rejects_the_row_and_leaves_the_deal(
    acme: World, client_for: Any, tmp_path: Path
) -> None:
    theirs = _deal(acme, acme.other_rep, "D77")
    body = _file(tmp_path, _row("D77", "ext-sam", "999999"), _row("D90", "ext-sam", "10"))
    upload = SimpleUploadedFile("deals.csv", body.read_bytes())
    done = client_for(acme.leader).post(
        "/import/", {"kind": "deals", "preset": "generic", "step": "import", "file": upload}
    )
    assert done.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.imported, batch.updated, batch.rejected) == (1, 0, 1)
    theirs.refresh_from_db()
    assert theirs.owner_id == acme.other_rep.pk and theirs.value == Decimal("1000.00")
    assert Deal.objects.get(external_id="D90").owner_id == acme.rep.pk
