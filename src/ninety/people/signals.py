"""A saved or deleted person or team changes what every report of their org shows (names, teams,
who is compared with whom): the org's data version moves (:mod:`ninety.activity.versions`).
Bulk writes skip signals; their writers bump the version themselves, and send
:data:`roster_changed` so that apps above (one-on-ones) can follow who leads whom."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from ninety.activity.versions import bump
from ninety.people.models import Org, Person, Team

#: Sent (with ``org_id``) after a bulk write moved people or teams (a people import), which
#: the model signals do not see.
roster_changed = Signal()


@receiver(post_save, sender=Person)
@receiver(post_save, sender=Team)
def roster_saved(sender: type, instance: Person | Team, **kwargs: Any) -> None:
    if kwargs.get("raw") or not instance.org_id:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= QUIET_FIELDS:
        return
    bump(instance.org_id)


@receiver(post_delete, sender=Person)
@receiver(post_delete, sender=Team)
def roster_deleted(sender: type, instance: Person | Team, **kwargs: Any) -> None:
    # After the commit: deleting a whole org deletes its people first, and a version written
    # in that transaction would hold up the org's own delete.
    org_id = instance.org_id
    transaction.on_commit(lambda: _bump_if_there(org_id))


def _bump_if_there(org_id: int) -> None:
    if Org.objects.filter(pk=org_id).exists():
        bump(org_id)


#: Fields no report reads: saving only these leaves the reports as they are.
QUIET_FIELDS = frozenset({"time_zone", "user", "email"})
