"""The effect-over-time chart: geometry for a server-rendered SVG (no JavaScript, no CDN).

The y axis is the effect on the analysis scale (log-odds for a rate, log for a volume or a size),
labelled as the change it means: ``exp(effect) − 1`` (odds for a rate). The band is the
always-valid 95% confidence sequence, which may be read every day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ninety.core.compare import signed
from ninety.core.dates import day_text
from ninety.core.experiments import Look

#: The axis never shows more than this (log units: ×4 or ÷4); wider bands are clipped and said so.
CLIP = math.log(4.0)
TICKS = (-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0)


def change_text(effect: float) -> str:
    """A log effect as a signed percentage change: 0.182 -> "+20%"."""
    if not math.isfinite(effect):
        return "–"
    pct = 100 * math.expm1(effect)
    if abs(pct) < 0.5:
        return "0%"
    return f"{'+' if pct > 0 else '−'}{abs(pct):.0f}%"


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class EffectChart:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    zero_y: float
    line: str  # polyline points of the effect
    band: str  # polygon points of the always-valid band
    dots: tuple[tuple[float, float, str], ...]  # x, y, title
    ticks: tuple[Tick, ...]
    x_labels: tuple[tuple[float, str], ...]
    clipped: bool


def effect_chart(
    looks: tuple[Look, ...], width: float = 860, height: float = 280, days: int = 6
) -> EffectChart:
    """Lay out the cumulative effect (line), its always-valid band and a zero line, with about
    ``days`` labels on the time axis (a phone's narrow chart has room for fewer)."""
    left, right, top, bottom = 56.0, width - 28.0, 12.0, height - 28.0
    finite = [lk for lk in looks if math.isfinite(lk.effect)]
    values = [0.0, *(lk.effect for lk in finite)]
    for lk in finite:
        values += [v for v in (lk.seq_low, lk.seq_high) if math.isfinite(v)]
    lo, hi = max(min(values), -CLIP), min(max(values), CLIP)
    lo, hi = min(lo, -0.2), max(hi, 0.2)
    clipped = any(
        not (lo <= v <= hi) for lk in finite for v in (lk.seq_low, lk.seq_high, lk.effect)
    )

    def y(v: float) -> float:
        v = min(max(v if math.isfinite(v) else (hi if v > 0 else lo), lo), hi)
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    n = max(len(looks), 2)

    def x(i: int) -> float:
        return left + i / (n - 1) * (right - left)

    pts = [(x(i), lk) for i, lk in enumerate(looks) if math.isfinite(lk.effect)]
    line = " ".join(f"{px:.1f},{y(lk.effect):.1f}" for px, lk in pts)
    upper = [f"{px:.1f},{y(lk.seq_high):.1f}" for px, lk in pts]
    lower = [f"{px:.1f},{y(lk.seq_low):.1f}" for px, lk in reversed(pts)]
    dots = tuple(
        (px, y(lk.effect), f"{day_text(lk.day)}: {change_text(lk.effect)}, "
         f"P(improved) {100 * lk.p_improved:.0f}%")
        for px, lk in pts
    )  # fmt: skip
    ticks = tuple(
        Tick(y(math.log1p(t)), "0" if t == 0 else signed(100 * t, unit="%"))
        for t in TICKS
        if lo <= math.log1p(t) <= hi
    )
    step = max(1, len(looks) // days)
    x_labels = tuple(
        (x(i), f"{lk.day.day} {lk.day:%b}") for i, lk in enumerate(looks) if i % step == 0
    )
    return EffectChart(
        width, height, left, right, top, bottom, y(0.0), line, " ".join(upper + lower), dots,
        ticks, x_labels, clipped,
    )  # fmt: skip
