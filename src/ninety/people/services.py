"""Writes to people and teams go through these functions."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from ninety.activity.versions import bump
from ninety.people.models import Org, Person, Role, Team


def set_high_potential(person: Person, value: bool) -> Person:
    """Mark or unmark a person as high-potential (a candidate delegate)."""
    Person.objects.filter(pk=person.pk).update(high_potential=value)
    bump(person.org_id)
    person.high_potential = value
    return person


@transaction.atomic
def create_person(
    org: Org,
    name: str,
    *,
    role: str = Role.REP,
    email: str = "",
    team: Team | None = None,
    external_id: str = "",
    username: str | None = None,
    password: str | None = None,
    high_potential: bool = False,
) -> Person:
    """Create a person, and their login when a username is given.

    The login is never Django staff, whatever the role: an org admin works through the product,
    and the Django admin belongs to operators (``ninety createoperator``).
    """
    user = None
    if username:
        user_model = get_user_model()
        user = user_model.objects.create_user(
            username=username,
            email=email,
            password=password,
        )
    return Person.objects.create(
        org=org,
        user=user,
        name=name,
        email=email,
        role=role,
        team=team,
        external_id=external_id,
        high_potential=high_potential,
    )
