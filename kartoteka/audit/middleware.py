from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kartoteka.audit.choices import Source
from kartoteka.audit.context import change_context


class AuditContextMiddleware:
    """Attributes changes made while serving a request to its user, as 'ui' or 'admin'.

    The API sets its own context ('api') after token authentication, which overrides this one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = Source.ADMIN if request.path.startswith("/admin/") else Source.UI
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with change_context(actor=user, source=source):
            return self.get_response(request)
