"""Mappings: which source column feeds which canonical field, value translations, date formats.

A mapping is a small YAML file (see ``docs/import.md``)::

    kind: activities
    source: salesforce            # kept with each row; external ids are unique per source
    columns: {person: "Assigned", occurred_at: "Date", type: "Task Subtype"}
    values: {type: {"Call": dial, "Email": email}, outcome: {"Connected": connect, "*": none}}
    constants: {type: dial}       # a fixed value for a field the export has no column for
    date_format: "%m/%d/%Y %I:%M %p"   # or a list; ISO 8601 is always accepted
    timezone: America/New_York    # for date/times without an offset (default UTC)
    duration_unit: s              # s, ms, min or hms ("01:02:03")
    encoding: utf-8               # e.g. cp1252 for an old Excel export

Presets are the same YAML files shipped in ``ninety/ingest/presets/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ninety.core import safe_yaml
from ninety.ingest.fields import KINDS, field_names, listed

DURATION_UNITS = ("s", "ms", "min", "hms")
# Aliases the generic preset recognises in headers (lower-case, spaces/underscores squeezed).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {
        "external_id": ("id", "user id", "employee id", "record id"),
        "name": ("full name", "user", "rep", "employee", "sales agent", "agent", "sales rep"),
        "email": ("e-mail", "email address", "work email"),
        "role": ("title", "position"),
        "manager": ("manager name", "manager email", "reports to"),
        "team": ("team name", "group", "department", "regional office", "office", "region"),
        "high_potential": ("hipo", "high potential"),
        "hired_on": ("hire date", "start date", "hired"),
    },
    "activities": {
        "external_id": ("id", "activity id", "record id", "task id"),
        "person": ("owner", "rep", "user", "assigned", "assigned to", "activity owner", "email"),
        "occurred_at": ("date", "timestamp", "activity date", "time", "created", "date time"),
        "type": ("activity type", "kind", "event"),
        "deal": ("deal id", "opportunity", "opportunity id"),
        "way": ("way key",),
        "duration_seconds": ("duration", "seconds", "call duration"),
        "outcome": ("result", "disposition", "call result", "status"),
    },
    "deals": {
        "external_id": ("id", "deal id", "opportunity id", "record id"),
        "owner": ("owner", "rep", "deal owner", "opportunity owner"),
        "account": ("account name", "company", "customer"),
        "product": ("product name",),
        "stage": ("deal stage", "pipeline stage"),
        "value": ("amount", "deal value"),
        "opened_at": ("created", "create date", "created date", "opened"),
        "closed_at": ("close date", "closed", "closed date"),
        "status": ("state", "won/lost"),
    },
    "quotas": {
        "person": ("rep", "owner", "user", "email", "name"),
        "period": ("month",),
        "amount": ("quota", "target"),
    },
}


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the key."""


