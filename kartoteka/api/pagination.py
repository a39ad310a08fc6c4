"""Page-number pagination with a capped count (an exact count of a million rows is not worth its time)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema

from kartoteka.core.views.generic import COUNT_CAP, capped_count


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


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
