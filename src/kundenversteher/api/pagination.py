"""Limit/offset paging with a hard maximum page size (larger limits are a 422, not a surprise)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 100


class PageParams(Schema):
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0)


def paginate(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    return {
        "items": list(queryset[params.offset : params.offset + params.limit]),
        "count": queryset.count(),
        "limit": params.limit,
        "offset": params.offset,
    }
