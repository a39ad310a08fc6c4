"""Page-number pagination with a capped count (an exact count of a million rows is not worth its time)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

from kartoteka.core.views.generic import COUNT_CAP, capped_count

MAX_PAGE = 100_000  # page x page size stays an offset every database takes


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=100)


class Page(Schema):
    page: int
    page_size: int
    has_next: bool
    count: int
    count_is_capped: bool
    count_cap: int


def page_of(item: type[Schema], name: str) -> type[Page]:
    """The page schema of one item type, under its own component name ("CompanyPage"): classes defined
    in a loop or factory would all be called "PageOut" and share one OpenAPI component, the last one."""
    return create_model(name, __base__=Page, items=(list[item], ...))  # type: ignore[valid-type]


def paginate(qs: QuerySet, *, page: int, page_size: int) -> dict[str, Any]:
    page = max(page, 1)
    page_size = min(max(page_size, 1), settings.API_MAX_PAGE_SIZE)
    offset = (page - 1) * page_size
    rows = list(qs[offset : offset + page_size + 1])
    count, more = capped_count(qs)
    return {
        "items": rows[:page_size],
        "page": page,
        "page_size": page_size,
        "has_next": len(rows) > page_size,
        "count": count,
        "count_is_capped": more,
        "count_cap": COUNT_CAP,
    }
