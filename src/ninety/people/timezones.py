"""Time zones: an org default and a per-person zone; pages show times in the viewer's zone."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from ninety.people.models import Org, Person

UTC_NAME = "UTC"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The IANA zones a person may choose, sorted (Region/City names and UTC)."""
    names = {
        n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
    }
    return tuple(sorted(names | {UTC_NAME}))


def check_zone(name: str) -> str:
    """``name`` if it is a zone Ninety offers, else a ValueError naming the field."""
    name = name.strip()
    if name not in zone_names():
        raise ValueError(f"time zone: “{name}” is not an IANA zone such as Europe/Berlin")
    return name


def zone_name(person: Person | None, org: Org | None = None) -> str:
    """The person's own zone, else their org's default, else UTC."""
    if person is not None and person.time_zone:
        return person.time_zone
    org = org or (person.org if person is not None else None)
    return (org.time_zone if org is not None else "") or UTC_NAME


def zone_of(person: Person | None, org: Org | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(zone_name(person, org))
    except (ValueError, KeyError):  # a zone removed from the system's tz database since
        return ZoneInfo(UTC_NAME)


def set_person_zone(person: Person, name: str) -> None:
    """'' returns the person to the org's default."""
    person.time_zone = check_zone(name) if name.strip() else ""
    person.save(update_fields=["time_zone"])


def set_org_zone(org: Org, name: str) -> None:
    org.time_zone = check_zone(name)
    org.save(update_fields=["time_zone"])
