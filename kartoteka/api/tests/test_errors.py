"""Every refusal under /api/v1 is JSON in the one error shape, with a status the schema documents.

Each case here is a bug the contract gate (test_contract.py) found: ninja's and Django's own answers in HTML
or without `errors`, a 500 for an id beyond bigint or for text PostgreSQL cannot store, a CSRF 403 where
401 is promised.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kartoteka.conftest import api_client_for
from kartoteka.contacts.models import Company, Contact

NOT_FOUND = {"detail": "Not found.", "errors": {}}
UNAUTHENTICATED = {"detail": "Authentication required: send 'Authorization: Bearer <token>'.", "errors": {}}


def post(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.post(url, body if isinstance(body, str | bytes) else json.dumps(body),
                       content_type="application/json", **headers)


def test_body_that_is_not_json_answers_400(owner):
    response = post(api_client_for(owner), "/api/v1/companies", '{"name": ')

    assert (response.status_code, response.json()) == (400, {"detail": "The request body is not valid JSON.",
                                                             "errors": {}})
    assert Company.objects.count() == 0


def test_body_over_the_upload_limit_answers_413(owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post(api_client_for(owner), "/api/v1/companies", {"name": "x", "description": "y" * 2000})

    assert (response.status_code, response.json()) == (413, {"detail": "The request body is too large.", "errors": {}})
    assert Company.objects.count() == 0


def test_method_the_path_does_not_have_answers_405_with_allow(owner):
    response = api_client_for(owner).put("/api/v1/companies")

    assert (response.status_code, response.json()) == (405, {"detail": "Method not allowed.", "errors": {}})
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/companies/", "/api/v1/companies/1/x"])
def test_path_that_names_no_endpoint_answers_json_404(path, owner):
    response = api_client_for(owner).get(path)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("pk", ["abc", "-1", "0", "1.5", str(2**63)])
def test_id_that_is_not_a_record_id_answers_422(pk, owner):
    response = api_client_for(owner).get(f"/api/v1/companies/{pk}")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["pk"]


@pytest.mark.parametrize(("query", "field"), [({"owner": 2**63}, "owner.0"), ({"company": 2**70}, "company")])
def test_id_filter_beyond_bigint_answers_422_not_500(query, field, owner):
    response = api_client_for(owner).get("/api/v1/contacts", query)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(("body", "field"), [
    ({"first_name": "Иван", "company": 2**64}, "company"),
    ({"first_name": "Иван", "owner": True}, "owner"),  # lax JSON would have taken it for user 1
    ({"first_name": "Иван", "birthday": 0}, "birthday"),  # ... and this for 1970-01-01
    ({"first_name": "Иван\x00"}, "first_name"),  # PostgreSQL cannot store NUL: was a 500 there
    ({"first_name": "Иван", "tags": ["a\ud800"]}, "tags"),  # an unpaired surrogate: no driver encodes it
    ({"first_name": "Иван", "custom_fields": {"note": "\x00"}}, "custom_fields"),  # nor NUL in jsonb
])
def test_body_value_the_database_cannot_take_answers_422(body, field, owner):
    response = post(api_client_for(owner), "/api/v1/contacts", body)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Contact.objects.count() == 0


def test_query_text_with_nul_answers_422_not_500(owner):
    response = api_client_for(owner).get("/api/v1/companies", {"tag": "a\x00"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["tag"]


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_write_without_any_credentials_answers_401_not_csrf_403(method, owner, make_company):
    company = make_company(owner)
    client = Client(enforce_csrf_checks=True)  # as a script without a token: no session, no CSRF cookie

    response = getattr(client, method)(f"/api/v1/companies/{company.pk}" if method != "post" else "/api/v1/companies",
                                      json.dumps({"name": "ООО Новая"}), content_type="application/json")

    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert response["WWW-Authenticate"] == "Bearer"


def test_session_write_without_csrf_token_answers_403_in_the_error_shape(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = post(client, "/api/v1/companies", {"name": "ООО Новая"})

    assert (response.status_code, response.json()) == (403, {"detail": "CSRF check failed.", "errors": {}})
    assert Company.objects.count() == 0
