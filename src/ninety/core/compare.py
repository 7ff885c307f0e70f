"""A period against the one before it: changes with their uncertainty.

Each side is an estimate with an interval (a stage's posterior rate and its 90 % interval, or the
pace against quota and its 80 % interval). The change is read on a normal approximation of each
side, the interval's half width over its z, the two taken as independent:

    Δ = now − then,   sd(Δ) = √(sd_now² + sd_then²),   90 % interval Δ ± 1.645 sd(Δ)

A change is **clear** only when that interval leaves out zero; otherwise pages say "no clear
change". When the two periods' evidence windows overlap the estimates share data and are
positively correlated, so the true sd(Δ) is smaller than this one: the interval errs wide, never
calling a change real that the data do not carry (and a real change is diluted by the shared
days, which pages name).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: z of a two-sided 90 % and 80 % interval.
Z90 = 1.6448536269514722
Z80 = 1.2815515655446004


@dataclass(frozen=True)
class Change:
    """``now`` against ``then``: the difference and its 90 % interval."""

    now: float
    then: float
    delta: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The interval leaves out zero: the data say the two periods differ."""
        return self.low > 0 or self.high < 0

    @property
    def direction(self) -> str:
        """``up``, ``down``, or ``same`` when the change is not clear."""
        if not self.clear:
            return "same"
        return "up" if self.delta > 0 else "down"


def _sd(low: float, high: float, z: float) -> float:
    return max(high - low, 0.0) / (2 * z)


def change(
    now: float,
    now_interval: tuple[float, float],
    then: float,
    then_interval: tuple[float, float],
    z: float = Z90,
) -> Change | None:
    """The change from ``then`` to ``now``, each with its interval at level ``z``; None when
    either side is not a finite number."""
    values = (now, then, *now_interval, *then_interval)
    if not all(math.isfinite(v) for v in values):
        return None
    sd = math.hypot(_sd(*now_interval, z), _sd(*then_interval, z))
    delta = now - then
    return Change(now, then, delta, delta - Z90 * sd, delta + Z90 * sd)


def signed(value: float, digits: int = 0, unit: str = "") -> str:
    """A signed number with a real minus sign: '+5', '−51', '±0'."""
    rounded = round(value, digits)
    text = f"{abs(rounded):.{digits}f}{unit}"
    if rounded > 0:
        return "+" + text
    if rounded < 0:
        return "−" + text
    return "±" + text
