"""The playbook as plain data: stages -> behaviors -> ways, read from and written to YAML.

The same structure is used by the default playbook, the simulator's ``playbook.yaml`` and the
playbook import/export, so it lives in the core (no Django import).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from ninety.core import safe_yaml

#: Funnel stage keys of the default process, in order; each names the event a stage produces.
STAGE_KEYS: tuple[str, ...] = ("connect", "conversation", "meeting", "proposal", "won")
#: Activity types with a meaning in the funnel; other (free) types such as ``email`` are allowed.
FUNNEL_TYPES: tuple[str, ...] = (
    "dial",
    "connect",
    "conversation",
    "meeting",
    "proposal",
    "won",
    "lost",
)


#: A way's source and status (the playbook models' choices).
WAY_SOURCES: tuple[str, ...] = ("leader", "rep")
WAY_STATUSES: tuple[str, ...] = ("proposed", "approved", "retired")


class PlaybookSpecError(ValueError):
    """A playbook file that cannot be read; the message names the place (and, from YAML, the line).

    Attributes
    ----------
    where : str
        The path of the offending item (``stages[0].behaviors[1]``), or ``""``.
    line : int or None
        1-based line in the YAML text, when the error came from :func:`load_playbook_yaml`.
    """

    def __init__(self, message: str, *, where: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.line = line


@dataclass(frozen=True)
class WaySpec:
    key: str
    text: str
    source: str = "leader"
    status: str = "approved"


@dataclass(frozen=True)
class BehaviorSpec:
    key: str
    name: str
    questions: tuple[str, ...] = ()
    ways: tuple[WaySpec, ...] = ()


@dataclass(frozen=True)
class StageSpec:
    key: str
    name: str
    entry: str
    exit: str
    behaviors: tuple[BehaviorSpec, ...] = ()


@dataclass(frozen=True)
class PlaybookSpec:
    name: str
    version: int
    stages: tuple[StageSpec, ...] = field(default_factory=tuple)

    @property
    def stage_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.stages)

    def stage(self, key: str) -> StageSpec:
        for s in self.stages:
            if s.key == key:
                return s
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "stages": [
                {
                    "key": s.key,
                    "name": s.name,
                    "entry": s.entry,
                    "exit": s.exit,
                    "behaviors": [
                        {
                            "key": b.key,
                            "name": b.name,
                            "questions": list(b.questions),
                            "ways": [
                                {"key": w.key, "text": w.text}
                                | ({"source": w.source} if w.source != "leader" else {})
                                | ({"status": w.status} if w.status != "approved" else {})
                                for w in b.ways
                            ],
                        }
                        for b in s.behaviors
                    ],
                }
                for s in self.stages
            ],
        }

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def _require(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise PlaybookSpecError(f"{where}: missing '{key}'", where=where)
    return d[key]


def playbook_from_dict(data: Any) -> PlaybookSpec:
    """Build a :class:`PlaybookSpec` from parsed YAML, with errors that name the place."""
    if not isinstance(data, dict):
        raise PlaybookSpecError("playbook: expected a mapping at the top level")
    stages = []
    seen: set[str] = set()
    for i, s in enumerate(_require(data, "stages", "playbook") or []):
        where = f"stages[{i}]"
        key = str(_require(s, "key", where))
        if key in seen:
            raise PlaybookSpecError(f"{where}: duplicate stage key '{key}'", where=where)
        seen.add(key)
        behaviors = []
        for j, b in enumerate(s.get("behaviors") or []):
            bwhere = f"{where}.behaviors[{j}]"
            ways = tuple(
                WaySpec(
                    key=str(_require(w, "key", f"{bwhere}.ways[{k}]")),
                    text=str(_require(w, "text", f"{bwhere}.ways[{k}]")),
                    source=str(w.get("source", "leader")),
                    status=str(w.get("status", "approved")),
                )
                for k, w in enumerate(b.get("ways") or [])
            )
            for k, w in enumerate(ways):
                if w.source not in WAY_SOURCES or w.status not in WAY_STATUSES:
                    raise PlaybookSpecError(
                        f"{bwhere}.ways[{k}]: source must be one of {', '.join(WAY_SOURCES)} "
                        f"and status one of {', '.join(WAY_STATUSES)}",
                        where=f"{bwhere}.ways[{k}]",
                    )
            behaviors.append(
                BehaviorSpec(
                    key=str(_require(b, "key", bwhere)),
                    name=str(_require(b, "name", bwhere)),
                    questions=tuple(str(q) for q in b.get("questions") or []),
                    ways=ways,
                )
            )
        stages.append(
            StageSpec(
                key=key,
                name=str(_require(s, "name", where)),
                entry=str(_require(s, "entry", where)),
                exit=str(_require(s, "exit", where)),
                behaviors=tuple(behaviors),
            )
        )
    return PlaybookSpec(
        name=str(_require(data, "name", "playbook")),
        version=int(data.get("version", 1)),
        stages=tuple(stages),
    )


_PATH_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")


def _line_of(node: yaml.Node | None, where: str) -> int | None:
    """The 1-based line of the item at ``where`` (``stages[0].behaviors[1]``) in a YAML node tree.

    Walks as deep as the path goes; the deepest node found gives the line (an item that is
    missing a key is reported at the line where the item starts).
    """
    if node is None:
        return None
    line = node.start_mark.line + 1
    for name, index in _PATH_PART.findall(where.removeprefix("playbook")):
        child: yaml.Node | None = None
        if name and isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == name), None)
        elif index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def load_playbook_yaml(text: str) -> PlaybookSpec:
    """Read a playbook from YAML; errors start with ``line N:`` and name the item."""
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        prefix = f"line {line}: " if line else ""
        raise PlaybookSpecError(f"{prefix}playbook: not valid YAML: {exc}", line=line) from exc
    try:
        return playbook_from_dict(data)
    except PlaybookSpecError as exc:
        line = _line_of(yaml.compose(text, Loader=yaml.SafeLoader), exc.where)
        if line is None:
            raise
        raise PlaybookSpecError(f"line {line}: {exc}", where=exc.where, line=line) from exc


@functools.cache
def default_playbook() -> PlaybookSpec:
    """The article's inside-sales (B2C) playbook shipped with Ninety (read once: the spec is
    immutable)."""
    text = resources.files("ninety.core.playbooks").joinpath("inside_sales_b2c.yaml").read_text()
    return load_playbook_yaml(text)
