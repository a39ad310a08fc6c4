"""Catalog pages: the list (search, filters, inline cells), the card, the form with errors in the user's language,
deactivation, autocomplete, and query budgets. Who may open which route is the route matrix's
(core/tests/test_route_matrix.py); here, what each page does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kartoteka.conftest import client_for
from kartoteka.core.testing import count_queries
from kartoteka.deals import lines
from kartoteka.products import services
from kartoteka.products.models import Product

pytestmark = pytest.mark.django_db


def partial(client: Any, url: str) -> str:
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_list_searches_sku_and_name_fragments_and_filters_stock(owner, make_product):
    make_product(sku="ST-16K", name="Станок токарный", stock="2")
    make_product(sku="FS-450", name="Станок фрезерный", stock="0", lead_time_days=60)
    make_product(sku="KMP-7", name="Компрессор", stock="5")
    client = client_for(owner)
    url = reverse("products:product_list")

    assert client.get(url).status_code == 200
    assert ("Станок токарный" in partial(client, url + "?q=станок"), "Компрессор" in partial(client, url + "?q=станок")) \
        == (True, False)
    assert "Станок фрезерный" in partial(client, url + "?q=fs-4")
    out = partial(client, url + "?stock=out_of_stock")
    assert ("Станок фрезерный" in out, "Станок токарный" in out, 'class="stock-out"' in out) == (True, False, True)


def test_list_sorts_by_price(owner, make_product):
    make_product(name="Дорогой", price="900")
    make_product(name="Дешёвый", price="100")

    text = partial(client_for(owner), reverse("products:product_list") + "?sort=-price")

    assert text.index("Дорогой") < text.index("Дешёвый")


@pytest.mark.parametrize(("role", "can_add"), [("owner", False), ("viewer", False), ("head_a", True), ("admin", True)])
def test_only_catalog_managers_get_the_add_button_and_nobody_gets_bulk_actions(role, can_add, users, make_product):
    make_product()

    text = client_for(users[role]).get(reverse("products:product_list")).content.decode()

    assert (reverse("products:product_create") in text) == can_add
    assert 'id="bulk-form"' not in text
    assert 'name="pk"' not in text


def test_create_form_saves_and_redirects_to_the_card(head_a):
    response = client_for(head_a).post(reverse("products:product_create"), {
        "sku": "ksm-1", "name": "Кран-балка", "unit": "pcs", "price": "350000", "currency": "RUB", "vat_rate": "22",
        "stock": "0", "lead_time_days": "40", "active": "on"})

    product = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    assert (product.sku, product.lead_time_days, product.created_by) == ("KSM-1", 40, head_a)


def test_form_errors_come_back_per_field_in_the_users_language(admin, make_product):
    make_product(sku="DUP-1")
    admin.language = "ru"
    admin.save(update_fields=["language"])

    response = client_for(admin).post(reverse("products:product_create"), {
        "sku": "dup-1", "name": "Дубль", "unit": "pcs", "price": "-5", "currency": "RUB", "stock": "-1"})

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "sku": ["Товар с таким артикулом уже есть."],
        "price": ["Цена не может быть отрицательной."],
        "stock": ["Остаток не может быть отрицательным."],
    }
    assert Product.objects.count() == 1


def test_a_stale_edit_form_shows_the_conflict_instead_of_overwriting(admin, head_a, make_product):
    product = make_product(price="1000")
    services.update_product(product, actor=head_a, data={"price": "1100"})

    response = client_for(admin).post(reverse("products:product_edit", args=[product.pk]), {
        "sku": product.sku, "name": product.name, "unit": "pcs", "price": "900", "currency": "RUB", "stock": "0",
        "version": 1})

    assert response.status_code == 409
    assert Product.objects.get(pk=product.pk).price == Decimal(1100)


def test_price_is_edited_in_its_cell(head_a, make_product):
    product = make_product(price="1000")
    url = reverse("products:product_cell", args=[product.pk, "price"])

    response = client_for(head_a).post(url, {"price": "1250.5", "version": product.version})

    assert response.status_code == 200
    assert "1 250.50 RUB" in response.content.decode()
    assert Product.objects.get(pk=product.pk).price == Decimal("1250.50")


def test_card_deactivates_and_shows_the_history(admin, make_product):
    product = make_product()
    client = client_for(admin)

    response = client.post(reverse("products:product_active", args=[product.pk]), {"active": "0", "version": 1})
    card = client.get(product.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert not Product.objects.get(pk=product.pk).active
    assert 'data-testid="activate"' in card
    assert "Changed" in card and "Created" in card


def test_card_lists_only_the_deals_the_user_may_see(owner, manager_b, make_product, make_deal):
    product = make_product()
    for user, title in ((owner, "Своя сделка"), (manager_b, "Чужая сделка")):
        lines.add_line(make_deal(user, title=title), actor=user, data={"product": product.pk})

    side = client_for(owner).get(product.get_absolute_url()).content.decode().split('class="card-side"', 1)[1]

    assert ("Своя сделка" in side, "Чужая сделка" in side) == (True, False)
    assert '<span class="muted">1</span>' in side


def test_autocomplete_offers_active_products_only(owner, admin, make_product):
    make_product(sku="ST-1", name="Станок новый")
    services.set_product_active(make_product(sku="ST-2", name="Станок старый"), actor=admin, active=False)

    text = client_for(owner).get(reverse("products:product_autocomplete") + "?q=станок").content.decode()

    assert ("Станок новый" in text, "Станок старый" in text) == (True, False)


def test_list_and_card_queries_do_not_grow_with_the_catalog(owner, make_product, make_deal):
    client = client_for(owner)
    first = make_product()
    lines.add_line(make_deal(owner), actor=owner, data={"product": first.pk})
    urls = [reverse("products:product_list"), first.get_absolute_url()]
    [count_queries(client, url) for url in urls]  # warm the content-type cache
    before = [count_queries(client, url) for url in urls]

    for _ in range(30):
        product = make_product()
        services.update_product(product, actor=product.created_by, data={"stock": "5"})
        lines.add_line(make_deal(owner), actor=owner, data={"product": first.pk})

    assert [count_queries(client, url) for url in urls] == before
    assert before[0] <= 12, before
