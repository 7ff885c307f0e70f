"""Realism report: the simulated funnel next to published inside-sales ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ninety.core.sim.model import ACTIVITY_TYPES, OUTCOME_EMPTY

if TYPE_CHECKING:
    from ninety.core.sim.model import SimulatedOrg

#: Published ranges per stage (low, high, source); see docs/simulator.md for the citations.
RANGES: dict[str, tuple[float, float, str]] = {
    "connect": (0.10, 0.25, "Gong Labs top quartile 13%; healthy outbound 15-25% (MJI)"),
    "conversation": (0.40, 0.65, "Belkins 2026: 58% of connects became conversations"),
    "meeting": (0.15, 0.35, "set rate on web leads 10-25%, up to 40% (InsureLeads)"),
    "proposal": (0.55, 0.80, "appointment show rate ~71% (InsureLeads example)"),
    "won": (0.20, 0.50, "win rate 20-30% mid-market, 30-50% SMB (OSCOM glossary)"),
}
DIALS_RANGE = (25.0, 80.0, "example SDR loads of 50-80 dials/day (Gangly glossary)")
DIAL_TO_MEETING = (0.02, 0.08, "2-4% of dials booked on average, 5-8% top (MJI)")


def _flag(x: float, lo: float, hi: float) -> str:
    return "ok" if lo <= x <= hi else ("LOW" if x < lo else "HIGH")


def realism_report(org: SimulatedOrg) -> str:
    """A plain-text table of simulated rates, volumes and deal sizes next to published ranges.

    Stage rates count resolved attempts only: rows of the stage's ``entry`` type whose outcome
    is known by ``as_of``; rate = attempts reaching ``exit`` / resolved attempts.
    """
    a = org.activities
    lines = [f"Realism report: {org.config.reps} reps, {len(org.business_days)} business days,"]
    lines.append(f"{len(a['ts']):,} activities, {len(org.deals['owner']):,} deals")
    lines.append("")
    lines.append(f"{'stage':<14}{'entry->exit':<26}{'rate':>7}  {'published':>11}  check  source")
    for st in org.playbook.stages:
        e, x = ACTIVITY_TYPES.index(st.entry), ACTIVITY_TYPES.index(st.exit)
        rows = (a["type"] == e) & (a["outcome"] != OUTCOME_EMPTY)
        n = int(rows.sum())
        ok = int((rows & (a["outcome"] == x)).sum())
        rate = ok / n if n else float("nan")
        lo, hi, src = RANGES.get(st.key, (0.0, 1.0, ""))
        rng_txt = f"{lo:.0%}-{hi:.0%}"
        lines.append(
            f"{st.key:<14}{st.entry + '->' + st.exit:<26}{rate:>7.1%}  {rng_txt:>11}  "
            f"{_flag(rate, lo, hi):<5}  {src}"
        )
    dials = int((a["type"] == 0).sum())
    per_day = dials / max(org.rep_days, 1)
    lo, hi, src = DIALS_RANGE
    lines.append("")
    lines.append(f"dials per rep per business day: {per_day:.1f} ({lo:.0f}-{hi:.0f}; {src})")
    meetings = int((a["type"] == ACTIVITY_TYPES.index("meeting")).sum())
    dm = meetings / max(dials, 1)
    lo, hi, src = DIAL_TO_MEETING
    lines.append(f"dials -> meetings: {dm:.2%} ({lo:.0%}-{hi:.0%} {_flag(dm, lo, hi)}; {src})")
    d = org.deals
    lines.append("")
    lines.append("deal size (won deals), per product: count, median, mean")
    won = d["status"] == 1
    for i, name in enumerate(org.products):
        v = d["value"][won & (d["product"] == i)]
        if len(v):
            lines.append(f"  {name:<20}{len(v):>8,}  ${np.median(v):>9,.0f}  ${v.mean():>9,.0f}")
    closed = d["closed"] >= 0
    cycle = (d["closed"][won] - d["opened"][won]) / 86400.0
    if len(cycle):
        lines.append(
            f"meeting -> won cycle: median {np.median(cycle):.1f} days, "
            f"90th percentile {np.percentile(cycle, 90):.1f} days"
        )
    decided = int(closed.sum())
    lines.append(
        f"deal status: {int((d['status'] == 0).sum()):,} open, {int(won.sum()):,} won, "
        f"{decided - int(won.sum()):,} lost; pipeline win rate "
        f"{int(won.sum()) / max(decided, 1):.1%}"
    )
    rev = d["value"][won].sum()
    lines.append(
        f"won revenue per rep-month: ${rev / max(org.rep_days, 1) * 21:,.0f} "
        "(21 business days; at the simulated rates)"
    )
    return "\n".join(lines)
