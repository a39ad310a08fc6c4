"""HTMX helpers: one URL, two renderings (NetBox utilities/htmx.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def is_partial(request: HttpRequest) -> bool:
    """True for HTMX requests that target part of a page (not boosted full-page navigations)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def hx_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
