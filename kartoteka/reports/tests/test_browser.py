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
