"""What a user does in a real browser: search, inline edit, the card, conflicts, language, XSS, CSP, mobile.

Debian chromium via pytest-playwright (see kartoteka/conftest.py `browser_type_launch_args`), against
pytest-django's live server. Every user logs in through the real login form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import Page, expect

from kartoteka.activities.services import add_note
from kartoteka.conftest import PASSWORD
from kartoteka.contacts.models import Company
from kartoteka.contacts.services import create_company, update_company

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_INN = "7707083893"
WRONG_CHECKSUM_INN = "7707083894"
XSS_NAME = "<img src=x onerror=window.__xss=1><script>window.__xss=1</script>"
XSS_NOTE = "<script>window.__xss=2</script>"
XSS_WEBSITE = "javascript:window.__xss=3"

# Records every CSP violation the page reports, in addition to the console message Chromium prints.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def log_in(page: Page, live_server: Any, user: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/companies/")  # managers would start on My day
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url("**/companies/")


def company_row(page: Page, name: str) -> Any:
    return page.locator("#list tbody tr", has=page.get_by_role("link", name=name, exact=True))


def mark_page(page: Page) -> None:
    """Set a flag that a full page load would wipe: it proves a change came without a reload."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"


def open_columns_and_show(page: Page, label: str) -> None:
    page.locator("details:has(form.columns) > summary").click()
    page.locator("form.columns label.check", has_text=label).locator("input").check()
    page.locator("form.columns button[type=submit]").click()
    page.wait_for_load_state()


