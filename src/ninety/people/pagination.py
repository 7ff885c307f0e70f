"""One page scheme for every API list: ``?limit=&offset=``, the total count, next and previous.

Every list endpoint answers ``{"count", "next", "previous", "items"}``. ``limit`` defaults to
``DEFAULT_LIMIT`` (large enough that a team's people, one-on-ones or tasks come in one page)
and may be at most ``MAX_LIMIT``; a larger one is a 422, written into the OpenAPI schema. ``next``
and ``previous`` are absolute URLs with every other query parameter kept, or null at an end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_OFFSET = 10**9


class PageIn(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip from the first")


class PageOut(Schema):
    count: int = Field(description="items in the whole list")
    next: str | None = Field(description="the next page, or null on the last")
    previous: str | None = Field(description="the previous page, or null on the first")
    items: list[Any]


@dataclass(frozen=True)
class Mapped:
    """A queryset or list whose page is shaped item by item only once it is cut."""

    source: QuerySet[Any] | Sequence[Any]
    shape: Callable[[Any], Any]

    def count(self) -> int:
        return self.source.count() if isinstance(self.source, QuerySet) else len(self.source)

    def __getitem__(self, cut: slice) -> list[Any]:
        return [self.shape(item) for item in self.source[cut]]


def _total(items: Any) -> int:
    return items.count() if isinstance(items, QuerySet | Mapped) else len(items)


def _link(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(request: HttpRequest, items: Any, limit: int, offset: int) -> dict[str, Any]:
    """The page ``[offset, offset + limit)`` of ``items`` with the total and both links."""
    count = _total(items)
    end = offset + limit
    return {
        "count": count,
        "next": _link(request, end, limit) if end < count else None,
        "previous": _link(request, max(0, offset - limit), limit) if offset > 0 else None,
        "items": list(items[offset:end]),
    }


class Page(PaginationBase):
    """django-ninja's paginator for ``PageIn``: the schema shows the parameters and the envelope."""

    Input = PageIn

    Output = PageOut

    def paginate_queryset(
        self, queryset: Any, pagination: PageIn, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        return page_of(request, queryset, pagination.limit, pagination.offset)


paged = paginate(Page)
