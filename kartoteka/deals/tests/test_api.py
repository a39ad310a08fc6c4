"""The deal API under /api/v1: permission matrix, stage actions, 422 per field, ETag/If-Match 412, query budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kartoteka.conftest import api_client_for
from kartoteka.deals import services
from kartoteka.deals.models import Deal

pytestmark = pytest.mark.django_db

SEE = {"anonymous": 401, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
       "manager_b": 404, "viewer": 200}
CHANGE = {"anonymous": 401, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
          "manager_b": 404, "viewer": 403}
ROLES = list(SEE)


def post(client: Any, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def deal(owner: Any, make_deal: Any) -> Deal:
    return make_deal(owner, amount=1000)


@pytest.mark.parametrize("role", ROLES)
def test_read(role, users, deal):
    response = api_client_for(users[role]).get(f"/api/v1/deals/{deal.pk}")

    assert response.status_code == SEE[role]
    if response.status_code == 200:
        assert response["ETag"] == deal.etag
        body = response.json()
        assert (body["title"], body["stage"]["name"], body["status"], body["amount"]) == (
            deal.title, "Qualification", "open", "1000.00")


@pytest.mark.parametrize("role", ROLES)
def test_move_by_role(role, users, deal, stages):
    response = post(api_client_for(users[role]), f"/api/v1/deals/{deal.pk}/move", {"stage": stages["meeting"].pk})

    assert response.status_code == CHANGE[role]
    assert Deal.objects.get(pk=deal.pk).stage == (stages["meeting"] if CHANGE[role] == 200 else stages["qualification"])


@pytest.mark.parametrize("role", ROLES)
def test_patch_by_role(role, users, deal):
    response = api_client_for(users[role]).patch(f"/api/v1/deals/{deal.pk}", json.dumps({"title": "Новое"}),
                                                 content_type="application/json")

    assert response.status_code == CHANGE[role]
    assert Deal.objects.get(pk=deal.pk).title == ("Новое" if CHANGE[role] == 200 else deal.title)


def test_create_with_contacts_and_roles(owner, make_company, make_contact, stages):
    company = make_company(owner)
    contact = make_contact(owner)

    response = post(api_client_for(owner), "/api/v1/deals", {
        "title": "Поставка", "stage": stages["meeting"].pk, "company": company.pk, "amount": "1500.50",
        "contacts": [{"contact": contact.pk, "role": "buyer"}], "tags": ["VIP"],
    })

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["company"] == {"id": company.pk, "name": company.name}
    assert body["contacts"] == [{"contact": contact.pk, "name": contact.full_name, "role": "buyer"}]
    assert (body["stage"]["id"], body["currency"], body["effective_probability"]) == (stages["meeting"].pk, "RUB", 30)


def test_move_to_a_stage_requiring_amount_answers_422_naming_the_field(owner, make_deal, stages):
    deal = make_deal(owner)

    response = post(api_client_for(owner), f"/api/v1/deals/{deal.pk}/move", {"stage": stages["proposal"].pk})

    assert response.status_code == 422
    assert response.json()["errors"] == {"amount": ["Amount is required to enter the stage “Proposal”."]}


def test_lose_requires_a_known_reason_and_win_closes(owner, deal, stages, too_expensive):
    client = api_client_for(owner)

    assert post(client, f"/api/v1/deals/{deal.pk}/lose", {}).status_code == 422
    assert post(client, f"/api/v1/deals/{deal.pk}/lose", {"lost_reason": 99999}).status_code == 422
    lost = post(client, f"/api/v1/deals/{deal.pk}/lose", {"lost_reason": too_expensive.pk})
    assert lost.status_code == 200
    assert (lost.json()["status"], lost.json()["lost_reason"]["name"]) == ("lost", "Too expensive")
    won = post(client, f"/api/v1/deals/{deal.pk}/win")
    assert (won.json()["status"], won.json()["lost_reason"]) == ("won", None)
    assert won.json()["closed_at"] is not None


def test_stale_if_match_on_move_answers_412_and_changes_nothing(owner, head_a, deal, stages):
    client = api_client_for(owner)
    etag = client.get(f"/api/v1/deals/{deal.pk}")["ETag"]
    services.update_deal(Deal.objects.get(pk=deal.pk), actor=head_a, data={"title": "Руководитель"})

    response = post(client, f"/api/v1/deals/{deal.pk}/move", {"stage": stages["meeting"].pk}, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]
    fresh = client.get(f"/api/v1/deals/{deal.pk}")["ETag"]
    assert post(client, f"/api/v1/deals/{deal.pk}/move", {"stage": stages["meeting"].pk},
                HTTP_IF_MATCH=fresh).status_code == 200


def test_unknown_field_and_invalid_values_answer_422_per_field(owner, pipeline):
    client = api_client_for(owner)

    unknown = post(client, "/api/v1/deals", {"title": "X", "closed_at": "2026-01-01T00:00:00Z"})
    assert unknown.status_code == 422 and "closed_at" in unknown.json()["errors"]
    negative = post(client, "/api/v1/deals", {"title": "X", "amount": "-5"})
    assert negative.status_code == 422 and "amount" in negative.json()["errors"]
    no_stage = post(client, "/api/v1/deals", {"title": "X", "stage": 999999})
    assert no_stage.status_code == 422 and "stage" in no_stage.json()["errors"]


def test_list_filters_and_history_and_restore(owner, head_a, make_deal, stages):
    client = api_client_for(owner)
    small = make_deal(owner, amount=100)
    make_deal(owner, amount=5000)

    listed = client.get("/api/v1/deals?amount_max=500")
    assert [d["id"] for d in listed.json()["items"]] == [small.pk]
    services.win_deal(small, actor=owner)
    assert [d["id"] for d in client.get("/api/v1/deals?status=won").json()["items"]] == [small.pk]
    history = client.get(f"/api/v1/deals/{small.pk}/history").json()["items"]
    assert history[0]["changes"]["stage"] == {"before": stages["qualification"].pk, "after": stages["won"].pk}
    assert client.delete(f"/api/v1/deals/{small.pk}").status_code == 204
    assert client.get(f"/api/v1/deals/{small.pk}").status_code == 404
    assert api_client_for(head_a).post(f"/api/v1/deals/{small.pk}/restore").status_code == 200


def test_pipelines_lists_stages(owner, pipeline):
    response = api_client_for(owner).get("/api/v1/pipelines")

    assert response.status_code == 200
    [body] = response.json()
    assert body["name"] == "Sales"
    assert [(s["name"], s["kind"], s["required_fields"]) for s in body["stages"]][2] == ("Proposal", "open", ["amount"])
    assert api_client_for(None).get("/api/v1/pipelines").status_code == 401


def test_list_query_budget_is_constant(owner, make_deal, make_contact, make_company):
    client = api_client_for(owner)
    company = make_company(owner)

    def add(n: int) -> None:
        for _ in range(n):
            make_deal(owner, company=company.pk, tags=["VIP"], contacts=[make_contact(owner).pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/deals").status_code == 200
        return len(ctx.captured_queries)

    add(2)
    queries()  # warm the content-type cache
    before = queries()
    add(10)
    assert queries() == before
