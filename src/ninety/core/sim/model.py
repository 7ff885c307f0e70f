"""Types and constants shared by the simulator modules (no Django import)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ninety.core.playbook_spec import PlaybookSpec

#: Activity type codes: ``org.activities["type"]`` indexes this tuple.
ACTIVITY_TYPES: tuple[str, ...] = (
    "dial",
    "connect",
    "conversation",
    "meeting",
    "proposal",
    "won",
    "lost",
    "email",
)
#: Outcome codes: ``org.activities["outcome"]`` indexes this tuple. Codes 1-6 equal the activity
#: type code of the type reached. ``""`` (code 7) marks rows without an outcome: terminal
#: ``won``/``lost`` rows, free types such as ``email``, and attempts still unresolved at ``as_of``.
OUTCOMES: tuple[str, ...] = (
    "none",
    "connect",
    "conversation",
    "meeting",
    "proposal",
    "won",
    "lost",
    "",
)
OUTCOME_NONE = 0
OUTCOME_EMPTY = 7
#: Deal status codes: ``org.deals["status"]`` indexes this tuple.
DEAL_STATUSES: tuple[str, ...] = ("open", "won", "lost")


@dataclass(frozen=True)
class Product:
    """A product line; deal values are log-normal around ``median`` with log-sd ``sigma``."""

    name: str
    median: float
    sigma: float
    share: float


#: B2C home-energy products (the demo's world); values in US dollars.
PRODUCTS: tuple[Product, ...] = (
    Product("Home Solar", 14_000.0, 0.35, 0.45),
    Product("Battery Backup", 9_000.0, 0.30, 0.35),
    Product("Energy Audit Plan", 2_500.0, 0.25, 0.20),
)

#: Default per-stage conversion of an average team, keyed by stage key (see docs/simulator.md
#: for the published ranges these sit in).
DEFAULT_STAGE_RATES: tuple[tuple[str, float], ...] = (
    ("connect", 0.20),
    ("conversation", 0.50),
    ("meeting", 0.27),
    ("proposal", 0.62),
    ("won", 0.34),
)


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. Same config, same bytes.

    Parameters
    ----------
    reps : number of sales reps (leaders, directors and one admin are added on top).
    months : full calendar months before ``as_of``'s month; that month is covered up to ``as_of``.
    seed : seed of ``numpy.random.default_rng``, the only source of randomness.
    as_of : the last simulated day (inclusive): "today" of the dataset.
    story : plant the demo story (Morgan Lee, Dana Reyes's "Greeting Crew", Sam Patel, Alex Kim).
    dials_per_day : org-wide mean dials per rep and business day (teams and reps vary around it).
    stage_rates : average team conversion per stage key.
    weak_share, strong_share : share of reps with one planted weak (x0.45-0.8) / strong
        (x1.2-1.5) stage.
    change_share : share of reps with a behavior change of known effect.
    way_record_share : mean share of attempts whose way is recorded (varies by rep).
    emails_per_day : mean free ``email`` activities per rep and business day.
    """

    reps: int = 60
    months: int = 6
    seed: int = 0
    as_of: dt.date = dt.date(2026, 11, 27)
    story: bool = False
    dials_per_day: float = 30.0
    stage_rates: tuple[tuple[str, float], ...] = DEFAULT_STAGE_RATES
    weak_share: float = 0.40
    strong_share: float = 0.15
    change_share: float = 0.15
    way_record_share: float = 0.60
    emails_per_day: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "reps": self.reps,
            "months": self.months,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "story": self.story,
            "dials_per_day": self.dials_per_day,
            "stage_rates": dict(self.stage_rates),
            "weak_share": self.weak_share,
            "strong_share": self.strong_share,
            "change_share": self.change_share,
            "way_record_share": self.way_record_share,
            "emails_per_day": self.emails_per_day,
        }


@dataclass
class SimulatedOrg:
    """A simulated sales org: people, playbook, activities, deals, quotas and the ground truth.

    Attributes
    ----------
    config : the :class:`SimConfig` it was made from.
    playbook : the :class:`PlaybookSpec` whose stages and ways the activities use.
    people : one dict per ``people.csv`` row (``external_id, name, email, role, manager, team,
        high_potential`` (bool), ``hired_on`` (ISO date)); order = file order. Row index = the
        ``person``/``owner`` codes below.
    ways : ``(stage_key, behavior_key, way_key)`` per way; row index = the ``way`` code below.
    activities : dict of equal-length NumPy arrays, sorted by ``ts`` then ``person`` (stable):

        - ``person`` int32 -- index into ``people``;
        - ``ts`` int64 -- epoch seconds, UTC;
        - ``type`` int8 -- index into :data:`ACTIVITY_TYPES`;
        - ``deal`` int64 -- index into the ``deals`` arrays, or -1;
        - ``way`` int32 -- index into ``ways`` (the way of the attempt that starts at this row,
          at the stage whose ``entry`` is this row's type), or -1 when not recorded;
        - ``outcome`` int8 -- index into :data:`OUTCOMES`: the type the attempt reached
          (codes 1-6), ``none`` (0) if it did not advance, ``""`` (7) if not applicable or not
          resolved by ``as_of``;
        - ``duration`` int32 -- seconds.
    deals : dict of equal-length arrays, sorted by ``opened`` then ``owner``:
        ``owner`` int32 (people index), ``account`` str, ``product`` int8 (index into
        ``products``), ``value`` int64 (dollars), ``opened`` int64 (epoch s), ``closed`` int64
        (epoch s, -1 while open), ``status`` int8 (0 open, 1 won, 2 lost; see
        :data:`DEAL_STATUSES`), ``stage`` int8 (index into ``playbook.stage_keys``: furthest
        stage reached, ``meeting``, ``proposal`` or ``won``).
    quotas : dict of arrays ``person`` int32 (people index), ``period`` str ("YYYY-MM"),
        ``amount`` int64 (dollars, multiple of 100).
    truth : the JSON-able ground truth written to ``truth.json``.
    products : product names; index = ``deals["product"]``.
    business_days : the simulated business days (``datetime64[D]``).
    rep_days : number of rep x business-day cells in which a rep was employed.
    """

    config: SimConfig
    playbook: PlaybookSpec
    people: list[dict[str, Any]]
    ways: list[tuple[str, str, str]]
    activities: dict[str, np.ndarray]
    deals: dict[str, np.ndarray]
    quotas: dict[str, np.ndarray]
    truth: dict[str, Any]
    products: tuple[str, ...] = tuple(p.name for p in PRODUCTS)
    business_days: np.ndarray = field(default_factory=lambda: np.array([], dtype="datetime64[D]"))
    rep_days: int = 0
