"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF).

A session counts only once it is fully logged in: a user with two-factor login (their own choice or the
policy's) must have entered the code in it, else 401. A Bearer token is a credential of its own and is not
asked for a code: it can only be made from a fully logged-in session or by an operator (`kartoteka token`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from kartoteka.accounts import two_factor
from kartoteka.accounts.services import user_for_token
from kartoteka.audit.choices import Source
from kartoteka.audit.context import bind


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        bind(actor=user, source=Source.API)
        return user


class ActiveSessionAuth(SessionAuth):
    """The login session. CSRF is checked only once a session user is found: ninja checks it first, so a
    request without any credentials got 403 "CSRF check failed" on POST/PATCH/DELETE instead of 401."""

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if two_factor.status(request) in two_factor.OWES_SECOND_FACTOR:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        bind(actor=user, source=Source.API)
        return user
