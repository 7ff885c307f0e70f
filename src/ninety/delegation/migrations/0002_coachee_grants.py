"""Open delegations' coachees become access grants (the gate no longer reads delegations)."""

from django.db import migrations


def grant_open_delegations(apps, schema_editor):
    Delegation = apps.get_model("delegation", "Delegation")
    AccessGrant = apps.get_model("people", "AccessGrant")
    rows = Delegation.objects.filter(
        status="open", task__status="delegated", coachee__isnull=False
    ).select_related("task")
    AccessGrant.objects.bulk_create(
        AccessGrant(
            org_id=d.task.org_id,
            grantee_id=d.delegate_id,
            subject_id=d.coachee_id,
            source="delegation",
            source_id=d.pk,
            sees_person=True,
        )  # fmt: skip
        for d in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("delegation", "0001_tasks_delegations_time"),
        ("people", "0004_access_grants"),
    ]

    operations = [migrations.RunPython(grant_open_delegations, migrations.RunPython.noop)]
