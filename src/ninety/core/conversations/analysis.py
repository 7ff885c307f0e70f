"""One call analysed: turns → roles → metrics → the way the opening used.

What the Django app stores for a transcript, and what the throughput bench times: a plain
function of the file's text, the rep's name, an optional speaker mapping and the behavior's
ways (an :class:`~ninety.core.conversations.detect.WayIndex`, encoded once for many calls).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ninety.core import safe_yaml
from ninety.core.conversations.detect import Detection, WayIndex, WayText, opening
from ninety.core.conversations.metrics import CallMetrics, call_metrics
from ninety.core.conversations.roles import assign_roles
from ninety.core.conversations.transcript import Turn, parse_transcript


@dataclass(frozen=True)
class CallAnalysis:
    turns: list[Turn]
    roles: dict[str, str]
    metrics: CallMetrics
    detection: Detection | None


@cache
def way_examples() -> dict[str, tuple[str, ...]]:
    """Example lines per way key of the playbook templates (``way_examples.yaml``)."""
    text = resources.files(__package__).joinpath("way_examples.yaml").read_text()
    data = safe_yaml.load(text) or {}
    return {str(k): tuple(str(x) for x in v) for k, v in data.items()}


def no_way_lines() -> tuple[str, ...]:
    """Openings that use no way (the ``_no_way`` list of ``way_examples.yaml``)."""
    return way_examples().get(NO_WAY, ())


NO_WAY = "_no_way"


def way_texts(ways: list[tuple[str, str]]) -> list[WayText]:
    """(key, text) of a behavior's ways → what detection compares with (examples added)."""
    examples = way_examples()
    return [WayText(key, text, examples.get(key, ())) for key, text in ways]


def analyse_call(
    name: str,
    text: str,
    rep_name: str,
    mapping: Mapping[str, str] | None = None,
    ways: WayIndex | None = None,
    fmt: str | None = None,
) -> CallAnalysis:
    """Parse, assign roles, measure, detect (``ways`` None: no behavior to look for).

    Raises :class:`~ninety.core.conversations.transcript.TranscriptError` or
    :class:`~ninety.core.conversations.roles.RoleError` with the reason.
    """
    turns = parse_transcript(name, text, fmt)
    roles = assign_roles((t.speaker for t in turns), rep_name, mapping)
    metrics = call_metrics(turns, roles)
    detection = ways.detect(opening(turns, roles)) if ways is not None else None
    return CallAnalysis(turns, roles, metrics, detection)
