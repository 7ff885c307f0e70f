"""Sort and filter for every list page, done once: ``?sort=`` and ``?q=`` plus simple filters.

A page describes its list with a ``ListSpec`` (the sortable columns, the default order, the
fields ``q`` looks in, the filters and their choices; no default keeps the order the page
computed, as a ranking) and calls ``listing(request, items, spec)``
on what the viewer may already see (a queryset from the permission gate, or rows built from
one). Sorting and filtering only reorder and narrow those items, never widen them. A sort key
that is not whitelisted, or a filter value outside its choices, is ignored (the default order,
no filter), never an error. Empty values sort last in both directions, on SQLite and PostgreSQL
alike.

Templates draw the headers with ``{% sort_th list "key" %}`` (a link that keeps the other query
parameters and flips the direction; the current column carries ``aria-sort``), a list that is not
a table with ``{% sort_links list %}``, and the filter box with ``{% list_filter list %}``
(``ninety.people.templatetags.listing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, QueryDict

# Query parameters a new sort or filter drops: the page number of the old order.
RESETS = ("page", "offset")


@dataclass(frozen=True)
class Sort:
    label: str
    keys: tuple[str, ...]  # ORM paths for a queryset, dotted attributes or keys for rows


@dataclass(frozen=True)
class Filter:
    label: str
    field: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); a page may pass its own
    values: Mapping[str, Any] = field(default_factory=dict)  # a choice's lookup value, if not it


@dataclass(frozen=True)
class ListSpec:
    sorts: Mapping[str, Sort]
    default: str  # a key of ``sorts``, with ``-`` for descending; "" keeps the order given
    search: tuple[str, ...] = ()
    filters: Mapping[str, Filter] = field(default_factory=dict)
    prefix: str = ""  # for a second list on the same page: ``tasks_sort``, ``tasks_q``
    search_label: str = "Filter"

    def param(self, name: str) -> str:
        return f"{self.prefix}{name}"


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.aria_sort, "")


@dataclass(frozen=True)
class Choice:
    param: str
    label: str
    options: tuple[tuple[str, str], ...]
    chosen: str


@dataclass
class Listing:
    """One list as the viewer asked for it: its items and what the template draws around them."""

    items: Any  # a (sliced) queryset, or a list of rows
    spec: ListSpec
    sort: str
    q: str
    chosen: dict[str, str]
    query: QueryDict
    choices: dict[str, tuple[tuple[str, str], ...]]

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.chosen)

    def url_with(self, **params: str | None) -> str:
        query = self.query.copy()
        for name in RESETS:
            query.pop(name, None)
        for name, value in params.items():
            query.pop(name, None)
            if value:
                query[name] = value
        return f"?{query.urlencode()}" if query else "?"

    @property
    def query_without_page(self) -> str:
        """``?…&`` with every parameter but the page: a pager appends ``page=N``."""
        url = self.url_with()
        return url if url == "?" else f"{url}&"

    @property
    def clear_url(self) -> str:
        own = [self.spec.param("q"), *(self.spec.param(n) for n in self.spec.filters)]
        return self.url_with(**dict.fromkeys(own))

    def header(self, key: str) -> Header:
        sort = self.spec.sorts[key]
        current = self.sort.lstrip("-") == key
        descending = self.sort.startswith("-")
        aria = ("descending" if descending else "ascending") if current else "none"
        flip = key if current and descending else f"-{key}" if current else key
        return Header(key, sort.label, self.url_with(**{self.spec.param("sort"): flip}), aria)

    @property
    def headers(self) -> list[Header]:
        return [self.header(key) for key in self.spec.sorts]

    @property
    def filter_boxes(self) -> list[Choice]:
        return [
            Choice(self.spec.param(name), f.label, self.choices[name], self.chosen.get(name, ""))
            for name, f in self.spec.filters.items()
        ]

    @property
    def kept(self) -> list[tuple[str, str]]:
        """The query parameters the filter form carries along unchanged (period, team, sort)."""
        own = {self.spec.param("q"), *RESETS, *(self.spec.param(n) for n in self.spec.filters)}
        return [(k, v) for k, values in self.query.lists() if k not in own for v in values]


def _chosen_sort(request: HttpRequest, spec: ListSpec) -> str:
    asked = request.GET.get(spec.param("sort"), "")
    return asked if asked.lstrip("-") in spec.sorts and asked.count("-") <= 1 else spec.default


def _value(item: Any, path: str) -> Any:
    for part in path.split("."):
        if item is None:
            return None
        item = item.get(part) if isinstance(item, Mapping) else getattr(item, part, None)
    return item() if callable(item) else item


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _sort_rows(rows: Sequence[Any], keys: tuple[str, ...], descending: bool) -> list[Any]:
    out = list(rows)
    for key in reversed(keys):  # stable sorts, last key first: the first key decides
        present = [r for r in out if _value(r, key) is not None]
        missing = [r for r in out if _value(r, key) is None]
        present.sort(key=lambda r: _comparable(_value(r, key)), reverse=descending)
        out = present + missing
    return out


def _order_queryset(qs: QuerySet[Any], keys: tuple[str, ...], descending: bool) -> QuerySet[Any]:
    order = [
        F(k).desc(nulls_last=True) if descending else F(k).asc(nulls_last=True)
        for k in (*keys, "pk")
    ]
    return qs.order_by(*order)


def _search(items: Any, fields: tuple[str, ...], q: str) -> Any:
    if isinstance(items, QuerySet):
        match = Q()
        for f in fields:
            match |= Q(**{f"{f}__icontains": q})
        return items.filter(match)
    needle = q.casefold()
    return [r for r in items if any(needle in str(_value(r, f) or "").casefold() for f in fields)]


def _narrow(items: Any, path: str, value: Any) -> Any:
    if isinstance(items, QuerySet):
        return items.filter(**{path: value})
    return [r for r in items if str(_value(r, path)) == str(value)]


def listing(
    request: HttpRequest,
    items: QuerySet[Any] | Iterable[Any],
    spec: ListSpec,
    choices: Mapping[str, Iterable[tuple[Any, str]]] | None = None,
    limit: int | None = None,
) -> Listing:
    """``items`` sorted and narrowed as the request asks, within what ``spec`` allows (the
    first ``limit`` of them when given)."""
    options = {
        name: tuple((str(v), label) for v, label in (choices or {}).get(name, f.choices))
        for name, f in spec.filters.items()
    }
    rows: Any = items if isinstance(items, QuerySet) else list(items)
    q = request.GET.get(spec.param("q"), "").strip()[:200]
    if q and spec.search:
        rows = _search(rows, spec.search, q)
    chosen: dict[str, str] = {}
    for name, f in spec.filters.items():
        value = request.GET.get(spec.param(name), "")
        if value and value in dict(options[name]):
            chosen[name] = value
            rows = _narrow(rows, f.field, f.values.get(value, value))
    sort = _chosen_sort(request, spec)
    ordered = rows  # no sort asked and no default: as the page computed them
    if sort:
        keys, descending = spec.sorts[sort.lstrip("-")].keys, sort.startswith("-")
        ordered = (
            _order_queryset(rows, keys, descending)
            if isinstance(rows, QuerySet)
            else _sort_rows(rows, keys, descending)
        )
    return Listing(
        items=ordered[:limit] if limit is not None else ordered,
        spec=spec,
        sort=sort,
        q=q if spec.search else "",
        chosen=chosen,
        query=request.GET,
        choices=options,
    )