def test_live_search_narrows_the_list_without_reload_and_opens_the_card(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    make_company(owner, name="ООО Ромашка")
    make_company(owner, name="АО Василёк")
    make_company(owner, name="ИП Лютиков")
    log_in(page, live_server, owner)
    rows = page.locator("#list tbody tr")
    expect(rows).to_have_count(3)
    mark_page(page)

    page.fill("#q", "ромаш")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ООО Ромашка")
    expect(page.get_by_test_id("count")).to_contain_text("1")
    assert_same_document(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["ромаш"]  # the search is in the address (shareable)

    page.get_by_role("link", name="ООО Ромашка", exact=True).click()
    expect(page.get_by_test_id("card-title")).to_have_text("ООО Ромашка")


def test_inline_edit_saves_the_cell_and_the_card_timeline_shows_old_and_new(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", industry="Торговля", inn=VALID_INN)
    log_in(page, live_server, owner)
    open_columns_and_show(page, "Industry")

    cell = company_row(page, "ООО Ромашка").locator("td[data-field=industry]")
    expect(cell).to_have_text("Торговля")
    mark_page(page)
    cell.dblclick()
    cell.locator("input[name=industry]").fill("Логистика")
    cell.get_by_role("button", name="Save").click()

    expect(cell.locator("form")).to_have_count(0)
    expect(cell).to_have_text("Логистика")
    assert_same_document(page)
    assert Company.objects.get(pk=company.pk).industry == "Логистика"

    page.get_by_role("link", name="ООО Ромашка", exact=True).click()
    change = page.locator("#tl-list .tl-changes li", has_text="Industry")
    expect(change).to_have_count(1)
    expect(change.locator("del")).to_have_text("Торговля")
    expect(change.locator("ins")).to_have_text("Логистика")


def test_inline_edit_with_invalid_inn_shows_the_error_in_place_and_keeps_the_value(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", inn=VALID_INN)
    log_in(page, live_server, owner)

    cell = company_row(page, "ООО Ромашка").locator("td[data-field=inn]")
    cell.dblclick()
    cell.locator("input[name=inn]").fill(WRONG_CHECKSUM_INN)
    cell.get_by_role("button", name="Save").click()

    expect(cell.locator("[role=alert]")).to_contain_text("checksum")
    expect(cell.locator("input[name=inn]")).to_have_value(WRONG_CHECKSUM_INN)
    assert Company.objects.get(pk=company.pk).inn == VALID_INN

    cell.get_by_role("button", name="Cancel").click()
    expect(cell).to_have_text(VALID_INN)


def test_inline_edit_after_someone_else_saved_shows_the_conflict_in_place_and_keeps_their_value(
        page: Page, live_server: Any, owner: Any, head_a: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", inn=VALID_INN)
    log_in(page, live_server, owner)
    cell = company_row(page, "ООО Ромашка").locator("td[data-field=status]")
    cell.dblclick()
    expect(cell.locator("select[name=status]")).to_be_visible()

    update_company(Company.objects.get(pk=company.pk), actor=head_a, data={"status": "active"})
    cell.locator("select[name=status]").select_option("former")
    cell.get_by_role("button", name="Save").click()

    expect(cell.locator("[role=alert]")).to_contain_text("Someone changed this record")
    expect(cell.locator("select[name=status]")).to_have_value("active")
    assert Company.objects.get(pk=company.pk).status == "active"


def test_edit_form_submitted_after_someone_else_saved_shows_a_conflict_and_keeps_their_change(
        page: Page, live_server: Any, owner: Any, head_a: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", industry="Торговля")
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/companies/{company.pk}/edit/")
    page.fill("#id_industry", "Моя правка")

    update_company(Company.objects.get(pk=company.pk), actor=head_a, data={"industry": "Правка руководителя"})
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("conflict")).to_be_visible()
    expect(page.locator("#id_industry")).to_have_value("Моя правка")  # the user's typing is not lost
    assert Company.objects.get(pk=company.pk).industry == "Правка руководителя"


def test_note_added_on_the_card_appears_at_the_top_of_the_timeline_without_reload(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка")
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/companies/{company.pk}/")
    mark_page(page)

    page.fill("#timeline textarea[name=body]", "Позвонить в пятницу")
    page.get_by_role("button", name="Add note").click()

    first = page.locator("#tl-list > li").first
    expect(first).to_have_class("tl-item tl-note")
    expect(first.locator(".tl-body")).to_have_text("Позвонить в пятницу")
    expect(page.locator("#timeline textarea[name=body]")).to_have_value("")
    assert_same_document(page)


def test_language_switch_in_the_nav_changes_the_interface_to_russian_and_back(
        page: Page, live_server: Any, owner: Any) -> None:
    log_in(page, live_server, owner)
    html = page.locator("html")
    nav = page.locator("nav.mainnav")
    expect(html).to_have_attribute("lang", "en")
    expect(nav).to_contain_text("Companies")

    page.get_by_test_id("lang-ru").click()

    expect(html).to_have_attribute("lang", "ru")
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    expect(nav).to_contain_text("Компании")
    expect(nav).not_to_contain_text("Companies")

    page.get_by_test_id("lang-en").click()

    expect(html).to_have_attribute("lang", "en")
    expect(nav).to_contain_text("Companies")
    expect(page.get_by_test_id("lang-ru")).to_be_visible()


def test_stored_markup_in_name_and_note_is_shown_as_text_and_never_runs(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    with pytest.raises(ValidationError) as rejected:
        create_company(actor=owner, data={"name": "ООО Ссылка", "website": XSS_WEBSITE})
    assert "website" in rejected.value.message_dict
    company = make_company(owner, name=XSS_NAME)
    with pytest.raises(ValidationError):
        update_company(company, actor=owner, data={"website": XSS_WEBSITE})
    add_note(company, actor=owner, body=XSS_NOTE)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, owner)

    expect(company_row(page, XSS_NAME)).to_have_count(1)
    page.fill("#q", "img src")  # the HTMX-swapped list renders the same text
    expect(page.locator("#list tbody tr")).to_have_count(1)
    expect(company_row(page, XSS_NAME)).to_have_count(1)
    assert page.locator("img[src=x], #list script").count() == 0
    assert page.evaluate("window.__xss") is None

    page.get_by_role("link", name=XSS_NAME, exact=True).click()
    expect(page.get_by_test_id("card-title")).to_have_text(XSS_NAME)
    expect(page.locator("#tl-list .tl-note .tl-body")).to_have_text(XSS_NOTE)
    assert page.locator("img[src=x], main script, a[href^='javascript:' i]").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert Company.objects.get(pk=company.pk).website == ""


def test_list_card_and_edit_pages_have_no_javascript_errors_or_csp_violations(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", inn=VALID_INN, phones=["+7 495 123-45-67"],
                           emails=["info@romashka.ru"], website="https://romashka.ru")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.add_init_script(CSP_RECORDER)
    log_in(page, live_server, owner)

    def check(where: str) -> None:
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], f"CSP violations on {where}: {violations}"
        assert problems == [], f"errors on {where}: {problems}"

    check("the list")
    page.fill("#q", "ромаш")
    expect(page.locator("#list tbody tr")).to_have_count(1)
    cell = company_row(page, "ООО Ромашка").locator("td[data-field=inn]")
    cell.dblclick()
    cell.get_by_role("button", name="Cancel").click()
    expect(cell).to_have_text(VALID_INN)
    check("the list after live search and inline edit")

    page.goto(f"{live_server.url}/companies/{company.pk}/")
    page.fill("#timeline textarea[name=body]", "Заметка")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#tl-list .tl-note")).to_have_count(1)
    check("the card")

    page.goto(f"{live_server.url}/companies/{company.pk}/edit/")
    check("the edit page")

    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_test_id("company-search").fill("ромаш")
    expect(page.locator("select[name=company] option", has_text="ООО Ромашка")).to_have_count(1)
    check("the contact form's company autocomplete")


def test_mobile_viewport_renders_list_and_card_and_the_menu_button_opens_the_nav(
        page: Page, live_server: Any, owner: Any, make_company: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    company = make_company(owner, name="ООО Ромашка", inn=VALID_INN)
    log_in(page, live_server, owner)

    expect(company_row(page, "ООО Ромашка")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the list page scrolls sideways"
    nav_link = page.locator("nav.mainnav").get_by_role("link", name="Companies")
    toggle = page.locator("button.nav-toggle")
    expect(nav_link).to_be_hidden()
    toggle.click()
    expect(nav_link).to_be_visible()
    toggle.click()
    expect(nav_link).to_be_hidden()

    page.goto(f"{live_server.url}/companies/{company.pk}/")
    expect(page.get_by_test_id("card-title")).to_have_text("ООО Ромашка")
    expect(page.locator("#timeline")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the card scrolls sideways"
    toggle.click()
    expect(nav_link).to_be_visible()
