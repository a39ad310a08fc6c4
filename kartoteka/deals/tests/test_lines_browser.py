"""The deal card's lines in a real browser: let the amount follow the lines, find a product by a fragment of its
name, add it, and see the line, its availability and the deal's amount change without a page load.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.deals.models import Deal, DealLine
from kartoteka.deals.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adding_a_line_on_the_card_makes_the_amount_follow(page: Page, live_server: Any, owner: Any, make_deal: Any,
                                                           make_product: Any) -> None:
    deal = make_deal(owner, title="Поставка станков", amount=1000)
    lathe = make_product(sku="ST-16K", name="Станок токарный", price="150000", stock="1", lead_time_days=45)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}{deal.get_absolute_url()}")
    expect(page.get_by_test_id("deal-amount")).to_have_text("1 000 RUB")

    page.get_by_test_id("amount-from-lines").click()
    expect(page.get_by_test_id("amount-follows")).to_be_visible()
    expect(page.get_by_test_id("deal-amount")).to_have_text("—")  # no lines yet
    form = page.get_by_test_id("line-form")
    form.get_by_test_id("product-search").fill("токарн")
    form.locator("select[name=product]").select_option(label="Станок токарный (ST-16K)")
    form.locator("input[name=quantity]").fill("2")
    form.locator("input[name=discount]").fill("10")
    form.get_by_test_id("line-add").click()

    row = page.locator("tr[data-testid^=line-]").filter(has_text="Станок токарный")
    expect(row.get_by_test_id("line-total")).to_have_text("270 000 RUB")
    expect(row.get_by_test_id("line-stock")).to_contain_text("Short: lead time 45 days")
    expect(page.get_by_test_id("deal-amount")).to_have_text("270 000 RUB")
    assert (DealLine.objects.get().product_id, Deal.objects.get(pk=deal.pk).amount) == (lathe.pk, 270000)

    # The card's other forms carry the new version: moving the deal right after is not a conflict.
    page.locator("form:has(select[name=stage]) button[type=submit]").click()
    expect(page.locator(".messages .msg-success")).to_have_text("Stage: Qualification")
    page.reload()
    expect(page.get_by_test_id("deal-amount")).to_have_text("270 000 RUB")
    assert problems == []
