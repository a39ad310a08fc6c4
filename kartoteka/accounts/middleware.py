from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django_htmx.http import HttpResponseClientRedirect

from kartoteka.accounts import two_factor

LAST_SEEN_KEY = "kartoteka_last_seen"
# Refresh the stored timestamp at most this often, so an active user costs one session write a minute.
TOUCH_EVERY_SECONDS = 60


class UserLanguageMiddleware:
    """The user's profile language wins over the browser's; runs after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


class IdleTimeoutMiddleware:
    """Log a browser session out after SESSION_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
            elif now - last_seen >= TOUCH_EVERY_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


ALWAYS_OPEN = frozenset({"accounts:logout", "set_language"})


class TwoFactorMiddleware:
    """After the password step, a user with an authenticator app must enter a code, and a user whom the policy
    requires to have one must set it up, before any other page opens (runs after OTPMiddleware).

    The API is left to its session authentication, which answers 401 to such a session (api/auth.py); Bearer
    tokens are separate credentials and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        step = two_factor.STEP_VIEWS.get(two_factor.status(request))
        match = request.resolver_match
        if step is None or match is None or match.namespaces[:1] == ["api"]:
            return None
        if match.view_name == step or match.view_name in ALWAYS_OPEN:
            return None
        target = two_factor.step_url(request, request.get_full_path())
        return HttpResponseClientRedirect(target) if request.headers.get("HX-Request") else redirect(target)
