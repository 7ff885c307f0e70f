"""A rep who changes team, or a team that changes leader, leaves the old leader's one-on-ones:
each roster write ends what its leader can no longer run (:func:`end_out_of_reach`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ninety.coaching.services import end_out_of_reach
from ninety.people.models import Org, Person, Team
from ninety.people.signals import roster_changed

#: Saving only these changes nobody's leader.
QUIET_FIELDS = frozenset({"time_zone", "user", "email", "name", "high_potential", "hired_on"})


@receiver(post_save, sender=Person)
@receiver(post_save, sender=Team)
def roster_saved(sender: type, instance: Person | Team, **kwargs: Any) -> None:
    if kwargs.get("raw") or kwargs.get("created") or not instance.org_id:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= QUIET_FIELDS:
        return
    end_out_of_reach(instance.org_id)


@receiver(post_delete, sender=Team)
def team_deleted(sender: type, instance: Team, **kwargs: Any) -> None:
    # Its members are left without a team. After the commit, as a whole org may be going.
    org_id = instance.org_id
    transaction.on_commit(
        lambda: Org.objects.filter(pk=org_id).exists() and end_out_of_reach(org_id)
    )


@receiver(roster_changed)
def roster_imported(sender: type, org_id: int, **kwargs: Any) -> None:
    end_out_of_reach(org_id)
