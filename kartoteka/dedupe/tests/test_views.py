"""Duplicate control pages: the warning as the user types, the report, merge and undo through the UI."""

from __future__ import annotations

from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.models import SecurityEvent
from kartoteka.conftest import client_for
from kartoteka.contacts.models import Company
from kartoteka.dedupe.models import DuplicatePolicy


def test_create_form_asks_for_duplicates_as_the_user_types(owner):
    text = client_for(owner).get("/companies/new/").content.decode()

    assert 'hx-post="/duplicates/company/check/"' in text


def test_warning_names_a_visible_duplicate_and_its_responsible(owner, make_company):
    romashka = make_company(owner, name="ООО «Ромашка»", inn="7707083893")

    text = client_for(owner).post("/duplicates/company/check/", {"name": "Ромашка ООО", "inn": "7707083893"},
                                  HTTP_HX_REQUEST="true").content.decode()

    assert romashka.get_absolute_url() in text
    assert "same INN, similar name" in text
    assert '<span data-testid="duplicate-owner">owner</span>' in text


def test_warning_about_another_teams_record_names_only_its_responsible(owner, manager_b, make_company):
    hidden = make_company(manager_b, name="Тайная Ромашка", phones=["+79161234567"])

    text = client_for(owner).post("/duplicates/company/check/", {"phones": "8 916 123-45-67"}).content.decode()

    assert "a record you cannot see" in text and "manager_b" in text
    assert "Тайная" not in text and hidden.get_absolute_url() not in text


def test_warning_excludes_the_record_being_edited(owner, make_company):
    romashka = make_company(owner, name="Ромашка", inn="7707083893")

    text = client_for(owner).post("/duplicates/company/check/", {"pk": romashka.pk, "name": "Ромашка",
                                                                 "inn": "7707083893"}).content.decode()

    assert "duplicate" not in text


def test_block_policy_shows_the_refusal_on_the_form(owner, admin, make_company):
    make_company(owner, name="Ромашка", inn="7707083893")
    client_for(admin).post("/settings/duplicates/", {"company": "block", "contact": "warn"})

    response = client_for(owner).post("/companies/new/", {"name": "Лютик", "inn": "7707083893", "status": "potential",
                                                          "owner": owner.pk})

    assert response.status_code == 422
    assert "Already in the base (responsible: owner)" in response.content.decode()


def test_policy_page_sets_each_create_path(admin):
    client_for(admin).post("/settings/duplicates/", {"company_ui": "warn", "company_api": "block",
                                                     "company_import": "block", "contact_ui": "block"})

    assert set(DuplicatePolicy.objects.values_list("entity", "source", "mode")) == {
        ("company", "ui", "warn"), ("company", "api", "block"), ("company", "import", "block"),
        ("contact", "ui", "block"), ("contact", "api", "warn"), ("contact", "import", "warn")}
    page = client_for(admin).get("/settings/duplicates/").content.decode()
    assert 'name="company_api"' in page and "Import" in page


def test_report_lists_pairs_with_a_merge_link(owner, make_company):
    a = make_company(owner, name="ООО «Ромашка»")
    b = make_company(owner, name="Ромашка")

    text = client_for(owner).get("/duplicates/company/").content.decode()

    assert f'href="/duplicates/company/merge/{a.pk}/{b.pk}/"' in text


def test_merge_then_undo_through_the_pages(owner, make_company):
    a = make_company(owner, name="ООО «Ромашка»")
    b = make_company(owner, name="Ромашка", inn="7707083893")
    client = client_for(owner)
    form = client.get(f"/duplicates/company/merge/{a.pk}/{b.pk}/").content.decode()
    assert f'name="field_inn" value="{b.pk}" checked' in form  # the only filled value is preselected

    done = client.post(f"/duplicates/company/merge/{a.pk}/{b.pk}/", {"survivor": b.pk, "field_name": a.pk,
                                                                     "field_inn": b.pk})
    merged = Company.objects.get(pk=b.pk)

    assert done.status_code == 302
    assert (merged.name, merged.inn) == ("ООО «Ромашка»", "7707083893")
    assert Company.objects.get(pk=a.pk).deleted_at is not None
    undo = client.post(done.url.rstrip("/") + "/undo/")
    assert undo.url == a.get_absolute_url()
    assert Company.objects.get(pk=a.pk).deleted_at is None and Company.objects.get(pk=b.pk).name == "Ромашка"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MERGE).count() == 2


def test_merge_page_costs_a_fixed_number_of_queries(owner, make_company, django_assert_max_num_queries):
    for n in range(10):
        make_company(owner, name=f"Ромашка {n % 2}", inn="7707083893")
    client = client_for(owner)

    with django_assert_max_num_queries(8):
        response = client.get("/duplicates/company/")

    assert response.content.decode().count('data-testid="merge-link"') == 45
