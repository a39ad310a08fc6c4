"""A head hands a manager's base over, split between two colleagues, in a real browser, and sees the entries on
the clients' timelines."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.contacts.models import Company
from kartoteka.deals.tests.test_browser import log_in

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
    first = Company.objects.get(name="ООО Первый")
    assert {first.owner, Company.objects.get(name="ООО Второй").owner} == {colleague, third}
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    expect(page.locator(".tl-body", has_text=f"{owner} → {first.owner} (handover)")).to_be_visible()
    assert problems == []
