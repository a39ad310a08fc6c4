"""Logging unmet demand from a card: who may, what is stored, the audit row, and the form on every card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kartoteka.audit.models import ObjectChange
from kartoteka.conftest import client_for
from kartoteka.core.errors import AccessDenied
from kartoteka.products.demand import record_demand
from kartoteka.products.models import UnmetDemand

pytestmark = pytest.mark.django_db


def test_a_typed_sku_or_name_finds_the_catalog_product_else_the_text_is_kept(owner, make_company, make_product):
    company = make_company(owner)
    green = make_product(sku="TV-16-G", name="Тиски зелёные", stock="0")

    by_sku = record_demand(company, actor=owner, data={"product_name": " tv-16-g ", "quantity": "3,5"})
    by_name = record_demand(company, actor=owner, data={"product_name": "ТИСКИ ЗЕЛЁНЫЕ"})
    free = record_demand(company, actor=owner, data={"product_name": "Тиски  розовые", "note": "К весне"})

    assert (by_sku.product, by_sku.quantity, by_sku.owner) == (green, Decimal("3.5"), owner)
    assert (by_name.product, by_name.quantity) == (green, Decimal(1))
    assert (free.product, free.product_name, free.note) == (None, "Тиски розовые", "К весне")
    assert ObjectChange.objects.filter(action="create", object_id=free.pk,
                                       content_type__model="unmetdemand").count() == 1


def test_from_a_deal_the_entry_keeps_the_deals_company(owner, make_company, make_deal):
    company = make_company(owner)
    deal = make_deal(owner, company=company.pk)

    entry = record_demand(deal, actor=owner, data={"product_name": "Тиски"})

    assert (entry.deal, entry.company) == (deal, company)


@pytest.mark.parametrize("data, field", [({"product_name": ""}, "product_name"),
                                         ({"product_name": "Тиски", "quantity": "0"}, "quantity"),
                                         ({"product_name": "Тиски", "quantity": "много"}, "quantity"),
                                         ({"product": "999999"}, "product")])
def test_errors_name_the_field(owner, make_company, data, field):
    with pytest.raises(ValidationError) as caught:
        record_demand(make_company(owner), actor=owner, data=data)
    assert field in caught.value.message_dict
    assert not UnmetDemand.objects.exists()


def test_only_who_may_change_the_record_logs_on_it(owner, colleague, viewer, head_a, make_company):
    company = make_company(owner)

    for outsider in (colleague, viewer):
        with pytest.raises(AccessDenied):
            record_demand(company, actor=outsider, data={"product_name": "Тиски"})
    record_demand(company, actor=head_a, data={"product_name": "Тиски"})
    assert UnmetDemand.objects.count() == 1


def test_the_card_form_logs_and_the_card_lists_it(owner, colleague, make_company, make_contact):
    company = make_company(owner, name="ООО Зелень")
    contact = make_contact(owner, company=company.pk)
    client = client_for(owner)

    response = client.post(reverse("products:demand_add"), {"contact": contact.pk, "product_name": "Тиски зелёные",
                                                            "quantity": "2", "next": contact.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == contact.get_absolute_url()
    company_page = client.get(company.get_absolute_url()).content.decode()
    assert 'data-testid="unmet-demand-form"' in company_page and "Тиски зелёные" in company_page

    refused = client_for(colleague).post(reverse("products:demand_add"), {"company": company.pk,
                                                                          "product_name": "Тиски"})
    assert refused.status_code == 404 and UnmetDemand.objects.count() == 1
    assert 'data-testid="unmet-demand"' in client.get(contact.get_absolute_url()).content.decode()
