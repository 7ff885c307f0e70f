"""Shipped name lists and the deterministic generators of people, team and account names."""

from __future__ import annotations

import numpy as np

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abby", "Adrian", "Aisha", "Amir", "Ana", "Andre", "Ari", "Ben", "Bianca", "Blake",
    "Brooke", "Caleb", "Carmen", "Casey", "Chen", "Chloe", "Chris", "Dev", "Diego", "Elena",
    "Eli", "Emma", "Eric", "Farah", "Felix", "Grace", "Hana", "Hugo", "Imani", "Isaac", "Ivy",
    "Jade", "Jamal", "Jenna", "Jo", "Jordan", "Kai", "Kara", "Kenji", "Lana", "Leo", "Lina",
    "Luis", "Maya", "Mei", "Mia", "Nadia", "Nate", "Nina", "Noah", "Omar", "Owen", "Priya",
    "Quinn", "Rafael", "Riley", "Rosa", "Ruby", "Ryan", "Sara", "Sean", "Sofia", "Taylor",
    "Theo", "Tina", "Uma", "Victor", "Wes", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Adams", "Ahmed", "Alvarez", "Baker", "Bennett", "Brooks", "Carter", "Chavez", "Cho",
    "Collins", "Cruz", "Diaz", "Edwards", "Evans", "Fischer", "Flores", "Foster", "Garcia",
    "Gomez", "Gray", "Green", "Hall", "Hayes", "Hughes", "Ito", "Jensen", "Johnson", "Kelly",
    "Khan", "Lopez", "Martin", "Mendez", "Miller", "Mills", "Moore", "Morris", "Nakamura",
    "Nguyen", "Novak", "Ortiz", "Owens", "Park", "Perez", "Price", "Quinn", "Ramos", "Reed",
    "Rivera", "Ross", "Russell", "Santos", "Shah", "Singh", "Sullivan", "Torres", "Tran",
    "Turner", "Vargas", "Walker", "Ward", "Watson", "Wong", "Young", "Zhang",
)  # fmt: skip
#: Names the demo story uses; the generic generator never hands them out.
STORY_NAMES: tuple[str, ...] = ("Morgan Lee", "Dana Reyes", "Sam Patel", "Alex Kim")

TEAM_WORDS: tuple[str, ...] = (
    "Aurora", "Beacon", "Canyon", "Comet", "Delta", "Ember", "Falcon", "Harbor", "Horizon",
    "Juniper", "Lighthouse", "Maple", "Meridian", "Mustang", "Nova", "Orbit", "Pioneer",
    "Prairie", "Redwood", "Ridge", "River", "Sequoia", "Sierra", "Spark", "Summit", "Tidal",
    "Timber", "Vista", "Willow", "Zenith",
)  # fmt: skip
TEAM_KINDS: tuple[str, ...] = ("Crew", "Squad", "Team", "Unit")
REGIONS: tuple[str, ...] = (
    "West", "East", "North", "South", "Central", "Pacific", "Mountain", "Atlantic", "Gulf",
    "Lakes", "Plains", "Coastal",
)  # fmt: skip


def person_names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` unique (name, email local part) pairs, in a seed-determined order.

    First-by-last combinations come first; past that, a middle initial keeps names unique.
    """
    combos = [
        (f, m, last)
        for m in ("", *"ABCDEFGHJKLMNPRSTW")
        for f in FIRST_NAMES
        for last in LAST_NAMES
        if not (m == "" and f"{f} {last}" in STORY_NAMES)
    ]
    if n > len(combos):
        raise ValueError(f"the name generator holds {len(combos)} unique names; {n} requested")
    plain = sum(1 for c in combos if c[1] == "")
    # Shuffle the plain names; initials are only reached for very large orgs.
    order = rng.permutation(plain) if n <= plain else np.arange(n)
    out = []
    for i in order[:n]:
        f, m, last = combos[int(i)]
        name = f"{f} {m}. {last}" if m else f"{f} {last}"
        local = f"{f}.{m}.{last}" if m else f"{f}.{last}"
        out.append((name, local.lower()))
    return out


def email_for(local: str) -> str:
    return f"{local}@example.com"


def team_names(rng: np.random.Generator, n: int, reserved: tuple[str, ...] = ()) -> list[str]:
    """``n`` unique team names such as "Summit Squad" (a number is added past the list)."""
    base = [f"{w} {k}" for k in TEAM_KINDS for w in TEAM_WORDS if f"{w} {k}" not in reserved]
    base = [base[int(i)] for i in rng.permutation(len(base))]
    return [
        base[i % len(base)] + ("" if i < len(base) else f" {i // len(base) + 1}") for i in range(n)
    ]


def region_names(n: int, reserved: tuple[str, ...] = ()) -> list[str]:
    """``n`` unique director-team names such as "West Region"."""
    base = [f"{r} Region" for r in REGIONS if f"{r} Region" not in reserved]
    return [
        base[i % len(base)] + ("" if i < len(base) else f" {i // len(base) + 1}") for i in range(n)
    ]
