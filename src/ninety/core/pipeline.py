"""The pipeline funnel: a process read from deals and the stages they passed, no activities needed.

A playbook stage whose ``entry`` and ``exit`` name **deal steps** (``deal:opened``,
``deal:qualified``, ``deal:proposal``, ``deal:won`` …) is judged on deals instead of logged
activities. The steps of a playbook, in order, are its deal stages' entries followed by the last
exit; ``deal:opened`` is the first and ``deal:won`` the last.

**How far a deal got** (its *level*, an index into the steps): a won deal reached every step; else
the furthest step its stage history shows (see the stage-history import presets); else the step
its current stage names (:data:`STEP_ALIASES`: a CRM stage's name, lower-cased). A lost deal
whose stage before the loss is not in the export (``Closed Lost`` alone) is at the first step;
pages say which stages were read from the current stage alone (no history imported).

**Counting**: a deal counts once it has closed (won or lost), in the evidence bucket it closed
in, when its level is final: at step j it is an entry if its level is at least j and advanced if
at least j + 1, so a stage's tries are its entries and its successes those that advanced — a true
binomial over decided deals. (Open deals that got past a stage are no success yet: counting them
would inflate the early stages by the stock of open deals.) Volume is the deals opened. The
``pending`` counts (open deals at a step) are kept for callers that count open deals too.

**Which stages can be judged**: a stage's failures are known only when lost deals keep their stage
(Pipedrive does) or stage history is imported; otherwise the default playbook merges the stages
(:func:`fit_to_steps`) and the pipeline is judged as one stage, opened → won.

No Django here: the database loader (:mod:`ninety.diagnosis.loaders`) aggregates a
(reps, buckets, levels, open) grid in SQL and :func:`step_counts` turns it into the counts; the
simulator's bench builds the same grid with :func:`level_grid`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ninety.core.playbook_spec import PlaybookSpec, StageSpec, load_playbook_yaml

FloatArray = NDArray[np.float64]

DEAL_STEP_PREFIX = "deal:"
OPENED = "deal:opened"
WON = "deal:won"

#: CRM stage names (lower case) that mean a deal reached a step. The presets map each CRM's
#: default pipeline onto Ninety's names (``meeting``, ``proposal`` …); the rest are the common
#: labels of default pipelines, and the step's own name always counts.
STEP_ALIASES: dict[str, frozenset[str]] = {
    "deal:qualified": frozenset(
        {
            "qualified", "qualification", "qualifiedtobuy", "qualified to buy", "engaging",
            "engaged", "conversation", "connect", "contact made", "needs analysis",
            "meeting", "demo", "demo scheduled", "appointment scheduled",
            "appointmentscheduled", "presentation scheduled", "presentationscheduled",
            "value proposition", "id. decision makers", "perception analysis",
        }
    ),
    "deal:proposal": frozenset(
        {
            "proposal", "proposal made", "proposal/price quote", "contract sent", "contractsent",
            "decision maker bought-in", "decisionmakerboughtin", "negotiation",
            "negotiation/review", "negotiations started",
        }
    ),
}  # fmt: skip


def is_deal_step(name: str) -> bool:
    """Whether an entry/exit type names a deal step rather than an activity type."""
    return name.startswith(DEAL_STEP_PREFIX)


def deal_stages(spec: PlaybookSpec) -> tuple[StageSpec, ...]:
    """The stages of ``spec`` judged on deals (entry and exit both deal steps)."""
    return tuple(s for s in spec.stages if is_deal_step(s.entry) and is_deal_step(s.exit))


def activity_stages(spec: PlaybookSpec) -> tuple[StageSpec, ...]:
    """The stages judged on logged activities."""
    return tuple(s for s in spec.stages if not (is_deal_step(s.entry) or is_deal_step(s.exit)))


def funnel_kind(spec: PlaybookSpec) -> str:
    """``"pipeline"`` (deals only), ``"activity"`` or ``"joined"`` (both in one funnel)."""
    deals, acts = deal_stages(spec), activity_stages(spec)
    if len(deals) + len(acts) != len(spec.stages):
        bad = next(s for s in spec.stages if s not in deals and s not in acts)
        raise ValueError(f"stage {bad.key!r}: entry and exit must both be deal steps or neither")
    if deals and acts:
        return "joined"
    return "pipeline" if deals else "activity"


def deal_steps(spec: PlaybookSpec) -> tuple[str, ...]:
    """The deal steps in order: each deal stage's entry, then the last one's exit.

    Deal stages must chain (each one's entry is the previous one's exit).
    """
    stages = deal_stages(spec)
    if not stages:
        return ()
    steps = [stages[0].entry]
    for s in stages:
        if s.entry != steps[-1]:
            raise ValueError(
                f"stage {s.key!r}: deal stages must chain; its entry {s.entry!r} is not the "
                f"previous stage's exit {steps[-1]!r}"
            )
        steps.append(s.exit)
    return tuple(steps)


def step_names(steps: Iterable[str]) -> dict[str, int]:
    """Lower-case CRM stage name → step index, for the steps after the first (not won).

    A step's own name wins over another step's alias (a playbook with a ``deal:meeting`` step
    reads "meeting" there, not as qualified).
    """
    steps = tuple(steps)
    inner = [(i, s) for i, s in enumerate(steps) if i > 0 and s != WON]
    out: dict[str, int] = {}
    for i, step in inner:
        out.setdefault(step.removeprefix(DEAL_STEP_PREFIX).lower(), i)
        out.setdefault(step.lower(), i)
    for i, step in inner:
        for name in sorted(STEP_ALIASES.get(step, ())):
            out.setdefault(name, i)
    return out


def level_grid(
    owner: ArrayLike,
    bucket: ArrayLike,
    level: ArrayLike,
    is_open: ArrayLike,
    n_reps: int,
    n_buckets: int,
    n_steps: int,
) -> FloatArray:
    """Deals per (rep, bucket, level, open): the grid :func:`step_counts` reads.

    ``bucket`` −1 (outside every bucket) is left out. One ``np.bincount``.
    """
    o, b, lv = (np.asarray(a, dtype=np.int64) for a in (owner, bucket, level))
    op = np.asarray(is_open, dtype=np.int64)
    keep = b >= 0
    flat = ((o[keep] * n_buckets + b[keep]) * n_steps + lv[keep]) * 2 + op[keep]
    size = n_reps * n_buckets * n_steps * 2
    return np.bincount(flat, minlength=size).reshape(n_reps, n_buckets, n_steps, 2).astype(float)


def step_counts(
    grid: FloatArray, steps: tuple[str, ...]
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, FloatArray]]:
    """Entries, advanced and pending per step, each (reps, buckets), from a :func:`level_grid`.

    Entries of step j: deals at level ≥ j; advanced: level ≥ j + 1; pending: open at level j.
    """
    g = np.asarray(grid, dtype=np.float64)
    by_level = g.sum(axis=3)  # (reps, buckets, levels)
    at_least = np.flip(np.cumsum(np.flip(by_level, axis=2), axis=2), axis=2)
    zeros = np.zeros(g.shape[:2])
    entries = {s: at_least[:, :, j] for j, s in enumerate(steps)}
    advanced = {
        s: (at_least[:, :, j + 1] if j + 1 < len(steps) else zeros) for j, s in enumerate(steps)
    }
    pending = {s: g[:, :, j, 1] for j, s in enumerate(steps)}
    return entries, advanced, pending


@functools.cache
def pipeline_playbook() -> PlaybookSpec:
    """The default playbook of an org whose CRM holds deals and no logged activities (read
    once: the spec is immutable)."""
    text = resources.files("ninety.core.playbooks").joinpath("pipeline.yaml").read_text()
    return load_playbook_yaml(text)


def fit_to_steps(spec: PlaybookSpec, seen: Iterable[str]) -> PlaybookSpec:
    """Leave out the deal steps no lost deal is recorded at (by its stage or its history).

    Without lost deals at a step, the step's failures cannot be told from the next one's: its
    stage is merged into the next (entry kept, exit the next stage's; the next stage's name and
    behaviors). The first and last steps always stay.
    """
    seen = set(seen)
    stages = list(spec.stages)
    out: list[StageSpec] = []
    carry: StageSpec | None = None
    for s in stages:
        cur = s if carry is None else StageSpec(s.key, s.name, carry.entry, s.exit, s.behaviors)
        carry = None
        keep = not is_deal_step(cur.exit) or cur.exit == WON or cur.exit in seen
        if keep:
            out.append(cur)
        else:
            carry = cur
    if carry is not None:
        out.append(carry)
    return PlaybookSpec(spec.name, spec.version, tuple(out))


#: A HubSpot stage-calculated column: ``Date entered "Contract Sent (Sales Pipeline)"``.
DATE_ENTERED = re.compile(
    r"""^date entered\s*["'“”‘’]?(.+?)(?:\s*\(([^()]*)\))?["'“”‘’]?\s*$""", re.IGNORECASE
)
#: HubSpot's closed stages (labels and internal ids).
HUBSPOT_CLOSED = {"closed won": WON, "closedwon": WON, "closed lost": "deal:lost",
                  "closedlost": "deal:lost"}  # fmt: skip
