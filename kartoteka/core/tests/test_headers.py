"""Gate 5 (issue 3): security headers on every answer, no-store on personal data, HSTS in production mode.

Every route of the access matrix (test_route_matrix) is requested by every role with each of its methods, so
a new page is checked as soon as it has a matrix entry, whatever its status (200, a redirect, 404, 405).
`check --deploy` is tested in test_settings.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from kartoteka.conftest import api_client_for, client_for
from kartoteka.core.middleware import NoStoreForSignedInMiddleware
from kartoteka.core.tests.test_route_matrix import (
    API_OPERATIONS,
    HTML_ROUTES,
    build_world,
    schema_operations,
)
from kartoteka.core.tests.test_settings import random_secret_key, run_kartoteka

CSP_REQUIRED = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
    "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'",
}
# Headers do not depend on the role, no-store does: a visitor, a role refused most records (404s) and one allowed
# everything (200s and redirects) meet every kind of answer. The matrix itself runs all roles.
CRAWLERS = ("anonymous", "colleague", "admin")
# Answers that end the session: the user is signed out by the time the answer leaves.
SIGNS_OUT = {"accounts:logout"}


def csp_directives(response: Any) -> dict[str, str]:
    policy = response.get("Content-Security-Policy", "")
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


def html_header_problems(response: Any) -> list[str]:
    problems = []
    csp = csp_directives(response)
    wrong = {k: csp.get(k) for k, v in CSP_REQUIRED.items() if csp.get(k) != v}
    if wrong:
        problems.append(f"CSP {wrong}")
    if any("'unsafe-" in csp.get(k, "") for k in ("script-src", "style-src", "default-src")):
        problems.append(f"CSP allows unsafe sources: {csp}")
    for header, value in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                          ("Referrer-Policy", "same-origin")):
        if response.get(header) != value:
            problems.append(f"{header}: {response.get(header)!r}")
    return problems


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def world(users: dict[str, Any], make_company: Any, make_contact: Any, make_custom_field: Any) -> Any:
    return build_world(users, make_company, make_contact, make_custom_field)


@pytest.mark.parametrize("name", list(HTML_ROUTES))
def test_every_answer_of_every_route_carries_the_security_headers(name, world):
    route = HTML_ROUTES[name]
    if route.setup:
        route.setup(world)
    clients = {role: client_for(world.users[role]) for role in CRAWLERS}
    problems = []
    for method, probe in route.methods.items():
        for role in CRAWLERS:
            with transaction.atomic():
                url = route.url(name, world)
                body = probe.data(world, role) if probe.data else {}
                response = clients[role].post(url, body) if method == "POST" else clients[role].get(url)
                transaction.set_rollback(True)
            where = f"{role} {method} → {response.status_code}"
            if response.get("Content-Type", "").startswith("text/html"):
                problems += [f"{where}: {p}" for p in html_header_problems(response)]
            elif response.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{where}: no nosniff on {response.get('Content-Type')}")
            if role != "anonymous" and name not in SIGNS_OUT and not no_store(response):
                problems.append(f"{where}: a signed-in answer without no-store ({response.get('Cache-Control')!r})")

    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize("operation_id", list(API_OPERATIONS))
def test_every_api_answer_is_nosniff_and_never_stored(operation_id, world):
    route = API_OPERATIONS[operation_id]
    method, path = schema_operations()[operation_id]
    if route.setup:
        route.setup(world)
    probe = route.methods[method]
    clients = {role: api_client_for(world.users[role]) for role in CRAWLERS}
    problems = []
    for role in CRAWLERS:
        with transaction.atomic():
            args = route.args(world)
            url = path.replace("{pk}", str(args[0])) if args else path
            body = probe.data(world, role) if probe.data else None
            call = getattr(clients[role], method.lower())
            response = call(url, json.dumps(body), content_type="application/json") if body is not None else call(url)
            transaction.set_rollback(True)
        where = f"{role} {method} → {response.status_code}"
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{where}: no nosniff")
        if role != "anonymous" and not no_store(response):
            problems.append(f"{where}: an answer to a token holder without no-store")

    assert not problems, "\n".join(["", *problems])


def test_session_api_answers_are_never_stored(owner, make_company):
    make_company(owner, name="ООО Ромашка")

    response = client_for(owner).get("/api/v1/companies")

    assert response.status_code == 200
    assert no_store(response)


def test_error_pages_carry_the_security_headers(owner):
    unknown = client_for(owner).get("/no-such-page/")
    csrf_failure = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert (unknown.status_code, csrf_failure.status_code) == (404, 403)
    assert html_header_problems(unknown) == []
    assert html_header_problems(csrf_failure) == []
    assert no_store(unknown)


def test_static_files_stay_cacheable_for_signed_in_users(owner):
    response = client_for(owner).get("/static/kartoteka/app.css")

    assert response.status_code == 200
    assert not no_store(response)
    assert "public" in response["Cache-Control"]
    response.close()


def test_anonymous_public_pages_are_not_forced_to_no_store():
    """The middleware marks signed-in answers only; the login page is Django's own never_cache."""
    schema = Client().get("/api/v1/openapi.json")

    assert schema.status_code == 200
    assert not no_store(schema)


