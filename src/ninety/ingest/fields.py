"""The canonical fields of each import kind: the simulator's headers, what mappings target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    required: bool = False
    #: Free text stored as given: checked for spreadsheet-formula injection.
    text: bool = False


KINDS: dict[str, tuple[Field, ...]] = {
    "people": (
        Field("external_id", text=True),
        Field("name", required=True, text=True),
        Field("email", text=True),
        Field("role"),
        Field("manager", text=True),
        Field("team", text=True),
        Field("high_potential"),
        Field("hired_on"),
    ),
    "activities": (
        Field("external_id", text=True),
        Field("person", required=True, text=True),
        Field("occurred_at", required=True),
        Field("type", required=True, text=True),
        Field("deal", text=True),
        Field("way", text=True),
        Field("duration_seconds"),
        Field("outcome", text=True),
    ),
    "deals": (
        Field("external_id", text=True),
        Field("owner", required=True, text=True),
        Field("account", text=True),
        Field("product", text=True),
        Field("stage", text=True),
        Field("value"),
        Field("opened_at", required=True),
        Field("closed_at"),
        Field("expected_close_at"),
        Field("status"),
    ),
    "quotas": (
        Field("person", required=True, text=True),
        Field("period", required=True),
        Field("amount", required=True),
    ),
}


def field_names(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in KINDS[kind])


#: How many column names a message lists (a file may have thousands of columns).
LISTED_NAMES = 20


def listed(names: list[str] | tuple[str, ...], limit: int = LISTED_NAMES) -> str:
    """``a, b, c`` — the first ``limit`` names, then "… and N more"."""
    shown = ", ".join(names[:limit])
    return f"{shown} … and {len(names) - limit:,} more" if len(names) > limit else shown
