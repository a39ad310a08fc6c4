"""The header search in a real browser: Ctrl+K focuses it, typing a phone fragment lists the company.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.deals.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ctrl_k_then_a_phone_fragment_finds_the_company_and_opens_its_card(
        page: Page, live_server: Any, owner: Any, manager_b: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО «Ромашка»", phones=["+7 916 123-45-67"])
    make_company(manager_b, name="Чужая Ромашка", phones=["+7 916 123-45-67"])
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, owner)

    page.keyboard.press("Control+k")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("8 (916) 123-45")

    results = page.get_by_test_id("search-group-company")
    expect(results.get_by_test_id("search-hit")).to_have_text(["ООО «Ромашка»"])
    expect(results.locator(".search-owner")).to_have_text([str(owner)])
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("search-results")).to_have_count(0)
    page.locator("#global-search").fill("РОМАШ")
    page.get_by_test_id("search-hit").first.click()
    page.wait_for_url(f"**{company.get_absolute_url()}")
    assert problems == []
