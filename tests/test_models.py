"""Database constraints hold on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ninety.activity.models import Activity, Deal, Quota
from tests.conftest import World

WHEN = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)


def test_an_external_id_is_unique_per_source(world: World) -> None:
    Activity.objects.create(
        org=world.org, person=world.rep, occurred_at=WHEN, type="dial", source="sf",
        external_id="A1",
    )  # fmt: skip
    Activity.objects.create(
        org=world.org, person=world.rep, occurred_at=WHEN, type="dial", source="hubspot",
        external_id="A1",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            org=world.org, person=world.rep, occurred_at=WHEN, type="dial", source="sf",
            external_id="A1",
        )  # fmt: skip


def test_activities_without_an_external_id_do_not_collide(world: World) -> None:
    for _ in range(2):
        Activity.objects.create(org=world.org, person=world.rep, occurred_at=WHEN, type="email")
    assert Activity.objects.count() == 2


def test_a_quota_period_must_be_a_month(world: World) -> None:
    Quota.objects.create(person=world.rep, period="2026-11", amount=Decimal("60000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(person=world.rep, period="2026-13", amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(person=world.rep, period="2026-11", amount=Decimal("1"))


def test_a_deal_value_cannot_be_negative(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(org=world.org, owner=world.rep, opened_at=WHEN, value=Decimal("-1"))
