"""Funnels: per-rep counts per stage for a period, and the rates between stages.

Two kinds, and the result says which (``Funnel.kind``):

* ``"activity"`` — activity-level data. Each playbook stage has an entry and an exit activity type
  (``dial → connect → conversation → meeting → proposal → won``); a stage's tries are the entry
  events in the period and its successes the exit events in the period. Because stage k+1's entry
  is stage k's exit, ``volume × Π rates = won count`` telescopes exactly.
  With outcome data (each activity records the furthest step it led to) the funnel can also be
  counted as *cohorts* (``counting="cohort"``, :func:`cohort_funnel`): a stage's tries are its
  entry events in the period whose outcome is known, its successes those whose outcome reached the
  exit. Then successes are a subset of tries — a true binomial, which the shrinkage assumes — at
  the cost of the exact telescoping. Period counting mixes the tail of last month's entries into
  this month's exits, which adds noise that the beta-binomial does not know about.
* ``"deal"`` — deal-only data, no activities: opportunities opened → engaged → won/lost. Stage
  ``engaged``: deals opened in the period that moved past the first deal stage (or closed won);
  stage ``won``: deals won among those closed (won or lost) in the period.

Rates follow PostHog's funnels (``posthog/hogql_queries/insights/funnels/``): count of a step over
count of the previous step, 0 when the previous step is 0. Counting in a period (rather than
following each lead) can give more exits than entries at a stage; those cells are clipped to the
tries (counted in ``Funnel.clipped``) so that a rate never exceeds 1.

Aggregation from raw rows is vectorised (``np.bincount``), never a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ninety.core.playbook_spec import PlaybookSpec, StageSpec

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Stage keys of the deal-only funnel.
DEAL_STAGE_KEYS: tuple[str, ...] = ("engaged", "won")
#: Deal status codes used by the simulator and the loaders.
DEAL_OPEN, DEAL_WON, DEAL_LOST = 0, 1, 2


@dataclass(frozen=True)
class Funnel:
    """Per-rep funnel counts for one period.

    Attributes
    ----------
    kind : {"activity", "deal"}
        Which data the funnel was built from (see the module docstring).
    stage_keys : tuple of str
        Stage keys in order.
    entry_types, exit_types : tuple of str
        The event counted as a try / a success at each stage.
    volume : ndarray, shape (reps,)
        Count of the first stage's entry event (dials, or deals opened): the activity volume.
    tries, successes : ndarray, shape (reps, stages)
        Per stage; ``successes <= tries`` (clipped).
    won_value, won_count : ndarray, shape (reps,)
        Value and number of deals won in the period (the result).
    clipped : int
        Number of (rep, stage) cells where exits exceeded entries and were clipped.
    counting : {"period", "cohort"}
        Events counted in the period, or entries of the period followed to their outcome.
    """

    kind: str
    stage_keys: tuple[str, ...]
    entry_types: tuple[str, ...]
    exit_types: tuple[str, ...]
    volume: FloatArray
    tries: FloatArray
    successes: FloatArray
    won_value: FloatArray
    won_count: FloatArray
    clipped: int = 0
    counting: str = "period"

    @property
    def n_reps(self) -> int:
        return int(self.volume.shape[0])

    @property
    def rates(self) -> FloatArray:
        """successes / tries per rep and stage; 0 where there were no tries."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.tries > 0, self.successes / self.tries, 0.0)

    @property
    def deal_size(self) -> FloatArray:
        """Average won deal value per rep; NaN for a rep with no wins."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.won_count > 0, self.won_value / self.won_count, np.nan)


def month_bounds(period: str) -> tuple[int, int]:
    """Epoch seconds (UTC) of the first instant of month ``"YYYY-MM"`` and of the next month."""
    year, month = (int(p) for p in period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(end.timestamp())


def day_start(d: date) -> int:
    """Epoch seconds (UTC) of midnight at the start of ``d``."""
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def _in_window(ts: NDArray[np.int64], start: int | None, end: int | None) -> NDArray[np.bool_]:
    keep = np.ones(ts.shape, dtype=bool)
    if start is not None:
        keep &= ts >= start
    if end is not None:
        keep &= ts < end
    return keep


def activity_counts(
    person: ArrayLike,
    type_: ArrayLike,
    ts: ArrayLike,
    n_people: int,
    n_types: int,
    start: int | None = None,
    end: int | None = None,
) -> IntArray:
    """Count activities per person and type in ``[start, end)`` (epoch seconds, UTC).

    One ``np.bincount`` over ``person * n_types + type``: about 50 ms for 10M rows.

    Returns
    -------
    ndarray, shape (n_people, n_types)
    """
    p = np.asarray(person, dtype=np.int64)
    t = np.asarray(type_, dtype=np.int64)
    keep = _in_window(np.asarray(ts, dtype=np.int64), start, end)
    flat = p[keep] * n_types + t[keep]
    return np.bincount(flat, minlength=n_people * n_types).reshape(n_people, n_types)


def outcome_counts(
    person: ArrayLike,
    type_: ArrayLike,
    outcome: ArrayLike,
    ts: ArrayLike,
    n_people: int,
    n_types: int,
    n_outcomes: int,
    start: int | None = None,
    end: int | None = None,
) -> IntArray:
    """Count activities per person, type and outcome code in ``[start, end)``.

    One ``np.bincount`` over the flattened (person, type, outcome) index.

    Returns
    -------
    ndarray, shape (n_people, n_types, n_outcomes)
    """
    p = np.asarray(person, dtype=np.int64)
    t = np.asarray(type_, dtype=np.int64)
    o = np.asarray(outcome, dtype=np.int64)
    keep = _in_window(np.asarray(ts, dtype=np.int64), start, end)
    flat = (p[keep] * n_types + t[keep]) * n_outcomes + o[keep]
    size = n_people * n_types * n_outcomes
    return np.bincount(flat, minlength=size).reshape(n_people, n_types, n_outcomes)


def won_in_period(
    owner: ArrayLike,
    value: ArrayLike,
    status: ArrayLike,
    closed: ArrayLike,
    n_people: int,
    start: int | None = None,
    end: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Won value and won count per owner for deals closed won in ``[start, end)``."""
    o = np.asarray(owner, dtype=np.int64)
    c = np.asarray(closed, dtype=np.int64)
    keep = (np.asarray(status) == DEAL_WON) & (c >= 0) & _in_window(c, start, end)
    val = np.bincount(
        o[keep], weights=np.asarray(value, dtype=np.float64)[keep], minlength=n_people
    )
    cnt = np.bincount(o[keep], minlength=n_people).astype(np.float64)
    return val, cnt


