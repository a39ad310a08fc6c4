"""A manager's first lead in a real browser: take it from the inbox, convert it, close the deal as won.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.deals.models import Deal
from kartoteka.deals.tests.test_browser import log_in
from kartoteka.leads import services
from kartoteka.leads.choices import AssignmentRule, LeadStatus
from kartoteka.leads.models import Lead, TeamDistribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_a_lead_from_the_inbox_convert_it_and_win_the_deal(page: Page, live_server: Any, owner: Any,
                                                                 pipeline: Any) -> None:
    TeamDistribution.objects.create(team=owner.team, rule=AssignmentRule.POOL)
    lead = services.intake_lead(values={"name": "Ольга Быстрова", "company_name": "ООО Быстрый старт",
                                        "phone": "+7 916 990-00-01", "message": "Нужны 5 станков"}, team=owner.team)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/leads/inbox/")
    page.get_by_test_id(f"take-{lead.pk}").click()
    expect(page.get_by_test_id(f"inbox-row-{lead.pk}")).to_have_count(0)  # taken: no longer waiting
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    expect(page.get_by_test_id("lead-status")).to_have_text("In work")
    expect(page.get_by_test_id("convert-form")).to_be_visible()  # a lead in work offers conversion at once
    page.get_by_test_id("convert-form").locator("input[name=amount]").fill("250000")
    page.get_by_test_id("convert").click()

    expect(page.get_by_test_id("card-title")).to_have_text("ООО Быстрый старт")
    expect(page.get_by_text("Нужны 5 станков")).to_be_visible()  # the request moved onto the deal's timeline
    page.get_by_test_id("win").click()
    expect(page.get_by_test_id("deal-status")).to_have_text("Won")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED and Deal.objects.get(pk=lead.deal_id).stage.kind == "won"
    assert Lead.objects.get(pk=lead.pk).owner == owner
    assert problems == []
