"""People: a roster becomes people, teams, team leaders and the teams' nesting, in one pass.

The rules (also in ``docs/import.md``):

- a person is matched by external id, then e-mail, then name (without an id or e-mail);
- a ``manager`` is found in the file or the org by external id, e-mail or name; a manager
  named only in the manager column is created as a leader (when the file carries no external
  ids, or with ``--create-unknown-people``), otherwise the row is rejected;
- a team's leader is the manager of its members. Members of one team with different managers
  (a regional office with two managers) go to one team per manager, "Office – Manager", nested
  under the office; members without a team join the team their manager leads (created as
  "Manager's team" when there is none);
- a team's parent is the team its leader belongs to (a director leads a team of leaders);
- a person who leads a team becomes a leader unless the file gives their role.

The whole file is read first, so the row order never matters, and re-importing it changes
nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ninety.ingest import convert
from ninety.ingest.validate import Block, PersonIndex, Validator, q
from ninety.people.models import Org, Person, Role, Team
from ninety.people.signals import roster_changed

ROLES = {"admin": Role.ADMIN, "leader": Role.LEADER, "manager": Role.LEADER,
         "director": Role.LEADER, "rep": Role.REP}  # fmt: skip
TRUE = {"true", "yes", "y", "1", "x"}
FALSE = {"false", "no", "n", "0", ""}
PERSON_FIELDS = ["name", "email", "role", "high_potential", "team", "hired_on", "external_id"]


@dataclass
class PersonRow:
    i: int  # the row's index in the block
    ext: str
    name: str
    email: str
    role: str | None  # None: the file does not say
    high_potential: bool | None
    hired_on: object
    manager: str
    team: str


@dataclass
class PeopleResult:
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)


def person_rows(v: Validator, block: Block) -> list[PersonRow]:
    """The block's people, each checked (e-mail, role, high potential, hire date)."""
    n = block.n

    def texts(f: str) -> list[str]:
        return block.cols[f].to_pylist() if f in block.cols else [""] * n

    role = v.values(block, "role")
    roles = role.to_pylist() if role is not None else [None] * n
    hp = v.values(block, "high_potential")
    hps = hp.to_pylist() if hp is not None else [None] * n
    hired = [None] * n
    if "hired_on" in block.cols:
        dates = v.dates(block, "hired_on", required=False)
        hired = pc.cast(dates, pa.date32()).to_pylist()
    ext, name, email = texts("external_id"), texts("name"), texts("email")
    manager, team = texts("manager"), texts("team")
    out = []
    for i in range(n):
        if not block.ok[i]:
            continue
        reason = _person_problem(email[i], roles[i], hps[i])
        if reason:
            block.reject(convert.one(n, i), reason[0], lambda x, r=reason[1]: r(x))
            continue
        out.append(
            PersonRow(
                i, ext[i], name[i], email[i],
                ROLES[roles[i]] if roles[i] else None,
                (hps[i] in TRUE) if hps[i] is not None else None,
                hired[i], manager[i], team[i],
            )
        )  # fmt: skip
    return out


def _person_problem(email: str, role: str | None, hp: str | None):  # type: ignore[no-untyped-def]
    if email and ("@" not in email or " " in email):
        return "email", lambda x: f"not an e-mail address: {q(x)}"
    if role and role not in ROLES:
        return "role", lambda x: f"unknown role {q(x)} (admin, leader or rep)"
    if hp is not None and hp not in TRUE | FALSE:
        return "high_potential", lambda x: f"not true/false: {q(x)}"
    return None


