"""Shared test helpers."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

__all__ = ["count_queries"]


def count_queries(client: Any, url: str) -> int:
    """The queries one successful GET of `url` runs: pin them, so an N+1 regression fails."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)
