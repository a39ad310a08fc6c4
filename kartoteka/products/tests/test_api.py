"""The catalog under /api/v1/products: who may write, 422 per field, ETag/If-Match → 412, pagination and filters,
history, and a constant query count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kartoteka.conftest import api_client_for
from kartoteka.products import services
from kartoteka.products.models import Product

pytestmark = pytest.mark.django_db


def send(client: Any, method: str, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def test_a_head_creates_a_product_and_reads_it_back_with_its_etag(head_a):
    client = api_client_for(head_a)

    response = send(client, "post", "/api/v1/products", {
        "sku": "st-16k", "name": "Станок токарный", "price": "1850000.00", "stock": "2", "lead_time_days": 45,
        "unit": "pcs"})

    assert response.status_code == 201
    body = response.json()
    assert (body["sku"], body["price"], body["currency"], body["vat_rate"], body["stock"], body["in_stock"],
            body["created_by"]["username"]) == ("ST-16K", "1850000.00", "RUB", 22, "2.000", True, "head_a")
    read = client.get(f"/api/v1/products/{body['id']}")
    assert (read.status_code, read["ETag"], response["ETag"]) == (200, f'"{body["id"]}-1"', f'"{body["id"]}-1"')


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("viewer", 403), ("owner", 403), ("head_b", 201),
                                              ("admin", 201)])
def test_only_catalog_managers_create(role, status, users):
    response = send(api_client_for(users[role]), "post", "/api/v1/products", {"sku": "A-1", "name": "A", "price": 1})

    assert response.status_code == status
    assert Product.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("body", "errors"), [
    ({"price": -1}, ["price"]),
    ({"vat_rate": 101}, ["vat_rate"]),
    ({"stock": "-1"}, ["stock"]),
    ({"unit": "barrel"}, ["unit"]),
    ({"version": 3}, ["version"]),
    ({"created_by": 1}, ["created_by"]),
    ({"currency": "рубль"}, ["currency"]),
    ({"sku": "dup"}, ["sku"]),
])
def test_bad_input_answers_422_naming_the_field(body, errors, admin, make_product):
    make_product(sku="DUP")

    response = send(api_client_for(admin), "post", "/api/v1/products", {"sku": "NEW", "name": "Товар", "price": "1",
                                                                        **body})

    assert response.status_code == 422
    assert sorted(response.json()["errors"]) == errors
    assert Product.objects.count() == 1


def test_patch_with_a_stale_etag_answers_412_and_changes_nothing(admin, make_product):
    product = make_product(price="100")
    client = api_client_for(admin)
    etag = client.get(f"/api/v1/products/{product.pk}")["ETag"]
    fresh = send(client, "patch", f"/api/v1/products/{product.pk}", {"price": "110"}, HTTP_IF_MATCH=etag)

    stale = send(client, "patch", f"/api/v1/products/{product.pk}", {"price": "90"}, HTTP_IF_MATCH=etag)

    assert (fresh.status_code, fresh["ETag"], stale.status_code) == (200, f'"{product.pk}-2"', 412)
    assert str(Product.objects.get(pk=product.pk).price) == "110.00"


def test_a_manager_may_read_but_not_change_and_deactivation_is_a_patch(owner, admin, make_product):
    product = make_product()

    assert api_client_for(owner).get(f"/api/v1/products/{product.pk}").status_code == 200
    assert send(api_client_for(owner), "patch", f"/api/v1/products/{product.pk}", {"active": False}).status_code == 403
    deactivated = send(api_client_for(admin), "patch", f"/api/v1/products/{product.pk}", {"active": False})

    assert (deactivated.status_code, deactivated.json()["active"]) == (200, False)
    assert api_client_for(admin).delete(f"/api/v1/products/{product.pk}").status_code == 405


def test_list_filters_orders_and_pages(owner, admin, make_product):
    make_product(sku="ST-1", name="Станок", price="500", stock="0")
    make_product(sku="ST-2", name="Станок большой", price="900", stock="3")
    services.set_product_active(make_product(sku="KMP", name="Компрессор", price="100"), actor=admin, active=False)
    client = api_client_for(owner)

    def skus(query: str) -> list[str]:
        response = client.get("/api/v1/products" + query)
        assert response.status_code == 200, response.json()
        return [item["sku"] for item in response.json()["items"]]

    assert skus("?q=станок&ordering=-price") == ["ST-2", "ST-1"]
    assert skus("?stock=out_of_stock&active=true") == ["ST-1"]
    assert skus("?active=false") == ["KMP"]
    assert skus("?price_min=200&price_max=600") == ["ST-1"]
    page = client.get("/api/v1/products?page_size=2&ordering=sku").json()
    assert (page["count"], page["has_next"], [i["sku"] for i in page["items"]]) == (3, True, ["KMP", "ST-1"])
    assert client.get("/api/v1/products?ordering=--name").status_code == 422


def test_history_lists_the_changes(admin, make_product):
    product = make_product(price="100")
    services.update_product(product, actor=admin, data={"price": "150"})

    items = api_client_for(admin).get(f"/api/v1/products/{product.pk}/history").json()["items"]

    assert [(i["action"], i["changes"].get("price")) for i in items] == [
        ("update", {"before": "100.00", "after": "150.00"}), ("create", {"before": None, "after": "100.00"})]


def test_list_query_count_does_not_grow_with_the_catalog(owner, make_product):
    client = api_client_for(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/products").status_code == 200
        return len(ctx.captured_queries)

    make_product()
    queries()
    before = queries()
    for _ in range(20):
        make_product()

    assert queries() == before
