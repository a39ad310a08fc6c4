"""The lines section of the deal card (deals/line_views.py): HTMX answers with the section and the card's amount
swapped out of band, 422 with per-field errors, 409 on a stale deal, redirects for plain forms, and a query
count that does not grow with the lines. Who may use which route is the route matrix's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kartoteka.conftest import client_for
from kartoteka.core.testing import count_queries
from kartoteka.deals import lines, services
from kartoteka.deals.models import Deal, DealLine

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def deal(owner: Any, make_deal: Any) -> Deal:
    return make_deal(owner, amount=500)


def following(deal: Deal, owner: Any) -> Deal:
    return services.update_deal(Deal.objects.get(pk=deal.pk), actor=owner, data={"amount_from_lines": True})


def test_card_shows_each_line_with_its_availability(owner, deal, lathe, make_product):
    lines.add_line(deal, actor=owner, data={"product": lathe.pk, "quantity": 3})
    lines.add_line(deal, actor=owner, data={"product": make_product(name="Подшипник", stock="100").pk, "quantity": 10})
    lines.add_line(deal, actor=owner, data={"product": make_product(name="Фильтр", stock="0").pk})

    text = client_for(owner).get(deal.get_absolute_url()).content.decode()

    section = text.split('id="deal-lines"', 1)[1]
    assert "Short: lead time 45 days" in section  # 3 wanted, 2 on hand
    assert section.count("In stock") == 1
    assert "Short: lead time unknown" in section
    assert 'data-testid="lines-total">461 000 RUB' in section


def test_adding_a_line_answers_the_section_and_the_amount_that_follows(owner, deal, lathe):
    deal = following(deal, owner)

    response = client_for(owner).post(reverse("deals:deal_lines", args=[deal.pk]),
                                      {"product": lathe.pk, "quantity": "2", "price": "", "discount": "10",
                                       "version": deal.version}, **HTMX)

    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="deal-amount" data-testid="deal-amount" hx-swap-oob="true">270 000 RUB</dd>' in text
    assert f'value="{deal.version + 1}" id="deal-version" hx-swap-oob="true"' in text
    assert Deal.objects.get(pk=deal.pk).amount == 270000


def test_bad_input_answers_422_with_the_errors_in_place_in_the_users_language(owner, deal, lathe):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    version = Deal.objects.get(pk=deal.pk).version

    response = client_for(owner).post(reverse("deals:deal_lines", args=[deal.pk]), {
        "product": lathe.pk, "quantity": "-1", "discount": "150", "version": version}, **HTMX)

    assert response.status_code == 422
    form = response.context["line_form"]
    assert form.errors == {"quantity": ["Количество должно быть больше нуля."],
                           "discount": ["Скидка — это процент от 0 до 100."]}
    assert 'data-testid="error-quantity"' in response.content.decode()
    assert (DealLine.objects.count(), Deal.objects.get(pk=deal.pk).version) == (0, version)


def test_a_stale_deal_answers_409_and_shows_the_current_lines(owner, head_a, deal, lathe):
    stale = Deal.objects.get(pk=deal.pk).version
    lines.add_line(deal, actor=head_a, data={"product": lathe.pk})

    response = client_for(owner).post(reverse("deals:deal_lines", args=[deal.pk]),
                                      {"product": lathe.pk, "quantity": "5", "version": stale}, **HTMX)

    assert response.status_code == 409
    assert 'data-testid="lines-message"' in response.content.decode()
    assert list(DealLine.objects.values_list("quantity", flat=True)) == [1]


def test_a_plain_form_is_sent_back_to_the_card_with_the_message(owner, deal, lathe):
    response = client_for(owner).post(reverse("deals:deal_lines", args=[deal.pk]), {"product": lathe.pk,
                                                                                    "quantity": "0"}, follow=True)

    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "The quantity must be greater than zero." in response.content.decode()
    assert not DealLine.objects.exists()


def test_a_line_is_edited_in_its_row_and_removed(owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    client = client_for(owner)
    url = reverse("deals:deal_line", args=[deal.pk, line.pk])

    row = client.get(url, **HTMX).content.decode()
    version = Deal.objects.get(pk=deal.pk).version
    saved = client.post(url, {"product": lathe.pk, "quantity": "4", "price": "140000", "discount": "0",
                              "version": version}, **HTMX)
    assert (saved.status_code, DealLine.objects.get().total) == (200, 560000)
    removed = client.post(reverse("deals:deal_line_delete", args=[deal.pk, line.pk]), {"version": version + 1}, **HTMX)

    assert 'id="line-quantity"' in row and 'value="1"' in row
    assert removed.status_code == 200 and 'data-testid="no-lines"' in removed.content.decode()
    assert not DealLine.objects.exists()


def test_a_line_of_another_deal_is_not_found(owner, deal, lathe, make_deal):
    other = lines.add_line(make_deal(owner), actor=owner, data={"product": lathe.pk})

    response = client_for(owner).get(reverse("deals:deal_line", args=[deal.pk, other.pk]))

    assert response.status_code == 404


def test_the_amount_is_switched_to_follow_the_lines_and_back(owner, deal, lathe):
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    client = client_for(owner)
    url = reverse("deals:deal_lines_amount", args=[deal.pk])

    on = client.post(url, {"amount_from_lines": "1", "version": Deal.objects.get(pk=deal.pk).version}, **HTMX)
    assert (on.status_code, Deal.objects.get(pk=deal.pk).amount) == (200, 150000)
    assert 'data-testid="amount-by-hand"' in on.content.decode()
    off = client.post(url, {"amount_from_lines": "0", "version": Deal.objects.get(pk=deal.pk).version}, **HTMX)

    assert off.status_code == 200
    assert (Deal.objects.get(pk=deal.pk).amount_from_lines, Deal.objects.get(pk=deal.pk).amount) == (False, 150000)


def test_the_edit_form_has_no_amount_while_it_follows_the_lines(owner, deal):
    following(deal, owner)

    form = client_for(owner).get(reverse("deals:deal_edit", args=[deal.pk])).context["form"]

    assert "amount" not in form.fields


def test_a_viewer_sees_the_lines_without_forms(owner, viewer, deal, lathe):
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})

    section = client_for(viewer).get(reverse("deals:deal_lines", args=[deal.pk])).content.decode()

    assert "Станок токарный" in section
    assert 'data-testid="line-form"' not in section and "line-remove" not in section


def test_the_card_and_the_section_do_not_query_more_for_more_lines(owner, deal, make_product):
    client = client_for(owner)
    urls = [deal.get_absolute_url(), reverse("deals:deal_lines", args=[deal.pk])]
    lines.add_line(deal, actor=owner, data={"product": make_product().pk})
    [count_queries(client, url) for url in urls]  # warm the content-type cache
    before = [count_queries(client, url) for url in urls]

    for _ in range(12):
        lines.add_line(deal, actor=owner, data={"product": make_product().pk, "quantity": 2})

    assert [count_queries(client, url) for url in urls] == before


@pytest.mark.parametrize("product", ["", "abc", "99999999999999999999", "-1"])
def test_a_product_that_is_not_one_answers_422_on_the_field(owner, deal, product):
    response = client_for(owner).post(reverse("deals:deal_lines", args=[deal.pk]),
                                      {"product": product, "quantity": "1"}, **HTMX)

    assert response.status_code == 422
    assert list(response.context["line_form"].errors) == ["product"]
    assert not DealLine.objects.exists()