def _norm(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


@dataclass
class Mapping:
    kind: str | None = None
    name: str = "custom"
    source: str = "import"
    columns: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    date_formats: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    duration_unit: str = "s"
    encoding: str | None = None
    delimiter: str | None = None
    #: Fill unmapped fields from headers that look like them (the generic preset).
    guess: bool = False
    #: Field -> the other column lists to try, in order, when ``columns``' is not in the file
    #: (a CRM renamed a header between versions).
    alternatives: dict[str, list[list[str]]] = field(default_factory=dict)
    #: A mapped column missing from the file is left out unless its field is required
    #: (presets: an export without the optional column still imports).
    optional_columns: bool = False
    decimal: str = "."
    defaults: dict[str, str] = field(default_factory=dict)
    keep: dict[str, list[str]] = field(default_factory=dict)
    skip_future: bool = False
    #: Source columns that identify a row without an external id (default: every mapped one).
    key_columns: list[str] = field(default_factory=list)

    def resolve_columns(self, kind: str, headers: list[str]) -> dict[str, list[str]]:
        """Field -> the source columns (as spelled in the file) that feed it.

        Explicit ``columns`` win (the first of their alternatives the file has); a canonical
        header is taken as itself unless the mapping already reads that column for another
        field; with ``guess`` the aliases fill the rest. A mapped column missing from the
        file raises, unless ``optional_columns`` and the field is not required.
        """
        by_norm = {_norm(h): h for h in headers}
        required = {f.name for f in KINDS[kind] if f.required}
        out: dict[str, list[str]] = {}
        for f in field_names(kind):
            if f in self.columns:
                srcs = self._pick(f, by_norm, headers, required)
                if srcs:
                    out[f] = srcs
        explicit = {c for cols in out.values() for c in cols}
        for f in field_names(kind):
            if f in out or f in self.columns:
                continue
            got = by_norm.get(_norm(f))
            if got is not None and got not in explicit:
                out[f] = [got]
            elif self.guess:
                taken = {c for cols in out.values() for c in cols}
                for alias in ALIASES.get(kind, {}).get(f, ()):
                    got = by_norm.get(alias)
                    if got is not None and got not in taken:
                        out[f] = [got]
                        break
        return out

    def _pick(
        self, f: str, by_norm: dict[str, str], headers: list[str], required: set[str]
    ) -> list[str]:
        options = [self.columns[f], *self.alternatives.get(f, [])]
        for option in options:
            found = [by_norm[_norm(c)] for c in option if _norm(c) in by_norm]
            if len(found) == len(option) or (found and self.optional_columns):
                return found
        if self.optional_columns and (f not in required or f in self.constants):
            return []
        want = " or ".join(f"'{' + '.join(o)}'" for o in options)
        raise MappingError(
            f"column {want} (for {f}) is not in the file; its columns are: {listed(headers)}"
        )

    def patterns(self, f: str) -> list[tuple[str, str]]:
        """The ``re:`` keys of a value map: (regular expression, value), tried in order."""
        return [(k[3:], str(v)) for k, v in self.values.get(f, {}).items() if k.startswith("re:")]

    def value_map(self, f: str) -> dict[str, str]:
        return {
            k.strip().casefold(): str(v)
            for k, v in self.values.get(f, {}).items()
            if not k.startswith("re:")
        }

    def to_yaml(self) -> str:
        data: dict[str, Any] = {"source": self.source}
        if self.kind:
            data["kind"] = self.kind
        data["columns"] = {k: v[0] if len(v) == 1 else v for k, v in self.columns.items()}
        if self.values:
            data["values"] = self.values
        if self.constants:
            data["constants"] = self.constants
        if self.date_formats:
            data["date_format"] = (
                self.date_formats[0] if len(self.date_formats) == 1 else self.date_formats
            )
        if self.timezone != "UTC":
            data["timezone"] = self.timezone
        if self.duration_unit != "s":
            data["duration_unit"] = self.duration_unit
        if self.decimal != ".":
            data["decimal"] = self.decimal
        if self.defaults:
            data["defaults"] = self.defaults
        if self.keep:
            data["keep"] = self.keep
        if self.skip_future:
            data["skip_future"] = True
        if self.optional_columns:
            data["optional_columns"] = True
        if self.key_columns:
            data["key_columns"] = self.key_columns
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _parse_columns(
    raw: dict[str, Any], kind: str | None
) -> tuple[dict[str, list[str]], dict[str, list[list[str]]]]:
    """``columns:`` -> (field -> columns, field -> the alternatives after the first)."""
    columns: dict[str, list[str]] = {}
    alternatives: dict[str, list[list[str]]] = {}
    for f, src in raw.items():
        if kind and f not in field_names(kind):
            raise MappingError(f"mapping: '{f}' is not a field of {kind}")
        options = src["any"] if isinstance(src, dict) and "any" in src else [src]
        if isinstance(src, dict) and set(src) != {"any"}:
            raise MappingError(f"mapping: columns.{f} takes a column, a list or {{any: [...]}}")
        parsed = []
        for option in options if isinstance(options, list) else [options]:
            srcs = option if isinstance(option, list) else [option]
            if not srcs or not all(isinstance(s, str) and s for s in srcs):
                raise MappingError(f"mapping: columns.{f} must be a column name or a list of them")
            parsed.append([str(s) for s in srcs])
        if not parsed:
            raise MappingError(f"mapping: columns.{f}.any lists no column")
        columns[str(f)] = parsed[0]
        if parsed[1:]:
            alternatives[str(f)] = parsed[1:]
    return columns, alternatives


def mapping_from_dict(data: Any, *, name: str = "custom") -> Mapping:
    """Build a :class:`Mapping` from parsed YAML, checking every key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError("mapping: expected a YAML mapping at the top level")
    known = {
        "kind", "name", "source", "columns", "values", "constants", "date_format",
        "timezone", "duration_unit", "encoding", "delimiter", "guess", "description",
        "optional_columns", "decimal", "defaults", "keep", "skip_future", "key_columns",
    }  # fmt: skip
    unknown = set(data) - known
    if unknown:
        raise MappingError(f"mapping: unknown key(s) {', '.join(sorted(unknown))}")
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise MappingError(f"mapping: kind '{kind}' is not one of {', '.join(KINDS)}")
    columns, alternatives = _parse_columns(data.get("columns") or {}, kind)
    for f, table in (data.get("values") or {}).items():
        for k in table or {}:
            if str(k).startswith("re:"):
                try:
                    re.compile(str(k)[3:])
                except re.error as exc:
                    raise MappingError(f"mapping: values.{f}: bad pattern {k!r}: {exc}") from exc
    decimal = str(data.get("decimal") or ".")
    if decimal not in (".", ","):
        raise MappingError("mapping: decimal must be '.' or ','")
    keep: dict[str, list[str]] = {}
    for column, allowed in (data.get("keep") or {}).items():
        allowed = allowed if isinstance(allowed, list) else [allowed]
        keep[str(column)] = ["" if a is None else str(a) for a in allowed]
    values: dict[str, dict[str, str]] = {}
    for f, table in (data.get("values") or {}).items():
        if not isinstance(table, dict):
            raise MappingError(f"mapping: values.{f} must map source values to Ninety values")
        values[str(f)] = {str(k): "" if v is None else str(v) for k, v in table.items()}
    formats = data.get("date_format") or []
    formats = [formats] if isinstance(formats, str) else list(formats)
    for fmt in formats:
        if not isinstance(fmt, str) or "%" not in fmt:
            raise MappingError(f"mapping: date_format {fmt!r} is not a strftime format")
    tz = str(data.get("timezone") or "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(f"mapping: unknown timezone '{tz}'") from exc
    unit = str(data.get("duration_unit") or "s")
    if unit not in DURATION_UNITS:
        raise MappingError(f"mapping: duration_unit must be one of {', '.join(DURATION_UNITS)}")
    source = str(data.get("source") or "import")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,39}", source):
        raise MappingError("mapping: source must be a short lower-case word (a-z, 0-9, . _ -)")
    return Mapping(
        kind=kind,
        name=str(data.get("name") or name),
        source=source,
        columns=columns,
        values=values,
        constants={str(k): str(v) for k, v in (data.get("constants") or {}).items()},
        date_formats=formats,
        timezone=tz,
        duration_unit=unit,
        encoding=data.get("encoding"),
        delimiter=data.get("delimiter"),
        guess=bool(data.get("guess", False)),
        alternatives=alternatives,
        optional_columns=bool(data.get("optional_columns", False)),
        decimal=decimal,
        defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
        keep=keep,
        skip_future=bool(data.get("skip_future", False)),
        key_columns=[str(c) for c in (data.get("key_columns") or [])],
    )


def load_mapping(path: Path) -> Mapping:
    try:
        data = safe_yaml.load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    return mapping_from_dict(data, name=Path(path).stem)


def parse_mapping_text(text: str) -> Mapping:
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping: not valid YAML: {exc}") from exc
    return mapping_from_dict(data)


def preset_names() -> list[str]:
    folder = resources.files("ninety.ingest.presets")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_preset(name: str, kind: str | None = None) -> Mapping:
    """A shipped preset by name: ``NAME`` or ``NAME-KIND`` (``--preset pipedrive`` + deals)."""
    names = preset_names()
    candidates = [name, f"{name}-{kind}"] if kind else [name]
    for cand in candidates:
        if cand in names:
            text = resources.files("ninety.ingest.presets").joinpath(f"{cand}.yaml").read_text()
            mapping = mapping_from_dict(safe_yaml.load(text), name=cand)
            if kind and mapping.kind and mapping.kind != kind:
                raise MappingError(f"preset '{cand}' is for {mapping.kind}, not {kind}")
            return mapping
    raise MappingError(f"unknown preset '{name}'; presets: {', '.join(names)}")


def suggest_preset(kind: str, headers: list[str]) -> Mapping:
    """The preset whose columns best match ``headers`` (the generic one when none fits)."""
    normed = {_norm(h) for h in headers}
    best, best_score = load_preset("generic"), 0.0
    if {_norm(x.name) for x in KINDS[kind] if x.required} <= normed:
        best_score = 0.5
    for name in preset_names():
        if name in ("generic",):
            continue
        m = load_preset(name)
        if m.kind not in (None, kind) or not m.columns:
            continue
        wanted = {_norm(c) for cols in m.columns.values() for c in cols}
        alts = {_norm(c) for opts in m.alternatives.values() for o in opts for c in o}
        score = len((wanted | alts) & normed) / len(wanted)
        if score > best_score:
            best, best_score = m, score
    return best