def test_a_view_that_sets_its_own_cache_control_keeps_it(owner):
    request = RequestFactory().get("/")
    request.user = owner

    def view(_request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["Cache-Control"] = "private, max-age=60"
        return response

    response = NoStoreForSignedInMiddleware(view)(request)

    assert response["Cache-Control"] == "private, max-age=60"


def test_bearer_token_answers_are_never_stored_even_when_refused():
    request = RequestFactory().get("/api/v1/companies", HTTP_AUTHORIZATION="Bearer ktk_unknown")
    request.user = type("Anonymous", (), {"is_authenticated": False})()

    response = NoStoreForSignedInMiddleware(lambda _r: HttpResponse(status=401))(request)

    assert no_store(response)


# --- production mode ---------------------------------------------------------------------------------------

HSTS = "max-age=31536000; includeSubDomains; preload"


@pytest.fixture
def production(settings: Any) -> Any:
    """What PRODUCTION=true switches on (asserted against the real settings module below)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_production_settings_switch_on_https_and_hsts(tmp_path):
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_PROXY_SSL_HEADER)")

    result = run_kartoteka("shell", "-c", code, tmp_path=tmp_path, PRODUCTION="true", SECRET_KEY=random_secret_key(),
                           ALLOWED_HOSTS="crm.example.com")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True 31536000 True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_redirects_plain_http_to_https(production):
    response = Client().get(reverse("accounts:login"))

    assert response.status_code == 301
    assert response.url == "https://testserver" + reverse("accounts:login")


@pytest.mark.parametrize("how", [{"secure": True}, {"HTTP_X_FORWARDED_PROTO": "https"}], ids=["tls", "behind proxy"])
def test_production_secure_answers_carry_hsts(how, production, owner):
    login_page = Client().get(reverse("accounts:login"), **how)
    signed_in = client_for(owner).get(reverse("contacts:company_list"), **how)
    api = api_client_for(owner).get("/api/v1/companies", **how)

    for response in (login_page, signed_in, api):
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == HSTS
    assert html_header_problems(signed_in) == []
    assert no_store(signed_in) and no_store(api)


def test_production_cookies_are_secure(production, owner):
    from kartoteka.conftest import PASSWORD

    client = Client()
    client.get(reverse("accounts:login"), secure=True)
    response = client.post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD}, secure=True)

    assert response.status_code == 302
    assert client.cookies["sessionid"]["secure"] is True
    assert client.cookies["csrftoken"]["secure"] is True
    assert client.cookies["sessionid"]["httponly"] is True
