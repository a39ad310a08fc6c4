"""The head's dashboard in a real browser: the charts are drawn (Chart.js under script-src 'self')."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.deals import services as deal_services
from kartoteka.deals.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_heads_dashboard_draws_its_charts(page: Page, live_server: Any, head_a: Any, owner: Any,
                                              colleague: Any, make_deal: Any, pipeline: Any) -> None:
    deal_services.win_deal(make_deal(owner, amount=700), actor=owner)
    make_deal(colleague, amount=300)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, head_a)

    page.goto(f"{live_server.url}/reports/")

    expect(page.locator("canvas[data-chart='people-chart']")).to_have_attribute("data-drawn", "1")
    expect(page.locator("canvas[data-chart='stage-chart']")).to_have_attribute("data-drawn", "1")
    expect(page.get_by_test_id("people-table")).to_contain_text("colleague")
    assert problems == []


def test_an_abc_xyz_cell_opens_as_the_companies_list_and_is_saved_as_a_view(
        page: Page, live_server: Any, owner: Any, make_company: Any, make_deal: Any, pipeline: Any,
        make_product: Any) -> None:
    from kartoteka.products.demand import record_demand

    for name, amount in (("ООО Крупный", 900), ("ООО Мелкий", 100)):
        company = make_company(owner, name=name)
        deal_services.win_deal(make_deal(owner, company=company.pk, amount=amount), actor=owner)
    record_demand(company, actor=owner, data={"product_name": "Тиски зелёные", "quantity": "3"})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/reports/abc/?period=year")
    expect(page.locator("canvas[data-chart='report-chart']")).to_have_attribute("data-drawn", "1")
    page.get_by_test_id("open-list-abc-A").click()

    page.wait_for_url("**/companies/?segment=abc*")
    expect(page.locator("#list")).to_contain_text("ООО Крупный")
    expect(page.locator("#list")).not_to_contain_text("ООО Мелкий")
    page.locator("[data-testid=saved-views] > summary").click()
    page.fill("[data-save-view] input[name=name]", "Клиенты A")
    page.get_by_test_id("save-view").click()
    expect(page.get_by_test_id("saved-view")).to_contain_text("Клиенты A")
    page.get_by_test_id("saved-view").click()
    expect(page.locator("#list")).to_contain_text("ООО Крупный")
    expect(page.locator("#list")).not_to_contain_text("ООО Мелкий")

    page.goto(f"{live_server.url}/reports/unmet_demand/")
    expect(page.locator("canvas[data-chart='report-chart']")).to_have_attribute("data-drawn", "1")
    expect(page.get_by_test_id("report-table")).to_contain_text("Тиски зелёные")
    assert problems == []
