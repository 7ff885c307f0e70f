"""The story org (tests/diagnosis), for the findings that need real activity behind them."""

from __future__ import annotations

from tests.diagnosis.conftest import story_org, story_sim  # noqa: F401
