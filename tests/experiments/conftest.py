"""The story org (tests/diagnosis) and helpers to find its people, ways and Sam's experiment."""

from __future__ import annotations

from datetime import date

from ninety.experiments.models import Experiment
from ninety.experiments.services import start_experiment
from ninety.people.models import Org, Person
from ninety.playbook.models import Playbook, Way
from tests.diagnosis.conftest import AS_OF, story_org, story_org_live, story_sim  # noqa: F401

SAM_START = date(2026, 11, 13)
LOCAL_CUSTOMER = "reference-a-local-customer"


def person(org: Org, name: str) -> Person:
    return Person.objects.get(org=org, name=name)


def published_way(org: Org, key: str) -> Way:
    return Way.objects.get(
        behavior__stage__playbook__org=org,
        behavior__stage__playbook__status=Playbook.Status.PUBLISHED,
        key=key,
    )


def sams_experiment(org: Org) -> Experiment:
    return start_experiment(
        leader=person(org, "Dana Reyes"),
        subjects=[person(org, "Sam Patel")],
        hypothesis="Referencing a recent local customer gets more people to talk with Sam.",
        metric="conversation",
        start=SAM_START,
        way=published_way(org, LOCAL_CUSTOMER),
    )


__all__ = ["AS_OF", "LOCAL_CUSTOMER", "SAM_START", "person", "published_way", "sams_experiment"]
