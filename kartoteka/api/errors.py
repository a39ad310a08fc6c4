"""Service errors to HTTP, in one place. Every error body is {"detail": str, "errors": {field: [msg]}}."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.core.errors import AccessDenied, ConflictError, NotVisible


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# Sent with every 401 (see `unauthenticated` below); documented on every operation by api.KartotekaAPI.
CHALLENGE_HEADER = {"required": True, "schema": {"type": "string", "const": "Bearer"}}


def _pydantic_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "query", "path", "payload", "filters")]
        result.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "")))
    return result


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: str, errors: dict | None = None) -> HttpResponse:
        return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)

    @api.exception_handler(ValidationError)
    def service_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return respond(request, 422, _("Some fields are not valid."), errors)

    @api.exception_handler(NinjaValidationError)
    def schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, _("Some fields are not valid."), _pydantic_errors(exc.errors))

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return respond(request, 412, str(exc))

    @api.exception_handler(AccessDenied)
    def denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
        pk = request.resolver_match.kwargs.get("pk") if request.resolver_match else None
        record_denial(request, None, pk, reason=DenialReason.NOT_ALLOWED)  # audited; the path names the record
        return respond(request, 403, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        if isinstance(exc, NotVisible):  # a record lookup: audited as a denial when the record exists
            record_denial(request, exc.model, exc.pk, reason=DenialReason.NOT_VISIBLE)
        return respond(request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, _("Authentication required: send 'Authorization: Bearer <token>'."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
        """ninja's own refusals (a body that is not JSON, a failed CSRF check) in the same shape."""
        messages = {400: _("The request body is not valid JSON."), 403: _("CSRF check failed.")}
        return respond(request, exc.status_code, messages.get(exc.status_code, str(exc)))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, _("The request body is too large."))


def json_refusals(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """ninja answers a method the path does not have with an HTML 405 and its root with Django's HTML 404:
    give them the JSON error body."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, _("Not found."))
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            refusal = error_response(405, _("Method not allowed."))
            refusal["Allow"] = response["Allow"]
            return refusal
        return response

    return wrapped


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that names no endpoint: JSON, not the site's HTML page."""
    return error_response(404, _("Not found."))


def error_response(status: int, detail: str) -> HttpResponse:
    return JsonResponse({"detail": detail, "errors": {}}, status=status)
