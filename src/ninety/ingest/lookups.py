"""What validation looks rows up in, read from the database once per import: people, the
playbook's stages and ways, the org's deals."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ninety.activity.models import Deal
from ninety.core.playbook_spec import FUNNEL_TYPES
from ninety.ingest.validate import PersonIndex
from ninety.people.models import Org, Person
from ninety.playbook.models import Stage, Way
from ninety.playbook.services import current_playbook

_DEFAULT_CHAIN = FUNNEL_TYPES[:6]


def people_of(org: Org, scope: Any = None) -> PersonIndex:
    """The people rows may name: the org's, or ``scope`` (a Person queryset)."""
    qs = scope if scope is not None else Person.objects.filter(org=org)
    return PersonIndex(list(qs.values_list("id", "external_id", "email", "name")))


@dataclass
class ActivityLookups:
    """Stage entries and exits, way keys and deal ids as Arrow value sets (no database)."""

    has_playbook: bool
    stage_entries: pa.Array
    stage_exits: pa.Array
    way_keys: pa.Array
    way_ids: np.ndarray
    deal_keys: pa.Array
    deal_ids: np.ndarray


def activity_lookups(org: Org, source: str) -> ActivityLookups:
    playbook = current_playbook(org)
    entries: dict[str, str] = {}
    ways: dict[str, int] = {}
    by_key: dict[str, list[int]] = {}
    if playbook is not None:
        for s in Stage.objects.filter(playbook=playbook):
            entries[s.entry_type] = s.exit_type
        for pk, key, entry in Way.objects.filter(behavior__stage__playbook=playbook).values_list(
            "id", "key", "behavior__stage__entry_type"
        ):
            ways[f"{entry}\x1f{key.casefold()}"] = pk
            by_key.setdefault(key.casefold(), []).append(pk)
    else:
        entries = dict(itertools.pairwise(_DEFAULT_CHAIN))
    for key, pks in by_key.items():
        if len(set(pks)) == 1:
            ways[key] = pks[0]
    deals: dict[str, int] = {}
    rows = Deal.objects.filter(org=org).exclude(external_id="")
    for pk, ext, deal_source in rows.values_list("id", "external_id", "source"):
        if deal_source == source or ext not in deals:
            deals[ext] = pk
    return ActivityLookups(
        has_playbook=playbook is not None,
        stage_entries=pa.array(list(entries), pa.string()),
        stage_exits=pa.array(list(entries.values()), pa.string()),
        way_keys=pa.array(list(ways), pa.string()),
        way_ids=np.array(list(ways.values()) or [0], np.int64),
        deal_keys=pa.array(list(deals), pa.string()),
        deal_ids=np.array(list(deals.values()) or [0], np.int64),
    )