class _People:
    """The org's people, found by external id, e-mail or name, with the new ones added."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.all: list[Person] = list(Person.objects.filter(org=org))
        self.by_ext = {p.external_id.casefold(): p for p in self.all if p.external_id}
        self.by_email = {p.email.casefold(): p for p in self.all if p.email}
        self.by_name: dict[str, Person] = {}
        for p in self.all:
            self.by_name.setdefault(p.name.casefold(), p)
        #: id(person) -> the stored state, to write and count only what changed.
        self.before = {id(p): _snapshot(p) for p in self.all}

    def match(self, ext: str, email: str, name: str) -> Person | None:
        return (
            (self.by_ext.get(ext.casefold()) if ext else None)
            or (self.by_email.get(email.casefold()) if email else None)
            or (self.by_name.get(name.casefold()) if not ext and not email else None)
        )

    def add(self, p: Person) -> None:
        self.all.append(p)
        if p.external_id:
            self.by_ext[p.external_id.casefold()] = p
        if p.email:
            self.by_email[p.email.casefold()] = p
        self.by_name.setdefault(p.name.casefold(), p)


def write_people(
    org: Org, block: Block, rows: list[PersonRow], *, create_managers: bool
) -> PeopleResult:
    """Create and update the people of ``rows``, then their teams (the caller holds the
    transaction). Rows whose manager cannot be found are rejected before anything is written."""
    people = _People(org)
    persons = _identities(people, rows)
    managers = _resolve_managers(people, block, rows, persons, create_managers)
    ro = _Roster(org, people, [r for r in rows if block.ok[r.i]], persons, managers)
    _save_people(ro)
    _place_in_teams(ro)
    roster_changed.send(sender=Person, org_id=org.pk)
    return ro.result


@dataclass
class _Roster:
    """One people import under way: the rows kept, each row's person and manager."""

    org: Org
    people: _People
    rows: list[PersonRow]
    persons: dict[int, Person]  # row index -> person
    managers: dict[int, Person]  # row index -> the row's manager
    result: PeopleResult = field(default_factory=PeopleResult)


def _snapshot(p: Person) -> tuple:
    return tuple(getattr(p, f if f != "team" else "team_id") for f in PERSON_FIELDS)


def _identities(people: _People, rows: list[PersonRow]) -> dict[int, Person]:
    """Row index -> its person: a stored one, or a new (unsaved) one shared by repeated rows."""
    persons: dict[int, Person] = {}
    for r in rows:
        p = people.match(r.ext, r.email, r.name)
        if p is None:
            p = Person(org=people.org, role=Role.REP, name=r.name, email=r.email,
                       external_id=r.ext)  # fmt: skip
            people.add(p)
        persons[r.i] = p
    return persons


def _resolve_managers(
    people: _People,
    block: Block,
    rows: list[PersonRow],
    persons: dict[int, Person],
    create: bool,
) -> dict[int, Person]:
    """Row index -> the row's manager (a new leader when allowed); bad rows are rejected."""
    index = PersonIndex([(k, p.external_id, p.email, p.name) for k, p in enumerate(people.all)])
    made: dict[str, Person] = {}
    out: dict[int, Person] = {}
    for r in rows:
        if not r.manager:
            continue
        k = index.get(r.manager)
        reason = None
        if k is None and create:
            boss = made.get(r.manager.casefold())
            if boss is None:
                boss = made[r.manager.casefold()] = _new_person(people.org, r.manager, Role.LEADER)
        elif k is None:
            reason = (
                f"unknown manager {q(r.manager)}: not in the file or the org "
                "(--create-unknown-people creates managers named only in this column)"
            )
        elif k == -1:
            reason = f"ambiguous manager {q(r.manager)}: several people have this name"
        else:
            boss = people.all[k]
            if boss is persons[r.i]:
                reason = f"{q(r.manager)} cannot be their own manager"
        if reason:
            block.reject(convert.one(block.n, r.i), "manager", lambda x, why=reason: why)
        else:
            out[r.i] = boss
    return out


def _save_people(ro: _Roster) -> None:
    """Apply each row to its person; create the new people and the managers they name."""
    people, rows, persons, result = ro.people, ro.rows, ro.persons, ro.result
    for r in rows:
        p = persons[r.i]
        p.name, p.email = r.name, r.email or p.email
        p.external_id = r.ext or p.external_id
        if r.role is not None:
            p.role = r.role
        if r.high_potential is not None:
            p.high_potential = r.high_potential
        if r.hired_on is not None:
            p.hired_on = r.hired_on
    new = list({id(persons[r.i]): persons[r.i] for r in rows if persons[r.i].pk is None}.values())
    bosses = [m for m in {id(m): m for m in ro.managers.values()}.values() if m.pk is None]
    bosses = [m for m in bosses if not any(m is p for p in new)]
    Person.objects.bulk_create(new + bosses)
    people.all = [p for p in people.all if p.pk is not None] + bosses
    result.created = len(new)
    if bosses:
        names = ", ".join(p.name for p in bosses[:6]) + (", …" if len(bosses) > 6 else "")
        plural = "s" if len(bosses) != 1 else ""
        result.notes.append(f"{len(bosses)} manager{plural} created as leaders ({names})")


def _new_person(org: Org, value: str, role: str) -> Person:
    """A person known only by a name or an e-mail address in a cell."""
    is_email = "@" in value
    name = value.split("@")[0].replace(".", " ").title() if is_email else value
    return Person(org=org, name=name, email=value if is_email else "", role=role)


