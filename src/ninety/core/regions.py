"""A team's stage rate against its region's, for the director's view.

The team's rate is the diagnosis's own (shrunk toward the teams it was compared with); the
region's is pooled over every team shown. How sure the difference is comes from the normal
approximation of the log of a binomial rate: ``se(log p) ≈ sqrt((1 - p) / (p n))`` over the
team's ``n`` tries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class VersusRegion:
    rate: float
    region_rate: float
    log_ratio: float  # log(rate / region_rate): negative below the region
    certainty: float  # P(the team's true rate is on this side of the region's)


def versus_region(rate: float, tries: float, region_rate: float) -> VersusRegion | None:
    """None when either rate is unknown or the team made no tries."""
    if not (math.isfinite(rate) and math.isfinite(region_rate)) or tries <= 0:
        return None
    if not (0 < rate < 1 and 0 < region_rate < 1):
        return None
    log_ratio = math.log(rate / region_rate)
    se = math.sqrt((1 - rate) / (rate * tries))
    certainty = 0.5 * (1 + math.erf(abs(log_ratio) / se / math.sqrt(2)))
    return VersusRegion(rate, region_rate, log_ratio, certainty)


def pooled_rate(successes: list[float], tries: list[float]) -> float:
    """Successes over tries, pooled (NaN without tries)."""
    total = sum(tries)
    return sum(successes) / total if total > 0 else math.nan


#: Reps who must share a focus for it to be the team's (one rep's focus is that rep's).
SHARED_FOCUS_REPS = 2


def focus_stage(
    rep_focus: list[str | None], certainty: list[float] | None = None
) -> tuple[str | None, int]:
    """The focus most of a team's reps share, and how many share it: at least
    :data:`SHARED_FOCUS_REPS` of them (else none); between factors as many reps share, the one
    with the larger summed certainty (else the first seen)."""
    counts: dict[str, int] = {}
    sure: dict[str, float] = {}
    for i, key in enumerate(rep_focus):
        if key:
            counts[key] = counts.get(key, 0) + 1
            sure[key] = sure.get(key, 0.0) + (certainty[i] if certainty else 0.0)
    if not counts:
        return None, 0
    key = max(counts, key=lambda k: (counts[k], sure[k]))
    if counts[key] < SHARED_FOCUS_REPS:
        return None, 0
    return key, counts[key]
