"""Service errors to HTTP, in one place. Every error body is {"detail": str, "errors": {field: [msg]}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from kartoteka.core.errors import AccessDenied, ConflictError


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


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
        return respond(request, 403, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, _("Authentication required: send 'Authorization: Bearer <token>'."))
        response["WWW-Authenticate"] = "Bearer"
        return response
