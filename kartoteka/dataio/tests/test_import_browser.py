"""A manager imports an amoCRM export (Windows-1251) in a real browser: upload, check the guessed mapping and
the preview, start, watch the result, and find the failed-rows file."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.contacts.models import Contact
from kartoteka.dataio.demo import sample_csv
from kartoteka.deals.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_imports_an_amocrm_cp1251_file(page: Page, live_server: Any, owner: Any) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)

    page.goto(f"{live_server.url}/contacts/")
    page.get_by_test_id("import").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "amocrm-contacts.csv", "mimeType": "text/csv", "buffer": sample_csv()})
    page.get_by_test_id("upload").click()

    expect(page.get_by_label("Полное имя")).to_have_value("full_name")
    expect(page.get_by_label("Мобильный телефон")).to_have_value("phones")
    expect(page.get_by_test_id("preview-table")).to_contain_text("“12-34” is not a valid phone number.")
    page.get_by_test_id("start").click()

    expect(page.get_by_test_id("import-status")).to_have_text("Done")
    expect(page.get_by_test_id("import-rows")).to_have_text("11 / 11")
    expect(page.get_by_test_id("created")).to_have_text("8")
    expect(page.get_by_test_id("skipped")).to_have_text("1")
    expect(page.get_by_test_id("failed")).to_have_text("2")
    with page.expect_download() as download:
        page.get_by_test_id("failed-rows").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
    assert "belov(at)mail" in content and "Reason" in content
    assert Contact.objects.filter(owner=owner).count() == 8
    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_test_id("import-list")).to_contain_text("amocrm-contacts.csv")
    assert problems == []
