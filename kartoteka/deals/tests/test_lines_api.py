"""/api/v1/deals/{id}/lines: list, create, update, delete; the deal's ETag chains the writes (412 when stale),
422 per field, 403 for who sees the deal but may not change it, 404 for who cannot see it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kartoteka.conftest import api_client_for
from kartoteka.deals import lines
from kartoteka.deals.models import Deal, DealLine

pytestmark = pytest.mark.django_db


def send(client: Any, method: str, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def deal(owner: Any, make_deal: Any) -> Deal:
    return make_deal(owner)


def test_lines_are_written_with_the_deals_etag_and_the_amount_follows(owner, deal, lathe):
    client = api_client_for(owner)
    url = f"/api/v1/deals/{deal.pk}/lines"
    etag = send(client, "patch", f"/api/v1/deals/{deal.pk}", {"amount_from_lines": True})["ETag"]

    created = send(client, "post", url, {"product": lathe.pk, "quantity": "3", "discount": 5}, HTTP_IF_MATCH=etag)
    line = created.json()
    updated = send(client, "patch", f"{url}/{line['id']}", {"quantity": 1}, HTTP_IF_MATCH=created["ETag"])
    listed = client.get(url)

    assert created.status_code == 201
    assert (line["price"], line["total"], line["in_stock"], line["product"]["lead_time_days"]) == (
        "150000.00", "427500.00", False, 45)
    assert (updated.status_code, updated.json()["total"], updated.json()["in_stock"]) == (200, "142500.00", True)
    body = listed.json()
    assert (body["amount"], body["lines_total"], body["amount_from_lines"], listed["ETag"]) == (
        "142500.00", "142500.00", True, updated["ETag"])
    assert client.get(f"/api/v1/deals/{deal.pk}").json()["amount"] == "142500.00"
    deleted = client.delete(f"{url}/{line['id']}", HTTP_IF_MATCH=updated["ETag"])
    assert (deleted.status_code, Deal.objects.get(pk=deal.pk).amount) == (204, None)


def test_a_stale_etag_answers_412_and_changes_nothing(owner, deal, lathe):
    client = api_client_for(owner)
    stale = client.get(f"/api/v1/deals/{deal.pk}/lines")["ETag"]
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})

    response = send(client, "post", f"/api/v1/deals/{deal.pk}/lines", {"product": lathe.pk}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert DealLine.objects.count() == 1


@pytest.mark.parametrize(("body", "errors"), [
    ({"quantity": -1}, ["quantity"]),
    ({"quantity": 0}, ["quantity"]),
    ({"discount": 101}, ["discount"]),
    ({"price": "-1"}, ["price"]),
    ({"product": True}, ["product"]),
    ({"total": "5"}, ["total"]),
])
def test_bad_input_answers_422_naming_the_field(owner, deal, lathe, body, errors):
    response = send(api_client_for(owner), "post", f"/api/v1/deals/{deal.pk}/lines", {"product": lathe.pk, **body})

    assert (response.status_code, sorted(response.json()["errors"])) == (422, errors)
    assert not DealLine.objects.exists()


def test_an_inactive_product_answers_422_in_the_callers_language(owner, admin, deal, lathe):
    from kartoteka.products.services import set_product_active

    set_product_active(lathe, actor=admin, active=False)

    response = send(api_client_for(owner), "post", f"/api/v1/deals/{deal.pk}/lines", {"product": lathe.pk},
                    HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 422
    assert response.json()["errors"] == {"product": ["Товар «Станок токарный» больше не продаётся: выберите "
                                                     "действующий."]}


@pytest.mark.parametrize(("role", "read", "write"), [
    ("anonymous", 401, 401), ("viewer", 200, 403), ("colleague", 404, 404), ("manager_b", 404, 404),
    ("head_b", 404, 404), ("head_a", 200, 201), ("admin", 200, 201)])
def test_access_follows_the_deal(role, read, write, users, owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    client = api_client_for(users[role])
    url = f"/api/v1/deals/{deal.pk}/lines"

    assert client.get(url).status_code == read
    assert send(client, "post", url, {"product": lathe.pk}).status_code == write
    changed = 200 if write == 201 else write
    assert send(client, "patch", f"{url}/{line.pk}", {"quantity": 2}).status_code == changed
    assert client.delete(f"{url}/{line.pk}").status_code == (204 if write == 201 else write)
    if write != 201:
        assert list(DealLine.objects.values_list("quantity", flat=True)) == [1]


def test_a_line_of_another_deal_answers_404(owner, deal, lathe, make_deal):
    other = lines.add_line(make_deal(owner), actor=owner, data={"product": lathe.pk})

    response = send(api_client_for(owner), "patch", f"/api/v1/deals/{deal.pk}/lines/{other.pk}", {"quantity": 2})

    assert response.status_code == 404
    assert DealLine.objects.get(pk=other.pk).quantity == 1


def test_deal_history_shows_the_line_changes(owner, deal, lathe):
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})

    items = api_client_for(owner).get(f"/api/v1/deals/{deal.pk}/history").json()["items"]

    assert items[0]["changes"] == {"lines": {"before": [], "after": [
        "ST-16K Станок токарный: 1 pcs × 150 000 RUB = 150 000 RUB"]}}


def test_list_query_count_does_not_grow_with_the_lines(owner, deal, make_product):
    client = api_client_for(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/deals/{deal.pk}/lines").status_code == 200
        return len(ctx.captured_queries)

    lines.add_line(deal, actor=owner, data={"product": make_product().pk})
    queries()
    before = queries()
    for _ in range(10):
        lines.add_line(deal, actor=owner, data={"product": make_product().pk})

    assert queries() == before