_HUBSPOT_STEPS = (OPENED, "deal:qualified", "deal:proposal", WON)
_HUBSPOT_DATES = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
                  "%Y-%m-%d")  # fmt: skip


def date_entered_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    deal: str = "Record ID",
    owner: str = "Deal owner",
) -> tuple[list[list[str]], list[str]]:
    """Melt a HubSpot deals export's "Date entered <stage>" columns into stage-history rows.

    Returns (rows of ``external_id, person, occurred_at, type, deal`` in the canonical
    headers, one per stage a deal entered; problems, each naming the spreadsheet row and
    column). The stage label maps onto a step as a deal's stage does (:data:`STEP_ALIASES`;
    Closed Won/Lost to ``deal:won``/``deal:lost``); another label becomes ``deal:other``.
    """
    cols = {name: i for i, name in enumerate(header)}
    for need in (deal, owner):
        if need not in cols:
            raise ValueError(f"no {need!r} column; the file has: {', '.join(header)}")
    names = step_names(_HUBSPOT_STEPS)
    stage_cols = []
    for i, name in enumerate(header):
        m = DATE_ENTERED.match(name.strip())
        if m:
            label = m.group(1).strip().lower()
            stage_cols.append((i, name, HUBSPOT_CLOSED.get(label) or _step_of(label, names)))
    if not stage_cols:
        raise ValueError('no "Date entered <stage>" column: add them to the export')
    out: list[list[str]] = []
    problems: list[str] = []
    for r, row in enumerate(rows, start=2):
        for i, name, step in stage_cols:
            text = row[i].strip() if i < len(row) else ""
            if not text:
                continue
            when = _parse_date(text)
            if when is None:
                problems.append(f"row {r}, column {name!r}: not a date {text!r}")
                continue
            ext = f"{row[cols[deal]]}:{step}:{when}"
            out.append([ext, row[cols[owner]], when, step, row[cols[deal]]])
    return out, problems


def _step_of(label: str, names: dict[str, int]) -> str:
    return _HUBSPOT_STEPS[names[label]] if label in names else "deal:other"


def _parse_date(text: str) -> str | None:
    for fmt in _HUBSPOT_DATES:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    return None
