"""Meetings held by a delegate and not yet closed become access grants (read by the gate)."""

from django.db import migrations
from django.db.models import F


def grant_held_meetings(apps, schema_editor):
    OneOnOne = apps.get_model("coaching", "OneOnOne")
    AccessGrant = apps.get_model("people", "AccessGrant")
    rows = (
        OneOnOne.objects.filter(held_by__isnull=False)
        .exclude(status="done")
        .exclude(held_by_id=F("leader_id"))
    )
    AccessGrant.objects.bulk_create(
        AccessGrant(
            org_id=m.org_id,
            grantee_id=m.held_by_id,
            subject_id=m.rep_id,
            source="one_on_one",
            source_id=m.pk,
            sees_person=False,
        )  # fmt: skip
        for m in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_one_on_ones"),
        ("people", "0004_access_grants"),
    ]

    operations = [migrations.RunPython(grant_held_meetings, migrations.RunPython.noop)]
