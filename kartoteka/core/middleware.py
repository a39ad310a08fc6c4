"""Response headers that Django's SecurityMiddleware and django-csp leave to the project."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Pages and API answers for a signed-in user (session or Bearer token) carry client data: no browser or
    proxy cache may keep a copy (`Cache-Control: no-store`). A view that sets its own Cache-Control keeps it.

    Runs after AuthenticationMiddleware; static files are served by WhiteNoise before any of this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: the API's token authentication sets request.user inside it.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
