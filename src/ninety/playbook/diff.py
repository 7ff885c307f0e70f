"""A readable difference between two playbook versions (plain data in, plain data out).

Items are matched by key across versions (stage key; behavior key within its stage; way key
within its behavior) because the editor never changes keys; questions have no key and are matched
by their text, so a reworded question shows as one removed and one added.
"""

from __future__ import annotations

from dataclasses import dataclass

from ninety.core.playbook_spec import BehaviorSpec, PlaybookSpec, StageSpec


@dataclass(frozen=True)
class Change:
    """One line of the diff.

    ``kind`` is stage, behavior, way or question; ``action`` is added, removed, changed or
    moved; ``where`` names the place ("Greeting › Create a compelling reason to speak"); ``what``
    is the item's text; ``before``/``after`` describe a change.
    """

    kind: str
    action: str
    where: str
    what: str
    before: str = ""
    after: str = ""


def _stage_label(s: StageSpec) -> str:
    return f"{s.name} ({s.entry} → {s.exit})"


def _behavior_changes(where: str, old: BehaviorSpec, new: BehaviorSpec) -> list[Change]:
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change("behavior", "changed", where, new.name, old.name, new.name))
    here = f"{where} › {new.name}"
    old_ways = {w.key: w for w in old.ways}
    new_ways = {w.key: w for w in new.ways}
    for w in new.ways:
        if w.key not in old_ways:
            out.append(Change("way", "added", here, w.text))
            continue
        o = old_ways[w.key]
        if o.text != w.text:
            out.append(Change("way", "changed", here, w.text, o.text, w.text))
        if o.status != w.status:
            out.append(Change("way", "changed", here, w.text, o.status, w.status))
    out += [Change("way", "removed", here, w.text) for w in old.ways if w.key not in new_ways]
    if [k for k in (w.key for w in old.ways) if k in new_ways] != [
        k for k in (w.key for w in new.ways) if k in old_ways
    ]:
        out.append(Change("way", "moved", here, "ways reordered"))
    old_q, new_q = set(old.questions), set(new.questions)
    out += [Change("question", "added", here, q) for q in new.questions if q not in old_q]
    out += [Change("question", "removed", here, q) for q in old.questions if q not in new_q]
    return out


def diff_playbooks(old: PlaybookSpec, new: PlaybookSpec) -> list[Change]:
    """What changed from ``old`` to ``new``, stage by stage in the new order."""
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change("playbook", "changed", "", new.name, old.name, new.name))
    old_stages = {s.key: s for s in old.stages}
    new_keys = {s.key for s in new.stages}
    for s in new.stages:
        if s.key not in old_stages:
            out.append(Change("stage", "added", "", _stage_label(s)))
            for b in s.behaviors:
                out.append(Change("behavior", "added", s.name, b.name))
                out += [Change("way", "added", f"{s.name} › {b.name}", w.text) for w in b.ways]
            continue
        o = old_stages[s.key]
        if (o.name, o.entry, o.exit) != (s.name, s.entry, s.exit):
            out.append(Change("stage", "changed", "", s.name, _stage_label(o), _stage_label(s)))
        old_b = {b.key: b for b in o.behaviors}
        new_b = {b.key for b in s.behaviors}
        for b in s.behaviors:
            if b.key in old_b:
                out += _behavior_changes(s.name, old_b[b.key], b)
            else:
                out.append(Change("behavior", "added", s.name, b.name))
                out += [Change("way", "added", f"{s.name} › {b.name}", w.text) for w in b.ways]
                out += [Change("question", "added", f"{s.name} › {b.name}", q) for q in b.questions]
        out += [
            Change("behavior", "removed", s.name, b.name) for b in o.behaviors if b.key not in new_b
        ]
    out += [
        Change("stage", "removed", "", _stage_label(s)) for s in old.stages if s.key not in new_keys
    ]
    old_order = [s.key for s in old.stages if s.key in new_keys]
    new_order = [s.key for s in new.stages if s.key in old_stages]
    if old_order != new_order:
        out.append(Change("stage", "moved", "", "stages reordered", ", ".join(old_order),
                          ", ".join(new_order)))  # fmt: skip
    return out
