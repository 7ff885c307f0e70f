"""Org logins lose the Django staff and superuser flags that earlier versions gave org admins.

The Django admin is not scoped to an org, so an org admin with those flags could read and change
another org's people and notes. Operators (superusers without a Person) keep theirs.
"""

from django.db import migrations


def demote_org_logins(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    User = apps.get_model("auth", "User")
    org_users = Person.objects.filter(user__isnull=False).values("user_id")
    User.objects.filter(pk__in=org_users).update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(demote_org_logins, migrations.RunPython.noop)]
