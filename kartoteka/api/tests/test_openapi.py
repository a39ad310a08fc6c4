"""What /api/v1/openapi.json promises about responses: the right page schema per list, and the headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return Client().get("/api/v1/openapi.json").json()


def response_of(openapi: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    return openapi["paths"][f"/api/v1/{path}"][method]["responses"][str(status)]


@pytest.mark.parametrize(("path", "page"), [("companies", "CompanyPage"), ("contacts", "ContactPage")])
def test_each_list_answers_a_page_of_its_own_records(path, page, openapi):
    # All lists shared one "PageOut" component, the last one defined, so a company list was documented
    # as a page of another entity's records.
    schema = response_of(openapi, path, "get", 200)["content"]["application/json"]["schema"]

    assert schema == {"$ref": f"#/components/schemas/{page}"}
    assert openapi["components"]["schemas"][page]["properties"]["items"]["items"] == {
        "$ref": f"#/components/schemas/{page.removesuffix('Page')}Out"}


@pytest.mark.parametrize(("path", "method", "status"), [
    ("companies", "post", 201), ("companies/{pk}", "get", 200), ("companies/{pk}", "patch", 200),
    ("companies/{pk}/restore", "post", 200), ("contacts/{pk}", "get", 200),
])
def test_record_answers_document_their_etag(path, method, status, openapi):
    assert response_of(openapi, path, method, status)["headers"]["ETag"]["required"] is True


def test_every_operation_documents_401_with_its_challenge(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            header = operation["responses"]["401"].get("headers", {}).get("WWW-Authenticate")
            assert header is not None, f"{method.upper()} {path}"
