"""Geometry for server-rendered SVG charts (no JavaScript, no CDN). Templates draw the shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class WaterfallBar:
    label: str
    points: float  # the term, in percentage points (100 × log points)
    x: float  # left edge
    width: float
    y: float  # top of the row's bar
    height: float
    kind: str  # "up", "down" or "total"
    emphasis: bool = False

    @property
    def text(self) -> str:
        if abs(self.points) < 0.5:
            return "0"
        return f"{'+' if self.points > 0 else '−'}{abs(self.points):.0f}"

    @property
    def text_x(self) -> float:
        return self.x + self.width + 4


@dataclass(frozen=True)
class Waterfall:
    bars: tuple[WaterfallBar, ...]
    width: float
    height: float
    zero_x: float
    label_width: float


def waterfall(
    terms: list[tuple[str, float]],
    total_label: str,
    *,
    emphasis: str | None = None,
    width: float = 370,
    row: float = 24,
    label_width: float = 140,
) -> Waterfall:
    """A horizontal waterfall: each term walks from the running sum; the last row is the total.

    Terms are ``(label, log_points)``; bars are laid out left to right on a shared axis so that a
    reader sees each factor's push and where the gap ends up.
    """
    pts = [(label, 100.0 * v if math.isfinite(v) else 0.0) for label, v in terms]
    running, levels = 0.0, [0.0]
    for _, p in pts:
        running += p
        levels.append(running)
    lo, hi = min(*levels, 0.0), max(*levels, 0.0)
    span = max(hi - lo, 10.0)
    plot_left, plot_right = label_width + 6, width - 36

    def x(v: float) -> float:
        return plot_left + (v - lo) / span * (plot_right - plot_left)

    bars: list[WaterfallBar] = []
    start = 0.0
    for i, (label, p) in enumerate(pts):
        end = start + p
        left, right = x(min(start, end)), x(max(start, end))
        bars.append(
            WaterfallBar(
                label,
                p,
                left,
                max(right - left, 1.5),
                i * row + 4,
                row - 8,
                "up" if p >= 0 else "down",
                emphasis=label == emphasis,
            )
        )
        start = end
    left, right = x(min(start, 0.0)), x(max(start, 0.0))
    bars.append(
        WaterfallBar(
            total_label,
            start,
            left,
            max(right - left, 1.5),
            len(pts) * row + 4,
            row - 8,
            "total",
        )
    )
    return Waterfall(tuple(bars), width, (len(pts) + 1) * row + 4, x(0.0), label_width)


def heat_style(contribution: float, certainty: float) -> str:
    """Cell colour: red below the group, green above; strength grows with certainty and size."""
    if not math.isfinite(contribution) or abs(contribution) < 0.005:
        return ""
    size = min(abs(contribution) / 0.35, 1.0)
    alpha = 0.08 + 0.77 * size * max(0.0, min(1.0, (certainty - 0.5) / 0.5))
    rgb = "179, 38, 30" if contribution < 0 else "27, 127, 75"
    return f"background-color: rgba({rgb}, {alpha:.2f})"
