"""Merge and undo in a real browser: from the duplicates report to the merged card and back.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_from_the_report_then_undo_brings_both_back(
        page: Page, live_server: Any, owner: Any, make_company: Any, make_contact: Any) -> None:
    first = make_company(owner, name="ООО «Ромашка»", inn="7707083893")
    second = make_company(owner, name="Ромашка ООО", phones=["+7 916 123-45-67"])
    employee = make_contact(owner, last_name="Семёнов", company=second.pk)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/duplicates/company/")
    page.get_by_test_id("merge-link").click()
    page.get_by_test_id("survivor-a").check()
    page.get_by_test_id("field-name-a").check()
    page.get_by_test_id("merge-submit").click()

    expect(page.get_by_test_id("undo-merge")).to_be_visible()
    assert Contact.objects.get(pk=employee.pk).company_id == first.pk
    assert Company.objects.get(pk=first.pk).phones == ["+79161234567"]
    assert Company.objects.get(pk=second.pk).deleted_at is not None
    page.get_by_role("link", name="Open the record").click()
    expect(page.locator(".timeline")).to_contain_text("Merged “Ромашка ООО”")
    page.go_back()

    page.get_by_test_id("undo-merge").click()

    page.wait_for_url(f"**{second.get_absolute_url()}")
    assert Company.objects.get(pk=second.pk).deleted_at is None
    assert Contact.objects.get(pk=employee.pk).company_id == second.pk
    assert Company.objects.get(pk=first.pk).phones == []
    assert problems == []


def test_the_new_company_form_warns_about_an_existing_client_as_you_type(
        page: Page, live_server: Any, owner: Any, colleague: Any, make_company: Any) -> None:
    make_company(colleague, name="ООО «Ромашка»", inn="7707083893")
    log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/companies/new/")
    page.fill("#id_inn", "7707083893")

    warning = page.get_by_test_id("duplicates")
    expect(warning).to_contain_text("same INN")
    expect(warning.get_by_test_id("duplicate-owner")).to_have_text("colleague")