def _stage_triples(
    stages: PlaybookSpec | Sequence[StageSpec] | Sequence[tuple[str, str, str]],
) -> list[tuple[str, str, str]]:
    items = stages.stages if isinstance(stages, PlaybookSpec) else stages
    out = []
    for s in items:
        if isinstance(s, StageSpec):
            out.append((s.key, s.entry, s.exit))
        else:
            key, entry, exit_ = s
            out.append((str(key), str(entry), str(exit_)))
    if not out:
        raise ValueError("a funnel needs at least one stage")
    return out


def activity_funnel(
    counts: ArrayLike | Mapping[str, ArrayLike],
    stages: PlaybookSpec | Sequence[StageSpec] | Sequence[tuple[str, str, str]],
    won_value: ArrayLike,
    won_count: ArrayLike | None = None,
    type_names: Sequence[str] | None = None,
) -> Funnel:
    """Funnel from per-rep counts per activity type, using the playbook's stage definitions.

    Parameters
    ----------
    counts : array (reps, types) or mapping type name → array (reps,)
        Activity counts in the period, e.g. from :func:`activity_counts`.
    stages : PlaybookSpec, StageSpec sequence or (key, entry, exit) tuples
        Stage k's tries are ``counts[entry]``, its successes ``counts[exit]``.
    won_value : array (reps,)
        Value won in the period (from deals, e.g. :func:`won_in_period`).
    won_count : array (reps,), optional
        Deals won in the period; defaults to the last stage's successes, which keeps
        ``volume × Π rates × deal size = won value`` exact.
    type_names : sequence of str
        Column names of ``counts`` when it is a 2-D array.
    """
    if isinstance(counts, Mapping):
        by_type = {k: np.asarray(v, dtype=np.float64) for k, v in counts.items()}
    else:
        arr = np.asarray(counts, dtype=np.float64)
        if type_names is None or arr.ndim != 2 or arr.shape[1] != len(type_names):
            raise ValueError("a 2-D counts array needs type_names naming each column")
        by_type = {name: arr[:, i] for i, name in enumerate(type_names)}
    triples = _stage_triples(stages)
    for key, entry, exit_ in triples:
        for t in (entry, exit_):
            if t not in by_type:
                raise ValueError(f"stage {key!r}: no counts for activity type {t!r}")
    tries = np.stack([by_type[e] for _, e, _ in triples], axis=1)
    raw = np.stack([by_type[x] for _, _, x in triples], axis=1)
    successes = np.minimum(raw, tries)
    wv = np.asarray(won_value, dtype=np.float64)
    wc = successes[:, -1].copy() if won_count is None else np.asarray(won_count, dtype=np.float64)
    return Funnel(
        kind="activity",
        stage_keys=tuple(k for k, _, _ in triples),
        entry_types=tuple(e for _, e, _ in triples),
        exit_types=tuple(x for _, _, x in triples),
        volume=tries[:, 0].copy(),
        tries=tries,
        successes=successes,
        won_value=wv,
        won_count=wc,
        clipped=int(np.sum(raw > tries)),
    )


