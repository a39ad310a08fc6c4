"""Gate 3 (issue 3): stored XSS. A corpus of hostile strings goes into every text field a person can fill —
companies, contacts, deals, products (and so deal lines), notes, tags, custom field values, labels and options, user
and team names — through the
services, the HTML forms (as the browser posts them) and the API, and a few through the real UI in the browser.
Then headless Chromium opens every page where they show and checks that:

- no payload ran (each sets `window.__xss` or opens a dialog; CSP violations are recorded too),
- no element or attribute from a payload is in the DOM (no on* attribute anywhere, no injected img, svg,
  iframe, style, base, meta refresh, no hx-*/Alpine attribute naming our marker, no javascript:/data: link),
- the text shows literally (names in the lists, the recycle bin, the autocomplete, titles and edit inputs).

URL fields (the website, url custom fields) refuse javascript: and friends and never render such an href.
Web forms and import do not exist yet: when they come, their write path joins the corpus here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from playwright.sync_api import Page, expect

from kartoteka.accounts.services import create_user
from kartoteka.activities.services import add_note
from kartoteka.conftest import PASSWORD, api_client_for, client_for
from kartoteka.contacts import services
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.records import set_share
from kartoteka.customfields.models import CustomField
from kartoteka.deals import lines as deal_lines
from kartoteka.deals import services as deal_services
from kartoteka.deals.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Ж" * 10_000
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=2>",
    '<svg onload="window.__xss=3">',
    "<svg><script>window.__xss=4</script></svg>",
    '"><script>window.__xss=5</script>',
    "'><img src=x onerror=window.__xss=6>",
    '" onmouseover="window.__xss=7" autofocus onfocus="window.__xss=7" x="',
    "' onfocus='window.__xss=8' autofocus '",
    "</textarea><script>window.__xss=9</script><textarea>",
    "</title><script>window.__xss=10</script>",
    "</option></select><img src=x onerror=window.__xss=11>",
    '<iframe src="javascript:window.top.__xss=12"></iframe>',
    '<a href="javascript:window.__xss=13">click</a>',
    "javascript:window.__xss=14",
    "<body onload=window.__xss=15>",
    "<details open ontoggle=window.__xss=16>",
    "<input autofocus onfocus=window.__xss=17>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=18>",
    "{{7*7}} {% debug %} ${7*7} #{7*7} <%= 7*7 %>",
    '<div hx-get="/xss-htmx" hx-trigger="load" hx-target="body">htmx</div>',
    '<div x-data x-init="window.__xss=19">alpine-xss</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=20">',
    '<object data="javascript:window.__xss=21"></object>',
    "<style>body{display:none}</style>",
    '<base href="//evil.example/">',
    "<scr<script>ipt>window.__xss=22</scr</script>ipt>",
    "&lt;script&gt;window.__xss=23&lt;/script&gt; %3Cscript%3E",
    '\\";window.__xss=24;//',
    "</script><script>window.__xss=25</script>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=26>">',
    '<a href="data:text/html,<script>window.__xss=27</script>">data</a>',
    "<svg><animate onbegin=window.__xss=28 attributeName=x dur=1s>",
    "<video><source onerror=window.__xss=29></video>",
    "<script>alert(30)</script><img src=x onerror=alert(30)>",
    "\u202eRTL override gnp.exe\u202c and \u200bzero\u200cwidth\u200djoiner\ufeff",
    "Эмодзи 😀👍🏽🇷🇺 and combining e\u0301 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "<x onclick=window.__xss=31>custom element</x>",
    "{{ request.user.password }} {% now 'Y' %}",
]
# Valid http(s) addresses that still carry markup: a URL field must keep them inert.
URLS = [
    'https://example.com/?q="><script>window.__xss=40</script>',
    "https://example.com/'onmouseover='window.__xss=41",
    "https://example.com/#<img/src=x/onerror=window.__xss=42>",
]
BAD_URLS = ["javascript:window.__xss=43", "JaVaScRiPt:window.__xss=44", " javascript:window.__xss=45",
            "data:text/html,<script>window.__xss=46</script>", "vbscript:msgbox(1)", "java\tscript:window.__xss=47"]

# After every page: what a payload would have left behind. Our own templates have no inline handlers, styles,
# images or frames (test_settings checks the CSP compliance of the pages).
DOM_CHECK = """() => {
  const bad = [];
  if (window.__xss !== undefined) bad.push('window.__xss = ' + window.__xss);
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value;
      if (name.startsWith('on')) bad.push(el.tagName + ' ' + name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name)
          && /^\\s*(javascript|data|vbscript):/i.test(value) && el.tagName !== 'IMG') bad.push(el.tagName + ' ' + name + '=' + value);
      if (/^(data-)?hx-/.test(name) && value.startsWith('/xss-htmx')) bad.push(el.tagName + ' ' + name + '=' + value);
      if (name === 'x-init' || (name === 'x-data' && value !== 'toggle')) bad.push(el.tagName + ' ' + name);
    }
  }
  const foreign = 'iframe, frame, object, embed, base, meta[http-equiv], svg, math, video, audio, x, style, img, '
    + 'link:not([href^="/static/"]), script:not([src^="/static/"]), mglyph, animate';
  for (const el of document.querySelectorAll(foreign)) bad.push('element ' + el.outerHTML.slice(0, 80));
  if (window.__cspViolations.length) bad.push('CSP: ' + window.__cspViolations.join(', '));
  return bad;
}"""
INIT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def short(text: str, limit: int) -> str:
    return text[:limit].strip()


def name_of(i: int) -> str:
    """A company name: the payload plus a marker the searches and the autocomplete find it by."""
    return f"{short(PAYLOADS[i], 240)} xss{i:02d}"


@pytest.fixture
def corpus(db: Any, make_custom_field: Any) -> dict[str, Any]:
    """The corpus written into every text field, through each write path."""
    n = len(PAYLOADS)
    team = short(PAYLOADS[1], 100)
    head = create_user(username="xss_head", role="head", password=PASSWORD, teams=[team], check_password=False,
                       first_name=short(PAYLOADS[0], 150), last_name=short(PAYLOADS[7], 150))
    admin = create_user(username="xss_admin", role="admin", password=PASSWORD, check_password=False,
                        first_name=short(PAYLOADS[4], 150), last_name=short(PAYLOADS[8], 150))
    members = [create_user(username=f"xss_m{j}", role="manager", password=PASSWORD, teams=[team],
                           check_password=False, first_name=short(PAYLOADS[j], 150),
                           last_name=short(PAYLOADS[(j + 9) % n], 150)) for j in range(10, 18)]
    choices = list(dict.fromkeys(short(p, 100) for p in PAYLOADS[:12]))
    fields = [
        make_custom_field("note", "text", label=short(PAYLOADS[2], 100)),
        make_custom_field("link", "url", label=short(PAYLOADS[5], 100)),
        make_custom_field("kind", "choice", label=short(PAYLOADS[9], 100), choices=tuple(choices)),
        make_custom_field("kinds", "multichoice", label=short(PAYLOADS[20], 100), choices=tuple(choices)),
        make_custom_field("cnote", "text", entity="contact", label=short(PAYLOADS[3], 100)),
    ]
    head_api, head_html = api_client_for(head), client_for(head)
    companies, contacts = [], []
    for i, payload in enumerate(PAYLOADS):
        nxt = PAYLOADS[(i + 1) % n]
        # Companies through the API.
        body = {
            "name": name_of(i), "industry": short(payload, 100), "legal_address": short(payload, 500),
            "postal_address": short(nxt, 500), "description": payload + ("\n" + LONG if i == 0 else ""),
            "website": URLS[i % len(URLS)], "tags": [short(payload, 50), short(nxt, 50)],
            "custom_fields": {"note": short(payload, 2000) if i else LONG[:1900] + payload,
                              "link": URLS[(i + 1) % len(URLS)], "kind": choices[i % len(choices)],
                              "kinds": [choices[i % len(choices)], choices[(i + 3) % len(choices)]]},
        }
        response = head_api.post("/api/v1/companies", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        company = Company.objects.get(pk=response.json()["id"])
        # A change through the service, so the timeline shows old → new payloads.
        company = services.update_company(company, actor=head, data={"industry": short(nxt, 100)})
        # A note through the card's form.
        assert head_html.post(reverse("contacts:company_note", args=[company.pk]), {"body": payload}).status_code == 302
        set_share(company, actor=head, user=members[i % len(members)], shared=True)
        companies.append(company)
        # Contacts through the HTML form, then a change through the API and a note through the service.
        # Each contact holds three payloads in a row (i, i+1, i+2), so every third contact's pages show them all.
        after = PAYLOADS[(i + 2) % n]
        response = head_html.post(reverse("contacts:contact_create"), {
            "first_name": f"xss{i:02d}", "last_name": short(payload, 100), "middle_name": short(nxt, 100),
            "position": short(nxt, 150), "company": company.pk, "description": payload + "\n" + after,
            "owner": head.pk, "tags": short(after.replace(",", " "), 50), "cf_cnote": short(after, 2000),
        })
        assert response.status_code == 302, response.content.decode()[:2000]
        contact = Contact.objects.get(first_name=f"xss{i:02d}")
        response = head_api.patch(f"/api/v1/contacts/{contact.pk}", json.dumps({"position": short(after, 150)}),
                                  content_type="application/json")
        assert response.status_code == 200, response.content
        add_note(contact, actor=head, body=payload)
        contacts.append(contact)
        # The recycle bin's copies.
        services.delete_company(services.create_company(actor=head, data={"name": f"{short(payload, 240)} del{i:02d}"}),
                                actor=head)
        services.delete_contact(services.create_contact(actor=head, data={
            "first_name": f"del{i:02d}", "last_name": short(payload, 100)}), actor=head)
    for payload in PAYLOADS:  # the first card's timeline runs over a page ("Show earlier")
        add_note(companies[0], actor=head, body=payload)
    # Deals through the API: the title and description on the list, the board, the cards of deals and companies.
    pipeline = deal_services.create_pipeline(actor=admin, data={"name": short(PAYLOADS[11], 100)})
    deals = []
    for i, payload in enumerate(PAYLOADS):
        response = head_api.post("/api/v1/deals", json.dumps({
            "title": name_of(i), "description": payload, "pipeline": pipeline.pk, "company": companies[i].pk,
            "tags": [short(payload, 50)]}), content_type="application/json")
        assert response.status_code == 201, response.content
        deals.append(response.json()["id"])
    # Products through the API (SKU, name, description), put on every third deal as a line.
    admin_api, products = api_client_for(admin), []
    for i, payload in enumerate(PAYLOADS):
        response = admin_api.post("/api/v1/products", json.dumps({
            "sku": f"{short(payload, 50)} p{i:02d}", "name": name_of(i), "description": payload, "price": "100"}),
            content_type="application/json")
        assert response.status_code == 201, response.content
        products.append(response.json()["id"])
    for i, pk in list(enumerate(deals))[::3]:
        deal_lines.add_line(Deal.objects.get(pk=pk), actor=head, data={"product": products[i]})
    return {"head": head, "admin": admin, "members": members, "companies": companies, "contacts": contacts,
            "fields": fields, "choices": choices, "pipeline": pipeline, "deals": deals, "products": products}


def test_url_fields_refuse_script_urls_through_every_write_path(db, owner, make_custom_field):
    make_custom_field("link", "url")
    company = services.create_company(actor=owner, data={"name": "ООО Ссылка"})
    api_client, html_client = api_client_for(owner), client_for(owner)
    for url in BAD_URLS:
        for data in ({"website": url}, {"custom_fields": {"link": url}}):
            with pytest.raises(ValidationError):
                services.update_company(company, actor=owner, data=data)
            response = api_client.patch(f"/api/v1/companies/{company.pk}", json.dumps(data),
                                        content_type="application/json")
            assert response.status_code == 422, (url, data)
        response = html_client.post(reverse("contacts:company_edit", args=[company.pk]), {
            "name": "ООО Ссылка", "status": "potential", "website": url, "cf_link": url, "version": company.version})
        assert response.status_code == 422, url
    company.refresh_from_db()
    assert (company.website, company.custom_fields, company.version) == ("", {}, 1)


# --- the browser ---------------------------------------------------------------------------------------------


class Visit:
    """Opens pages as one signed-in user and checks each (dialogs are collected for the whole visit)."""

    def __init__(self, page: Page, base_url: str, user: Any) -> None:
        self.page, self.base_url, self.dialogs = page, base_url, []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.add_init_script(INIT)
        session = client_for(user).cookies["sessionid"].value  # signed in (and two-factor verified) like a test client
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])

    def open(self, path: str) -> None:
        response = self.page.goto(self.base_url + path, wait_until="domcontentloaded")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        self.check(path)

    def check(self, where: str) -> None:
        bad = self.page.evaluate(DOM_CHECK)
        if self.dialogs:
            bad.append(f"dialogs {self.dialogs}")
        assert not bad, f"{where}: " + "\n".join(bad)

    def texts(self, selector: str) -> list[str]:
        return self.page.locator(selector).evaluate_all("els => els.map(e => e.textContent.trim())")


def choose_all_columns(page: Page) -> None:
    page.locator("details:has(form.columns) > summary").click()
    boxes = page.locator("form.columns input[name=columns]")
    for k in range(boxes.count()):
        boxes.nth(k).check()
    page.locator("form.columns button[type=submit]").click()
    page.wait_for_load_state("load")


def test_stored_payloads_never_run_and_show_as_text(page: Page, live_server: Any, corpus: dict[str, Any]) -> None:
    n = len(PAYLOADS)
    visit = Visit(page, live_server.url, corpus["admin"])

    # The lists with every column (custom fields, tags, responsible, website…), chosen in the column chooser.
    for path, entity in (("/companies/", "company"), ("/contacts/", "contact")):
        visit.open(path + "?per_page=200")
        choose_all_columns(page)
        visit.open(path + "?per_page=200")
        assert page.locator("#list tbody tr").count() == n
        assert page.locator("#list thead th").count() >= 14
        if entity == "company":
            assert sorted(visit.texts("#list tbody td[data-field=name] a")) == sorted(
                Company.objects.get(pk=c.pk).name for c in corpus["companies"])
        else:
            assert sorted(visit.texts('#list tbody td a[href^="/companies/"]')) == sorted(name_of(i) for i in range(n))
        # The HTMX search swaps the same rows in; sorting by a column too.
        page.fill("#q", "xss0")
        expect(page.locator("#list tbody tr")).to_have_count(10)
        visit.check(f"{path} live search")
        page.locator("#list thead th a").first.click()
        page.wait_for_load_state("load")
        visit.check(f"{path} sorted")
    visit.open("/deals/?per_page=200")
    choose_all_columns(page)
    visit.open("/deals/?per_page=200")
    assert sorted(visit.texts("#list tbody td[data-field=title] a")) == sorted(name_of(i) for i in range(n))
    visit.open(f"/deals/board/{corpus['pipeline'].pk}/")
    assert sorted(visit.texts("a.deal-title")) == sorted(name_of(i) for i in range(n))
    for i, pk in list(enumerate(corpus["deals"]))[::3]:
        visit.open(f"/deals/{pk}/")
        expect(page.get_by_test_id("card-title")).to_have_text(name_of(i))
        visit.open(f"/deals/{pk}/edit/")
        assert page.locator("input[name=title]").input_value() == name_of(i)
    # The catalog: the list with every column, every third product's card and form; the deal cards above showed
    # them as lines; the lines' product picker.
    visit.open("/products/?per_page=200")
    choose_all_columns(page)
    visit.open("/products/?per_page=200")
    assert sorted(visit.texts("#list tbody td[data-field=name] a")) == sorted(name_of(i) for i in range(n))
    for i, pk in list(enumerate(corpus["products"]))[::3]:
        visit.open(f"/products/{pk}/")
        expect(page.get_by_test_id("card-title")).to_have_text(name_of(i))
        visit.open(f"/products/{pk}/edit/")
        assert page.locator("input[name=name]").input_value() == name_of(i)
    visit.open(f"/deals/{corpus['deals'][0]}/")
    page.get_by_test_id("product-search").fill("xss0")
    expect(page.locator("select[name=product] option", has_text="xss0")).to_have_count(10)
    visit.check("the product picker")
    # Payloads reflected in the search box and the filter form.
    for payload in PAYLOADS[:9]:
        page.goto(f"{live_server.url}/companies/?" + urlencode({"q": payload}))
        visit.check(f"search for {payload!r}")
        assert page.locator("#q").input_value() == payload

    # Every company card (fields, custom values, tags, sharing, related contacts, the timeline) and edit form;
    # every third contact's, which hold every payload between them.
    for i, company in enumerate(corpus["companies"]):
        visit.open(f"/companies/{company.pk}/")
        expect(page.get_by_test_id("card-title")).to_have_text(name_of(i))
        visit.open(f"/companies/{company.pk}/edit/")
        assert page.locator("input[name=name]").input_value() == name_of(i)
        assert page.locator("textarea[name=description]").input_value() == Company.objects.get(pk=company.pk).description
    for i, contact in list(enumerate(corpus["contacts"]))[::3]:
        visit.open(f"/contacts/{contact.pk}/")
        visit.open(f"/contacts/{contact.pk}/edit/")
        assert page.locator("input[name=last_name]").input_value() == short(PAYLOADS[i], 100)
        assert page.locator("input[name=position]").input_value() == short(PAYLOADS[(i + 2) % n], 150)
    for company, contact in zip(corpus["companies"][:3], corpus["contacts"][:3], strict=True):
        visit.open(f"/companies/{company.pk}/delete/")
        visit.open(f"/contacts/{contact.pk}/delete/")

    # The long timeline's next page (HTMX) and its filters.
    visit.open(f"/companies/{corpus['companies'][0].pk}/")
    page.get_by_role("button", name="Show earlier").click()
    expect(page.locator("#tl-list .tl-note")).to_have_count(n + 2)  # and the first contact's note
    visit.check("the timeline's next page")
    page.locator(".tl-filter a").nth(1).click()
    expect(page.locator("#tl-list .tl-change")).to_have_count(0)
    visit.check("the timeline's notes filter")

    # Written in the browser: a note (HTMX swaps the timeline) and an inline cell edit (HTMX swaps the cell).
    visit.open(f"/companies/{corpus['companies'][1].pk}/")
    page.fill("#timeline textarea[name=body]", PAYLOADS[9] + "\n" + PAYLOADS[1])
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#tl-list .tl-note").first).to_contain_text("</textarea>")
    visit.check("a note added in the browser")
    visit.open("/companies/?per_page=200&q=xss02")
    cell = page.locator("#list tbody tr td[data-field=industry]").first
    cell.dblclick()
    cell.locator("input[name=industry]").fill(short(PAYLOADS[6], 100))
    cell.get_by_role("button", name="Save").click()
    expect(cell).to_have_text(short(PAYLOADS[6], 100))
    visit.check("a cell edited in the browser")

    # The recycle bin, the company picker's autocomplete, custom field settings, the profile.
    visit.open("/trash/")
    trash = visit.texts("table.table td:first-child a")
    assert {f"{short(p, 240)} del{i:02d}" for i, p in enumerate(PAYLOADS)} <= set(trash)
    visit.open("/contacts/new/")
    for prefix in ("xss0", "xss1", "xss2", "xss3"):
        page.get_by_test_id("company-search").fill(prefix)
        expect(page.locator("select[name=company] option", has_text=prefix)).not_to_have_count(0)
        visit.check(f"autocomplete {prefix}")
        options = visit.texts("select[name=company] option")
        assert {o for o in options if o.endswith(tuple(f"xss{k:02d}" for k in range(n)))} == {
            name_of(i) for i in range(n) if f"xss{i:02d}".startswith(prefix)}
    visit.open("/settings/fields/")
    for field in corpus["fields"]:
        visit.open(f"/settings/fields/{field.pk}/")
        assert page.locator("input[name=label]").input_value() == CustomField.objects.get(pk=field.pk).label
    visit.open("/accounts/profile/")
    expect(page.locator("main h1")).to_have_text(str(corpus["admin"]))

    assert visit.dialogs == []
