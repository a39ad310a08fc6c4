"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

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
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            bind(actor=user, source=Source.API)
            return user
        return None
