"""The leads API: create with per-field errors, the inbox take, convert, ETag preconditions, query budget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kartoteka.conftest import api_client_for
from kartoteka.leads.choices import LeadStatus
from kartoteka.leads.models import Lead

pytestmark = pytest.mark.django_db


def test_create_normalises_and_bad_fields_are_named(owner):
    client = api_client_for(owner)

    ok = client.post("/api/v1/leads", {"name": "Ирина", "phone": "8 916 123-45-67", "utm_source": "yandex"},
                     content_type="application/json")
    bad = client.post("/api/v1/leads", {"name": "Ирина", "phone": "12", "email": "x"}, content_type="application/json")

    assert ok.status_code == 201 and ok.json()["phone"] == "+79161234567" and ok.json()["owner"]["username"] == "owner"
    assert ok.json()["status"] == "new" and ok["ETag"]
    assert bad.status_code == 422 and {"phone", "email"} <= set(bad.json()["errors"])
    assert Lead.objects.count() == 1


def test_convert_over_the_api_links_the_new_records(owner, make_lead, pipeline):
    lead = make_lead(owner, company_name="ООО Апи")
    client = api_client_for(owner)

    response = client.post(f"/api/v1/leads/{lead.pk}/convert", {"amount": "100.50"}, content_type="application/json")

    body = response.json()
    assert response.status_code == 200 and body["status"] == LeadStatus.QUALIFIED
    assert body["contact"] and body["company"] and body["deal"]
    deal = client.get(f"/api/v1/deals/{body['deal']}").json()
    assert deal["amount"] == "100.50" and deal["company"]["name"] == "ООО Апи"


def test_a_stale_etag_is_refused_with_412(owner, make_lead):
    lead = make_lead(owner)
    client = api_client_for(owner)
    etag = client.get(f"/api/v1/leads/{lead.pk}")["ETag"]
    client.patch(f"/api/v1/leads/{lead.pk}", {"name": "Новое"}, content_type="application/json")

    response = client.post(f"/api/v1/leads/{lead.pk}/take", HTTP_IF_MATCH=etag)

    assert response.status_code == 412 and Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_links_to_client_records_the_caller_cannot_see_are_left_out(owner, colleague, head_a, make_lead,
                                                                    make_contact):
    make_contact(colleague, first_name="Чужая", phones=["+7 916 910-00-01"])
    from kartoteka.leads.services import intake_lead

    lead = intake_lead(values={"phone": "+7 916 910-00-01"}, team=owner.team)  # goes to the client's responsible
    Lead.objects.filter(pk=lead.pk).update(owner=owner)  # ... and is then handed to owner, who cannot see the client

    seen_by_owner = api_client_for(owner).get(f"/api/v1/leads/{lead.pk}").json()
    seen_by_head = api_client_for(head_a).get(f"/api/v1/leads/{lead.pk}").json()

    assert seen_by_owner["contact"] is None
    assert seen_by_head["contact"] == lead.contact_id


def test_list_query_budget_is_constant(owner, make_lead):
    client = api_client_for(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/leads").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        make_lead(owner, tags=["VIP"])
    count()
    before = count()
    for _ in range(10):
        make_lead(owner, tags=["VIP"])
    assert count() == before
