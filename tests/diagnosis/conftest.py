"""A simulated org put straight into the database (people, deals, quotas, rollups).

Faster than going through CSV files for tests of the analytics pages; the import path itself is
tested in tests/ingest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest

from ninety.activity.models import ActivityRollup, Deal, Quota
from ninety.activity.rollups import rebuild_weeks
from ninety.core.playbook_spec import default_playbook
from ninety.core.simulate import ACTIVITY_TYPES, SimulatedOrg, first_clear_story
from ninety.people.models import Org, Person, Team
from ninety.people.services import create_person
from ninety.playbook.models import Way
from ninety.playbook.services import install_playbook

AS_OF = date(2026, 11, 27)


def load_simulated(sim: SimulatedOrg, slug: str = "sim", logins: bool = True) -> Org:
    org = Org.objects.create(name=f"Sim {slug}", slug=slug)
    playbook = install_playbook(org, sim.playbook)
    people: list[Person] = []
    teams: dict[str, Team] = {}
    by_ext: dict[str, Person] = {}
    for row in sim.people:
        team = None
        if row["team"]:
            team = teams.get(row["team"]) or Team.objects.create(org=org, name=row["team"])
            teams[row["team"]] = team
        username = row["external_id"].lower() if logins else None
        p = create_person(
            org, row["name"], role=row["role"], team=team, email=row["email"],
            external_id=row["external_id"], username=username,
            password="pw-123456" if logins else None, high_potential=row["high_potential"],
        )  # fmt: skip
        people.append(p)
        by_ext[row["external_id"]] = p
    for row, p in zip(sim.people, people, strict=True):
        if row["manager"] and p.team_id:
            manager = by_ext[row["manager"]]
            Team.objects.filter(pk=p.team_id).update(leader=manager)
    for team in Team.objects.filter(org=org).select_related("leader"):
        if team.leader and team.leader.team_id and team.leader.team_id != team.pk:
            Team.objects.filter(pk=team.pk).update(parent_id=team.leader.team_id)

    d = sim.deals
    status = np.array(["open", "won", "lost"])
    Deal.objects.bulk_create(
        Deal(
            org=org,
            owner=people[int(d["owner"][i])],
            account=str(d["account"][i]),
            product=sim.products[int(d["product"][i])],
            stage=sim.playbook.stage_keys[int(d["stage"][i])],
            value=Decimal(int(d["value"][i])),
            opened_at=datetime.fromtimestamp(int(d["opened"][i]), UTC),
            closed_at=datetime.fromtimestamp(int(d["closed"][i]), UTC)
            if d["closed"][i] >= 0
            else None,
            status=str(status[int(d["status"][i])]),
            source="sim",
            external_id=f"D{i}",
        )
        for i in range(len(d["owner"]))
    )
    q = sim.quotas
    Quota.objects.bulk_create(
        Quota(person=people[int(q["person"][i])], period=str(q["period"][i]),
              amount=Decimal(int(q["amount"][i])))
        for i in range(len(q["person"]))
    )  # fmt: skip

    ways = {
        (w.behavior.stage.key, w.key): w
        for w in Way.objects.filter(behavior__stage__playbook=playbook).select_related(
            "behavior__stage"
        )
    }
    way_objs = [ways.get((s, k)) for s, _, k in sim.ways]
    a = sim.activities
    day = (a["ts"] // 86400).astype(np.int64)
    way = a["way"].astype(np.int64)
    # advanced: the attempt reached the exit type of the stage this row's type enters.
    next_type = {i: i + 1 for i in range(1, 6)}
    next_type[0] = 1
    adv_code = np.array([next_type.get(t, -99) for t in range(len(ACTIVITY_TYPES))])
    advanced = (a["outcome"].astype(np.int64) == adv_code[a["type"]]).astype(np.int64)
    key = np.stack([a["person"].astype(np.int64), day, a["type"].astype(np.int64), way], axis=1)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), minlength=len(uniq))
    adv = np.bincount(inverse.ravel(), weights=advanced, minlength=len(uniq))
    unknown = (a["outcome"] == 7).astype(np.int64)  # OUTCOME_EMPTY: not resolved by as_of
    pend = np.bincount(inverse.ravel(), weights=unknown, minlength=len(uniq))
    ActivityRollup.objects.bulk_create(
        (
            ActivityRollup(
                person=people[int(u[0])],
                day=date.fromordinal(date(1970, 1, 1).toordinal() + int(u[1])),
                type=ACTIVITY_TYPES[int(u[2])],
                way=way_objs[int(u[3])] if u[3] >= 0 else None,
                count=int(c),
                advanced=int(v),
                pending=int(pe),
            )
            for u, c, v, pe in zip(uniq, counts, adv, pend, strict=True)
        ),
        batch_size=5000,
    )
    rebuild_weeks([p.pk for p in people])
    return org


@pytest.fixture(scope="session")
def story_sim() -> SimulatedOrg:
    # As the demo does: the first seed whose draw tells the story plainly (Sam's greeting
    # clearly below, his experiment moving), so the tests check the pages, not the dice.
    sim = first_clear_story(AS_OF, reps=20, months=2, seeds=range(7, 27))
    assert sim is not None, "no seed in 7..26 tells the story"
    return sim


@pytest.fixture
def story_org(db: None, story_sim: SimulatedOrg) -> Org:
    return load_simulated(story_sim, "story")


__all__ = ["AS_OF", "default_playbook", "load_simulated"]


@pytest.fixture
def story_org_live(transactional_db: None, story_sim: SimulatedOrg) -> Org:
    """The story org in a committed database, for browser tests against the live server."""
    return load_simulated(story_sim, "story")


#: The first business day of a month: the demo run on 1 December.
DAY1 = date(2026, 12, 1)


@pytest.fixture(scope="session")
def day1_sim() -> SimulatedOrg:
    sim = first_clear_story(DAY1, reps=20, months=3, seeds=range(7, 27))
    assert sim is not None, "no seed in 7..26 tells the story on day 1"
    return sim


@pytest.fixture
def day1_org(db: None, day1_sim: SimulatedOrg) -> Org:
    return load_simulated(day1_sim, "day1")


@pytest.fixture
def day1_org_live(transactional_db: None, day1_sim: SimulatedOrg) -> Org:
    return load_simulated(day1_sim, "day1")
