"""Tags that draw a ``Listing`` (``people.listing``): sortable headers, sort links, filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ninety.people.listing import Listing

register = template.Library()


@register.simple_tag
def sort_th(listing: Listing, key: str, css: str = "", title: str = "") -> SafeString:
    """A column header that sorts by ``key``: a link keeping the other parameters, aria-sort
    (``title``: the column's explanation, as a plain header would carry it)."""
    h = listing.header(key)
    return format_html(
        '<th scope="col" class="sortable {}" aria-sort="{}"{}><a href="{}" data-sort="{}">{}'
        '<span class="sort-arrow" aria-hidden="true">{}</span></a></th>',
        css, h.aria_sort, format_html(' title="{}"', title) if title else "", h.url, h.key,
        h.label, h.arrow,
    )  # fmt: skip


@register.inclusion_tag("_list_sort.html")
def sort_links(listing: Listing) -> dict[str, Any]:
    """The same links for a list that is not a table."""
    return {"listing": listing}


@register.inclusion_tag("_list_filter.html")
def list_filter(listing: Listing, label: str = "") -> dict[str, Any]:
    return {"listing": listing, "label": label or listing.spec.search_label}