def create_reps(org: Org, values: list[str]) -> None:
    """``--create-unknown-people`` for activities, deals and quotas: a rep per unknown value."""
    Person.objects.bulk_create([_new_person(org, v, Role.REP) for v in values])


def _place_in_teams(ro: _Roster) -> None:
    """Team membership, leaders and nesting from the rows' teams and managers."""
    org, people, result = ro.org, ro.people, ro.result
    plan = _team_plan(ro)
    teams = {t.name: t for t in Team.objects.filter(org=org)}
    missing = [name for name in plan.team_names() if name not in teams]
    made = Team.objects.bulk_create([Team(org=org, name=name) for name in missing])
    teams.update({t.name: t for t in made})
    if made:
        result.notes.append(f"{len(made)} team{'s' if len(made) != 1 else ''} created")
    for person, team_name in plan.member_of.items():
        person.team = teams[team_name]
    promoted = 0
    for leader in {id(p): p for p in plan.leader_of.values()}.values():
        if leader.role == Role.REP and not plan.role_given.get(id(leader)):
            leader.role = Role.LEADER
            promoted += 1
    if promoted:
        result.notes.append(f"{promoted} people who lead a team made leaders")
    changed = [p for p in people.all if people.before.get(id(p), ()) != _snapshot(p)]
    if changed:
        Person.objects.bulk_update(changed, PERSON_FIELDS)
    # Updated: the file's people stored before (new ones are created, managers a note).
    in_file = {id(ro.persons[r.i]) for r in ro.rows}
    result.updated = sum(1 for p in changed if id(p) in people.before and id(p) in in_file)
    _set_leaders(teams, plan)


def _set_leaders(teams: dict[str, Team], plan: _TeamPlan) -> None:
    by_member = {id(p): name for p, name in plan.member_of.items()}
    for name, leader in plan.leader_of.items():
        team = teams[name]
        parent_name = by_member.get(id(leader))
        parent = teams[parent_name].pk if parent_name else leader.team_id
        parent = parent if parent != team.pk else None
        if team.leader_id != leader.pk or team.parent_id != parent:
            Team.objects.filter(pk=team.pk).update(leader_id=leader.pk, parent_id=parent)


@dataclass
class _TeamPlan:
    member_of: dict[Person, str] = field(default_factory=dict)  # person -> team name
    leader_of: dict[str, Person] = field(default_factory=dict)  # team name -> leader
    role_given: dict[int, bool] = field(default_factory=dict)

    def team_names(self) -> list[str]:
        return list(dict.fromkeys([*self.member_of.values(), *self.leader_of]))


def _team_plan(ro: _Roster) -> _TeamPlan:
    rows, persons, managers = ro.rows, ro.persons, ro.managers
    plan = _TeamPlan()
    for r in rows:
        plan.role_given[id(persons[r.i])] = r.role is not None
    by_team: dict[str, list[PersonRow]] = defaultdict(list)
    for r in rows:
        if r.team:
            by_team[r.team].append(r)
    for team, members in by_team.items():
        bosses = Counter(managers[r.i].pk for r in members if r.i in managers)
        split = len(bosses) > 1
        for r in members:
            boss = managers.get(r.i)
            if split and boss is not None:
                sub = f"{team} – {boss.name}"
                plan.member_of[persons[r.i]] = sub
                plan.leader_of[sub] = boss
                if not any(persons[x.i] is boss and x.team for x in rows):
                    plan.member_of.setdefault(boss, team)  # the manager works in the office
            else:
                plan.member_of[persons[r.i]] = team
                if boss is not None:
                    plan.leader_of[team] = boss
    _teams_of_teamless(ro, plan)
    return plan


def _teams_of_teamless(ro: _Roster, plan: _TeamPlan) -> None:
    """A member without a team joins the team their manager leads (or "Manager's team")."""
    led = {id(p): name for name, p in plan.leader_of.items()}
    stored = dict(
        Team.objects.filter(org=ro.org, leader__isnull=False)
        .order_by("-pk")
        .values_list("leader_id", "name")
    )
    for r in ro.rows:
        boss = ro.managers.get(r.i)
        if r.team or boss is None:
            continue
        name = led.get(id(boss)) or stored.get(boss.pk) or f"{boss.name}'s team"
        plan.member_of[ro.persons[r.i]] = name
        plan.leader_of.setdefault(name, boss)
        led[id(boss)] = name
