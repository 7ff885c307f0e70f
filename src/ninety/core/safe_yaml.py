"""YAML for playbooks and import mappings, without the ways a small file can explode.

``yaml.safe_load`` builds no objects, but it does expand aliases: a few hundred bytes of nested
``&a [*a, *a, …]`` become hundreds of megabytes (the "billion laughs"). Ninety's files never
need anchors, so an alias is an error naming its line; the text and the number of nodes are
capped as well. The composer recurses once per level of nesting, so ``[[[[…`` deep enough
would end in a RecursionError: the depth is capped too, well below Python's recursion limit.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_YAML_BYTES = 1 << 20  # 1 MiB: the biggest shipped playbook is about 20 KiB
MAX_YAML_NODES = 50_000
MAX_YAML_DEPTH = 64  # a playbook nests 6 levels; each level costs ~3 Python frames


class UnsafeYaml(yaml.MarkedYAMLError):
    """YAML that Ninety refuses to read (an alias, too big, too many nodes, too deep)."""


class _BoundedLoader(yaml.SafeLoader):
    nodes = 0
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise UnsafeYaml(
                None, None, f"aliases (*{event.anchor}) are not allowed", event.start_mark
            )
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            mark = self.peek_event().start_mark
            raise UnsafeYaml(None, None, f"more than {MAX_YAML_NODES:,} values", mark)
        if self.depth >= MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise UnsafeYaml(None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load(text: str | bytes) -> Any:
    """Like ``yaml.safe_load``, refusing aliases, texts over 1 MiB, over 50,000 values and
    nesting over 64 levels; every refusal is an :class:`UnsafeYaml` (a ``yaml.YAMLError``)."""
    if len(text) > MAX_YAML_BYTES:
        raise UnsafeYaml(None, None, f"the file is over {MAX_YAML_BYTES >> 20} MiB", None)
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except RecursionError as exc:  # a caller deep in its own stack: still a clear refusal
        raise UnsafeYaml(None, None, "nested too deep to read", None) from exc
    finally:
        loader.dispose()
