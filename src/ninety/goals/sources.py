"""Metrics that apps above goals provide (the recital score, one-on-ones held).

A source takes person ids and a day range and answers ``{person_id: (hits, total)}``: for a
share the hits and the chances (ways recited of ways asked), for a count the count and 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

Source = Callable[[Sequence[int], date, date], dict[int, tuple[float, float]]]

_SOURCES: dict[str, Source] = {}


def register(metric: str, source: Source) -> None:
    """Make ``metric`` computable by ``source`` (called from an app's ``goal_sources`` module)."""
    _SOURCES[metric] = source


def read(metric: str, person_ids: Sequence[int], first: date, last: date) -> dict | None:
    """The source's answer, or None when no installed app provides ``metric``."""
    source = _SOURCES.get(metric)
    return None if source is None else source(person_ids, first, last)
