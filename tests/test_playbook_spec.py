"""The playbook as data: the default playbook, its YAML round trip, and storing it."""

from __future__ import annotations

import pytest

from ninety.core.playbook_spec import (
    PlaybookSpecError,
    default_playbook,
    load_playbook_yaml,
)
from ninety.people.models import Org
from ninety.playbook.services import install_playbook, playbook_spec


def test_the_default_playbook_follows_the_article() -> None:
    spec = default_playbook()
    assert spec.stage_keys == ("connect", "conversation", "meeting", "proposal", "won")
    assert [(s.entry, s.exit) for s in spec.stages] == [
        ("dial", "connect"), ("connect", "conversation"), ("conversation", "meeting"),
        ("meeting", "proposal"), ("proposal", "won"),
    ]  # fmt: skip
    greeting = spec.stage("conversation")
    assert greeting.name == "Greeting"
    assert all(5 <= len(b.ways) <= 10 for s in spec.stages for b in s.behaviors)


def test_the_yaml_round_trip_is_exact() -> None:
    spec = default_playbook()
    assert load_playbook_yaml(spec.to_yaml()) == spec


def test_a_bad_playbook_names_the_place() -> None:
    text = "name: X\nstages:\n  - key: a\n    name: A\n    entry: dial\n"
    with pytest.raises(PlaybookSpecError, match=r"stages\[0\]: missing 'exit'"):
        load_playbook_yaml(text)


def test_a_stored_playbook_reads_back_the_same(db: None) -> None:
    org = Org.objects.create(name="A", slug="a")
    playbook = install_playbook(org, default_playbook())
    assert playbook_spec(playbook) == default_playbook()


def test_publishing_a_new_version_archives_the_old(db: None) -> None:
    org = Org.objects.create(name="A", slug="a")
    first = install_playbook(org, default_playbook())
    second = install_playbook(org, default_playbook())
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert (first.status, second.status) == ("archived", "published")
