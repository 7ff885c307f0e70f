"""How the playbook page's lists sort and filter (``people.listing``): the stages shown, each
behavior's ways with their evidence, and the ways proposed. With no sort asked each keeps the
playbook's own order."""

from __future__ import annotations

from typing import Any

from ninety.people.listing import Filter, ListSpec, Sort
from ninety.playbook.models import Stage, Way
from ninety.playbook.queries import BehaviorWays

#: The stages shown (``?stage=KEY`` shows one); their order is the playbook's.
STAGES = ListSpec(sorts={}, default="", filters={"stage": Filter("Stage", "key")})

#: Each behavior's approved ways (``ways_``: the same order asked of every behavior's table).
WAYS = ListSpec(
    sorts={
        "number": Sort("#", ("number",)),
        "way": Sort("Way", ("text", "number")),
        "tried": Sort("Tried", ("tries", "number")),
        "converted": Sort("Converted", ("rate", "number")),
        "estimate": Sort("Rate, adjusted (90%)", ("mean", "number")),
        "p_best": Sort("P(best)", ("p_best", "number")),
    },
    default="",
    prefix="ways_",
)

#: The ways the team proposed, awaiting a leader (``proposals_``).
PROPOSALS = ListSpec(
    sorts={
        "stage": Sort("Stage", ("behavior.stage.order", "behavior.order", "pk")),
        "way": Sort("Way", ("text", "pk")),
        "author": Sort("Proposed by", ("author.name", "pk")),
        "proposed": Sort("Proposed", ("pk",)),
    },
    default="",
    search=("text", "author.name"),
    filters={"stage": Filter("Stage", "behavior.stage.key")},
    prefix="proposals_",
    search_label="Words",
)


def stage_choices(stages: list[Stage]) -> list[tuple[str, str]]:
    return [(s.key, s.name) for s in stages]


def way_rows(behavior_ways: BehaviorWays | None, ways: list[Way]) -> list[dict[str, Any]]:
    """A behavior's approved ways as table rows: the way, its estimate and the figures sorted
    by (the estimate's, or none for a way the ranking has not seen)."""
    estimates = behavior_ways.estimates if behavior_ways else {}
    logged = behavior_ways.converted if behavior_ways else {}
    approved = [w for w in ways if w.status == Way.Status.APPROVED]
    rows = []
    for number, way in enumerate(approved, start=1):
        est = estimates.get(way.key)
        tries = est.tries if est else 0
        converted = logged.get(way.key, 0)
        rows.append(
            {
                "way": way,
                "est": est,
                "number": number,
                "text": way.text,
                "tries": est.tries if est else None,
                "converted": converted,
                # The logged share, converted ÷ tried: the estimate is the rep-adjusted one.
                "rate": converted / tries if tries else None,
                "mean": est.mean if est else None,
                "p_best": est.p_best if est else None,
            }
        )
    return rows
