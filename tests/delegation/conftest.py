"""Fixtures for delegation and attention: the story org (shared with tests/diagnosis) and files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diagnosis.conftest import AS_OF, story_org, story_org_live, story_sim  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"


def ics(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def google_ics() -> bytes:
    return ics("google_dana.ics")


@pytest.fixture
def outlook_ics() -> bytes:
    return ics("outlook_dana.ics")


@pytest.fixture
def malformed_ics() -> bytes:
    return ics("malformed.ics")


__all__ = ["AS_OF", "FIXTURES", "ics"]
