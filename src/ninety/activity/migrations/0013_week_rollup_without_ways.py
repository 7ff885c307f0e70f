# The weekly rollup keeps one row per person, week and type (summed over ways: nothing reads a
# week per way), refilled from the daily rows of every org.

from django.db import migrations, models


def refill(apps, schema_editor):
    """Every daily rollup row, grouped by person, ISO week (its Monday) and type."""
    if schema_editor.connection.vendor == "postgresql":
        week = "(day - CAST(EXTRACT(ISODOW FROM day) AS integer) + 1)"
    else:
        week = "date(day, '-6 days', 'weekday 1')"
    schema_editor.execute(
        "INSERT INTO activity_activityweekrollup (person_id, week, type, count, advanced, "
        f"pending, duration_seconds) SELECT person_id, {week}, type, SUM(count), "
        "SUM(advanced), SUM(pending), SUM(duration_seconds) "
        f"FROM activity_activityrollup GROUP BY person_id, {week}, type"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0012_data_version"),
        ("people", "0005_invitations"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM activity_activityweekrollup", migrations.RunSQL.noop),
        migrations.RemoveConstraint(
            model_name="activityweekrollup",
            name="week_rollup_unique_key",
        ),
        migrations.RemoveField(
            model_name="activityweekrollup",
            name="way_key",
        ),
        migrations.RemoveField(
            model_name="activityweekrollup",
            name="way",
        ),
        migrations.AddConstraint(
            model_name="activityweekrollup",
            constraint=models.UniqueConstraint(
                fields=("person", "week", "type"), name="week_rollup_key"
            ),
        ),
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
