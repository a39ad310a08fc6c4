"""A head hands a manager's base over, split between two colleagues, in a real browser, and sees the entries on
the clients' timelines."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.contacts.models import Company
from kartoteka.deals.tests.test_browser import log_in
from kartoteka.handover import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_head_splits_a_managers_base_between_two_colleagues(page: Page, live_server: Any, head_a: Any, owner: Any,
                                                              colleague: Any, third: Any, make_company: Any) -> None:
    for name in ("ООО Первый", "ООО Второй"):
        make_company(owner, name=name)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, head_a)

    page.goto(f"{live_server.url}/team/{owner.pk}/")
    form = page.get_by_test_id("handover-form")
    form.get_by_label(str(colleague)).check()
    form.get_by_label(str(third)).check()
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-table")).to_contain_text(str(third))
    page.get_by_test_id("apply").click()

    expect(page.get_by_test_id("handover-progress")).to_have_text("2 / 2")
    expect(page.get_by_test_id("handover-status")).to_have_text("Done")
    first = Company.objects.get(name="ООО Первый")
    assert {first.owner, Company.objects.get(name="ООО Второй").owner} == {colleague, third}
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    expect(page.locator(".tl-body", has_text=f"{owner} → {first.owner} (handover)")).to_be_visible()
    assert problems == []


def test_the_handover_page_follows_the_background_job_without_a_reload(page: Page, live_server: Any, head_a: Any,
                                                                      owner: Any, colleague: Any,
                                                                      make_company: Any) -> None:
    for i in range(3):
        make_company(owner, name=f"ООО Клиент {i}")
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague])  # queued, not run
    log_in(page, live_server, head_a)
    page.goto(f"{live_server.url}{handover.get_absolute_url()}")
    expect(page.get_by_test_id("handover-progress")).to_have_text("0 / 3")

    services.run_handover(handover)  # what the worker does meanwhile

    expect(page.get_by_test_id("handover-progress")).to_have_text("3 / 3", timeout=10_000)
    expect(page.get_by_test_id("handover-status")).to_have_text("Done")
    expect(page.get_by_test_id("revert")).to_be_visible()