def cohort_funnel(
    counts: ArrayLike,
    type_names: Sequence[str],
    outcome_names: Sequence[str],
    stages: PlaybookSpec | Sequence[StageSpec] | Sequence[tuple[str, str, str]],
    won_value: ArrayLike,
    won_count: ArrayLike,
    unresolved: Sequence[str] = ("",),
) -> Funnel:
    """Activity funnel counted as cohorts: entries of the period followed to their outcome.

    Parameters
    ----------
    counts : array (reps, types, outcomes)
        From :func:`outcome_counts`.
    type_names, outcome_names : sequence of str
        Names of the type and outcome axes; an entry "reached" a stage's exit when its outcome's
        name equals the exit type.
    stages : PlaybookSpec, StageSpec sequence or (key, entry, exit) tuples
    won_value, won_count : array (reps,)
        The period's result (deals won in the period).
    unresolved : sequence of str
        Outcome names of entries whose fate is not known yet; they are not tries.
    """
    arr = np.asarray(counts, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[1:] != (len(type_names), len(outcome_names)):
        raise ValueError("counts must have shape (reps, len(type_names), len(outcome_names))")
    tix = {n: i for i, n in enumerate(type_names)}
    oix = {n: i for i, n in enumerate(outcome_names)}
    resolved = np.array([n not in set(unresolved) for n in outcome_names])
    triples = _stage_triples(stages)
    tries, successes = [], []
    for key, entry, exit_ in triples:
        if entry not in tix:
            raise ValueError(f"stage {key!r}: no counts for activity type {entry!r}")
        if exit_ not in oix:
            raise ValueError(f"stage {key!r}: no outcome named {exit_!r}")
        tries.append(arr[:, tix[entry], resolved].sum(axis=1))
        successes.append(arr[:, tix[entry], oix[exit_]])
    tr = np.stack(tries, axis=1)
    return Funnel(
        kind="activity",
        stage_keys=tuple(k for k, _, _ in triples),
        entry_types=tuple(e for _, e, _ in triples),
        exit_types=tuple(x for _, _, x in triples),
        volume=arr[:, tix[triples[0][1]], :].sum(axis=1),
        tries=tr,
        successes=np.stack(successes, axis=1),
        won_value=np.asarray(won_value, dtype=np.float64),
        won_count=np.asarray(won_count, dtype=np.float64),
        counting="cohort",
    )


def deal_value_cv(owner: ArrayLike, value: ArrayLike) -> float:
    r"""Pooled within-rep coefficient of variation of deal values (for deal-size certainty).

    :math:`c^2 = \frac{\sum_i \sum_j (v_{ij} - \bar v_i)^2}{\sum_i (n_i - 1)} \big/ \bar v^2`
    over reps with at least two deals; 0.8 when there are too few deals to tell.
    """
    o = np.asarray(owner, dtype=np.int64)
    v = np.asarray(value, dtype=np.float64)
    if v.size < 3:
        return 0.8
    n = np.bincount(o)
    s1 = np.bincount(o, weights=v)
    s2 = np.bincount(o, weights=v**2)
    ok = n >= 2
    dof = float(np.sum(n[ok] - 1))
    if dof < 2:
        return 0.8
    ss = float(np.sum(s2[ok] - s1[ok] ** 2 / n[ok]))
    if v.mean() <= 0:
        return 0.8  # a file without amounts: no spread to measure
    return float(np.sqrt(max(ss, 0.0) / dof) / v.mean())


def deal_funnel(
    owner: ArrayLike,
    opened: ArrayLike,
    closed: ArrayLike,
    status: ArrayLike,
    stage: ArrayLike,
    value: ArrayLike,
    n_people: int,
    start: int,
    end: int,
    engaged_stage: int = 1,
) -> Funnel:
    """Deal-only funnel: opportunities opened → engaged → won/lost, no activities needed.

    Parameters
    ----------
    owner, opened, closed, status, stage, value : array_like, one entry per deal
        ``opened``/``closed`` in epoch seconds (``closed`` −1 when open), ``status`` 0 open /
        1 won / 2 lost, ``stage`` the deal's (last) stage index.
    n_people : int
        Length of the per-rep arrays.
    start, end : int
        The period ``[start, end)`` in epoch seconds.
    engaged_stage : int
        A deal counts as engaged once its stage index reaches this value (or it is won).
    """
    o = np.asarray(owner, dtype=np.int64)
    op = np.asarray(opened, dtype=np.int64)
    cl = np.asarray(closed, dtype=np.int64)
    st = np.asarray(status)
    sg = np.asarray(stage)
    new = _in_window(op, start, end)
    engaged = new & ((sg >= engaged_stage) | (st == DEAL_WON))
    decided = (st != DEAL_OPEN) & (cl >= 0) & _in_window(cl, start, end)
    decided & (st == DEAL_WON)

    def per_rep(mask: NDArray[np.bool_]) -> FloatArray:
        return np.bincount(o[mask], minlength=n_people).astype(np.float64)

    opened_n, engaged_n, decided_n = per_rep(new), per_rep(engaged), per_rep(decided)
    won_v, won_n = won_in_period(o, value, st, cl, n_people, start, end)
    tries = np.stack([opened_n, decided_n], axis=1)
    raw = np.stack([engaged_n, won_n], axis=1)
    return Funnel(
        kind="deal",
        stage_keys=DEAL_STAGE_KEYS,
        entry_types=("opened", "closed"),
        exit_types=("engaged", "won"),
        volume=opened_n,
        tries=tries,
        successes=np.minimum(raw, tries),
        won_value=won_v,
        won_count=won_n,
        clipped=int(np.sum(raw > tries)),
    )
