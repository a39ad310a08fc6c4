"""HTML pages of companies and contacts: the permission matrix of every route, forms, inline edit, lists and
query budgets.

The rule under test: a record a user may not see answers 404 (never 403) on every route; a viewer sees the
team's records but every change answers 404; a denial changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kartoteka.accounts.models import RecordShare
from kartoteka.activities.models import Activity
from kartoteka.activities.services import add_note
from kartoteka.conftest import client_for
from kartoteka.contacts import services
from kartoteka.contacts.models import Company, Contact
from kartoteka.customfields.choices import Entity, FieldType
from kartoteka.customfields.models import CustomField
from kartoteka.customfields.services import save_custom_field

LOGIN_URL = reverse("accounts:login")

# Expected status per role for a record owned by `owner` (a manager in Team A).
SEE = {"anonymous": 302, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
       "manager_b": 404, "viewer": 200}
CHANGE_FORM = {"anonymous": 302, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
               "manager_b": 404, "viewer": 404}
CHANGE_POST = {"anonymous": 302, "admin": 302, "head_a": 302, "head_b": 404, "owner": 302, "colleague": 404,
               "manager_b": 404, "viewer": 404}
CELL_POST = {"anonymous": 302, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
             "manager_b": 404, "viewer": 404}
RESTORE_POST = {"anonymous": 302, "admin": 302, "head_a": 302, "head_b": 404, "owner": 404, "colleague": 404,
                "manager_b": 404, "viewer": 404}
SEERS = {role for role, status in SEE.items() if status == 200}
CHANGERS = {role for role, status in CHANGE_POST.items() if status == 302 and role != "anonymous"}
CREATE_FORM = {"anonymous": 302, "admin": 200, "head_a": 200, "head_b": 200, "owner": 200, "colleague": 200,
               "manager_b": 200, "viewer": 404}


@dataclass(frozen=True)
class Kind:
    """What differs between companies and contacts in these tests."""

    entity: str
    model: type
    cell_field: str  # an inline-editable column
    cell_value: str

    def url(self, action: str, *args: Any) -> str:
        return reverse(f"contacts:{self.entity}_{action}", args=args)

    def label(self, record: Any) -> str:
        return record.name if self.entity == "company" else record.full_name


COMPANY = Kind("company", Company, "name", "ООО Переименованная")
CONTACT = Kind("contact", Contact, "position", "Главный бухгалтер")
KINDS = [pytest.param(COMPANY, id="company"), pytest.param(CONTACT, id="contact")]


def company_form_data(company: Company, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser posts it, with `changes` applied."""
    data = {
        "name": company.name, "legal_form": company.legal_form, "inn": company.inn, "kpp": company.kpp,
        "ogrn": company.ogrn, "status": company.status, "industry": company.industry, "website": company.website,
        "source": company.source, "owner": company.owner_id, "legal_address": company.legal_address,
        "postal_address": company.postal_address, "description": company.description,
        "phones": "\n".join(company.phones), "emails": "\n".join(company.emails),
        "tags": ", ".join(t.name for t in company.tags.all()), "version": company.version,
    }
    data.update(changes)
    return data


def contact_form_data(contact: Contact, **changes: Any) -> dict[str, Any]:
    data = {
        "last_name": contact.last_name, "first_name": contact.first_name, "middle_name": contact.middle_name,
        "position": contact.position, "company": contact.company_id or "", "telegram": contact.telegram,
        "whatsapp": contact.whatsapp, "birthday": contact.birthday.isoformat() if contact.birthday else "",
        "source": contact.source, "owner": contact.owner_id, "description": contact.description,
        "phones": "\n".join(contact.phones), "emails": "\n".join(contact.emails),
        "tags": ", ".join(t.name for t in contact.tags.all()), "version": contact.version,
    }
    data.update(changes)
    return data


def form_data(kind: Kind, record: Any, **changes: Any) -> dict[str, Any]:
    return company_form_data(record, **changes) if kind is COMPANY else contact_form_data(record, **changes)


def snapshot(record: Any) -> dict[str, Any]:
    """Everything a denied request must leave as it was."""
    fresh = type(record).objects.get(pk=record.pk)
    return {**fresh.audit_snapshot(), "version": fresh.version, "tags": sorted(t.name for t in fresh.tags.all())}


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN_URL}?next=")


def assert_status(response: Any, role: str, expected: int) -> None:
    """The matrix's expectation; for the anonymous visitor that is always the login page."""
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == expected


def row_pks(response: Any) -> list[int]:
    return [row.record.pk for row in response.context["table"].paginated_rows]


@pytest.fixture
def record(request: Any, owner: Any, make_company: Any, make_contact: Any) -> Any:
    """A company or a contact (by the test's `kind`) owned by `owner`, with a phone and a tag."""
    kind = request.getfixturevalue("kind")
    if kind is COMPANY:
        return make_company(owner, name="ООО Ромашка", phones=["+79161234567"], tags=["VIP"])
    return make_contact(owner, last_name="Сидорова", first_name="Анна", phones=["+79161234567"], tags=["VIP"])


# --- the permission matrix, route by route --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(SEE))
def test_list_shows_record_only_to_those_who_may_see_it(kind, role, users, record):
    response = client_for(users[role]).get(kind.url("list"))

    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    assert row_pks(response) == ([record.pk] if role in SEERS else [])
    assert response.context["count"] == (1 if role in SEERS else 0)
    assert (kind.label(record) in response.content.decode()) is (role in SEERS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(SEE.items()))
def test_card_opens_only_for_those_who_may_see_it(kind, role, status, users, record):
    response = client_for(users[role]).get(kind.url("detail", record.pk))

    assert_status(response, role, status)
    if status == 200:
        assert kind.label(record) in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_FORM.items()))
def test_edit_form_opens_only_for_those_who_may_change(kind, role, status, users, record):
    response = client_for(users[role]).get(kind.url("edit", record.pk))

    assert_status(response, role, status)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_POST.items()))
def test_edit_saves_only_for_those_who_may_change(kind, role, status, users, record):
    before = snapshot(record)
    data = form_data(kind, record, **{kind.cell_field: kind.cell_value})

    response = client_for(users[role]).post(kind.url("edit", record.pk), data)

    assert_status(response, role, status)
    record.refresh_from_db()
    if role in CHANGERS:
        assert response.url == kind.url("detail", record.pk)
        assert getattr(record, kind.cell_field) == kind.cell_value
        assert record.version == 2
    else:
        assert snapshot(record) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_FORM.items()))
def test_cell_editor_opens_only_for_those_who_may_change(kind, role, status, users, record):
    response = client_for(users[role]).get(kind.url("cell", record.pk, kind.cell_field))

    assert_status(response, role, status)
    if status == 200:
        assert f'name="{kind.cell_field}"' in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CELL_POST.items()))
def test_cell_saves_only_for_those_who_may_change(kind, role, status, users, record):
    before = snapshot(record)

    response = client_for(users[role]).post(
        kind.url("cell", record.pk, kind.cell_field), {kind.cell_field: kind.cell_value, "version": record.version}
    )

    assert_status(response, role, status)
    record.refresh_from_db()
    if role in CHANGERS:
        assert getattr(record, kind.cell_field) == kind.cell_value
    else:
        assert snapshot(record) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_FORM.items()))
def test_delete_confirmation_opens_only_for_those_who_may_change(kind, role, status, users, record):
    response = client_for(users[role]).get(kind.url("delete", record.pk))

    assert_status(response, role, status)
    record.refresh_from_db()
    assert record.deleted_at is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_POST.items()))
def test_delete_moves_to_recycle_bin_only_for_those_who_may_change(kind, role, status, users, record):
    before = snapshot(record)

    response = client_for(users[role]).post(kind.url("delete", record.pk))

    assert_status(response, role, status)
    record.refresh_from_db()
    if role in CHANGERS:
        assert response.url == kind.url("list")
        assert record.deleted_at is not None
    else:
        assert snapshot(record) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(RESTORE_POST.items()))
def test_restore_only_by_admin_and_the_owners_head(kind, role, status, users, owner, record):
    deleted = getattr(services, f"delete_{kind.entity}")(record, actor=owner)
    before = snapshot(deleted)

    response = client_for(users[role]).post(kind.url("restore", record.pk))

    assert_status(response, role, status)
    deleted.refresh_from_db()
    if role in {"admin", "head_a"}:
        assert response.url == kind.url("detail", record.pk)
        assert deleted.deleted_at is None
    else:
        assert snapshot(deleted) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(SEE.items()))
def test_timeline_answers_only_those_who_may_see_the_record(kind, role, status, users, record):
    response = client_for(users[role]).get(kind.url("timeline", record.pk))

    assert_status(response, role, status)
    if status == 200:
        assert "tl-item tl-change" in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CHANGE_POST.items()))
def test_note_is_added_only_by_those_who_may_change(kind, role, status, users, record):
    response = client_for(users[role]).post(kind.url("note", record.pk), {"body": "Позвонить в пятницу"})

    assert_status(response, role, status)
    notes = Activity.objects.filter(**{kind.entity: record})
    if role in CHANGERS:
        assert response.url == kind.url("detail", record.pk)
        assert [(n.body, n.author_id) for n in notes] == [("Позвонить в пятницу", users[role].pk)]
    else:
        assert not notes.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(SEE))
def test_bulk_delete_changes_only_records_the_user_may_change(kind, role, users, record):
    before = snapshot(record)

    response = client_for(users[role]).post(kind.url("bulk"), {"pk": [record.pk], "action": "delete"})

    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == 302
        assert response.url == kind.url("list")
    record.refresh_from_db()
    if role in CHANGERS:
        assert record.deleted_at is not None
    else:
        assert snapshot(record) == before


@pytest.mark.parametrize("role", list(SEE))
def test_company_autocomplete_offers_only_visible_companies(role, users, owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(users[role]).get(reverse("contacts:company_autocomplete"), {"q": "ромаш"})

    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', response.content.decode())
    assert options == ([(str(company.pk), "ООО Ромашка")] if role in SEERS else [])


def test_company_autocomplete_without_query_offers_nothing(owner, make_company):
    make_company(owner, name="ООО Ромашка")

    response = client_for(owner).get(reverse("contacts:company_autocomplete"))

    assert re.findall(r'<option value="(\d+)">', response.content.decode()) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(SEE))
def test_recycle_bin_lists_only_visible_deleted_records(kind, role, users, owner, record):
    getattr(services, f"delete_{kind.entity}")(record, actor=owner)

    response = client_for(users[role]).get(reverse("contacts:recycle_bin"))

    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    section = next(s for s in response.context["sections"] if s["records"].model is type(record))
    assert [r.pk for r in section["records"]] == ([record.pk] if role in SEERS else [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CREATE_FORM.items()))
def test_create_form_is_refused_to_viewers(kind, role, status, users):
    response = client_for(users[role]).get(kind.url("create"))

    assert_status(response, role, status)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(CREATE_FORM))
def test_create_makes_the_author_responsible(kind, role, users):
    user = users[role]
    data = {"name": "ООО Новая", "status": "potential"} if kind is COMPANY else {"first_name": "Олег"}
    data["owner"] = user.pk if user else ""  # the form preselects the author; managers get no such field

    response = client_for(user).post(kind.url("create"), data)

    created = list(kind.model.objects.all())
    if role == "anonymous":
        assert_login_redirect(response)
        assert created == []
    elif role == "viewer":
        assert response.status_code == 404
        assert created == []
    else:
        assert len(created) == 1
        assert response.status_code == 302
        assert response.url == kind.url("detail", created[0].pk)
        assert (created[0].owner_id, created[0].created_by_id) == (user.pk, user.pk)


def test_deleted_card_offers_restore_only_to_those_who_may_restore(users, owner, make_company):
    company = services.delete_company(make_company(owner, name="ООО Ромашка"), actor=owner)
    restore_url = reverse("contacts:company_restore", args=[company.pk])

    shown = {role: restore_url in client_for(users[role]).get(company.get_absolute_url()).content.decode()
             for role in ("admin", "head_a", "owner", "viewer")}

    assert shown == {"admin": True, "head_a": True, "owner": False, "viewer": False}


def test_cell_of_a_column_that_is_not_inline_editable_is_not_found(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(owner).post(reverse("contacts:company_cell", args=[company.pk, "owner"]), {"owner": 1})

    assert response.status_code == 404
    company.refresh_from_db()
    assert company.version == 1


# --- the edit form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_phone_shows_error_in_place_and_writes_nothing(kind, owner, record):
    before = snapshot(record)

    response = client_for(owner).post(kind.url("edit", record.pk), form_data(
        kind, record, phones="+79161234567\n12345", **{kind.cell_field: kind.cell_value}))

    assert response.status_code == 422
    assert response.context["form"].errors == {"phones": ["“12345” is not a valid phone number."]}
    html = response.content.decode()
    assert re.search(r'<div class="field has-error">\s*<label for="id_phones">.*?'
                     r'<span class="error" role="alert">“12345” is not a valid phone number.</span>', html, re.S)
    assert snapshot(record) == before


def test_inn_with_wrong_checksum_shows_error_in_place_and_writes_nothing(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    before = snapshot(company)

    response = client_for(owner).post(
        reverse("contacts:company_edit", args=[company.pk]),
        company_form_data(company, inn="7707083894", name="ООО Другое имя"),
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"inn": ["INN checksum is wrong: check the digits."]}
    assert 'value="7707083894"' in response.content.decode()  # the input keeps what the user typed
    assert snapshot(company) == before


def test_contact_form_refuses_a_company_the_user_cannot_see(owner, manager_b, make_company, make_contact):
    foreign = make_company(manager_b, name="ООО Чужая")
    contact = make_contact(owner, first_name="Анна")
    before = snapshot(contact)

    response = client_for(owner).post(
        reverse("contacts:contact_edit", args=[contact.pk]), contact_form_data(contact, company=foreign.pk)
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["company"]
    assert snapshot(contact) == before


def test_valid_edit_saves_every_field_through_the_service(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(owner).post(reverse("contacts:company_edit", args=[company.pk]), company_form_data(
        company, name="ООО Лютик", inn="7707083893", phones="8 (916) 123-45-67\n+7 495 123-45-67",
        emails="Info@Example.com", tags="VIP, опт"))

    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.inn, company.phones, company.emails, company.version) == (
        "ООО Лютик", "7707083893", ["+79161234567", "+74951234567"], ["info@example.com"], 2)
    assert sorted(t.name for t in company.tags.all()) == ["VIP", "опт"]


def test_stale_edit_form_answers_conflict_and_keeps_the_newer_change(owner, head_a, make_company):
    company = make_company(owner, name="ООО Ромашка")
    client = client_for(owner)
    opened = client.get(reverse("contacts:company_edit", args=[company.pk]))
    version = re.search(r'name="version" value="(\d+)"', opened.content.decode()).group(1)
    services.update_company(company, actor=head_a, data={"name": "ООО Ромашка и партнёры"})

    response = client.post(reverse("contacts:company_edit", args=[company.pk]),
                           company_form_data(company, name="ООО Устаревшее", version=version))

    assert version == "1"
    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.content.decode()
    company.refresh_from_db()
    assert (company.name, company.version) == ("ООО Ромашка и партнёры", 2)


# --- inline cell edit ------------------------------------------------------------------------------------


def test_cell_save_returns_the_new_cell_content(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(owner).post(reverse("contacts:company_cell", args=[company.pk, "name"]),
                                      {"name": "ООО Лютик", "version": 1})

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html == f'<a href="{company.get_absolute_url()}">ООО Лютик</a>'
    company.refresh_from_db()
    assert (company.name, company.version) == ("ООО Лютик", 2)


def test_cell_with_invalid_value_returns_the_editor_with_the_error(owner, make_company):
    company = make_company(owner, name="ООО Ромашка", inn="7707083893")
    before = snapshot(company)

    response = client_for(owner).post(reverse("contacts:company_cell", args=[company.pk, "inn"]),
                                      {"inn": "7707083894", "version": 1})

    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="cell-form"' in html
    assert '<span class="error" role="alert">INN checksum is wrong: check the digits.</span>' in html
    assert snapshot(company) == before


def test_cell_with_empty_required_value_returns_the_editor_with_the_error(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    before = snapshot(company)

    response = client_for(owner).post(reverse("contacts:company_cell", args=[company.pk, "name"]),
                                      {"name": "", "version": 1})

    assert response.status_code == 422
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert snapshot(company) == before


def test_stale_cell_answers_conflict_with_the_current_value(owner, head_a, make_company):
    company = make_company(owner, name="ООО Ромашка")
    services.update_company(company, actor=head_a, data={"name": "ООО Ромашка и партнёры"})

    response = client_for(owner).post(reverse("contacts:company_cell", args=[company.pk, "name"]),
                                      {"name": "ООО Устаревшее", "version": 1})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone changed this record meanwhile." in html
    assert '<input type="hidden" name="version" value="2">' in html
    company.refresh_from_db()
    assert (company.name, company.version) == ("ООО Ромашка и партнёры", 2)


def test_cell_cancel_returns_the_unchanged_cell(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(owner).get(reverse("contacts:company_cell", args=[company.pk, "name"]), {"cancel": 1})

    assert response.status_code == 200
    assert response.content.decode().strip() == f'<a href="{company.get_absolute_url()}">ООО Ромашка</a>'


# --- the list: columns, filters, search, HTMX -------------------------------------------------------------


def test_column_choice_is_saved_per_user(owner, colleague, make_company):
    make_company(owner, name="ООО Ромашка")
    url = reverse("contacts:company_list")
    client = client_for(owner)

    client.get(url, {"save_columns": "1", "columns": ["inn", "name", "no_such_column"]})
    response = client.get(url)

    owner.refresh_from_db()
    assert owner.preferences == {"columns": {"company": ["inn", "name"]}}
    assert [c.name for c in response.context["table"].columns] == ["select", "inn", "name"]
    colleague_columns = [c.name for c in client_for(colleague).get(url).context["table"].columns]
    assert colleague_columns == ["select", "name", "inn", "status", "phones", "owner", "tags", "updated_at"]


def test_columns_in_the_query_without_save_change_nothing(owner, make_company):
    make_company(owner, name="ООО Ромашка")

    client_for(owner).get(reverse("contacts:company_list"), {"columns": ["inn"]})

    owner.refresh_from_db()
    assert owner.preferences == {}


def test_status_filter_narrows_the_list(owner, make_company):
    active = make_company(owner, name="ООО Активная", status="active")
    make_company(owner, name="ООО Потенциальная", status="potential")

    response = client_for(owner).get(reverse("contacts:company_list"), {"status": "active"})

    assert row_pks(response) == [active.pk]
    assert response.context["count"] == 1


def test_owner_filter_narrows_the_heads_list(owner, colleague, head_a, make_company):
    make_company(owner, name="ООО Первая")
    theirs = make_company(colleague, name="ООО Вторая")

    response = client_for(head_a).get(reverse("contacts:company_list"), {"owner": colleague.pk})

    assert row_pks(response) == [theirs.pk]


def test_owner_filter_naming_someone_out_of_scope_shows_nothing(owner, manager_b, make_company):
    make_company(owner, name="ООО Первая")
    make_company(manager_b, name="ООО Чужая")

    response = client_for(owner).get(reverse("contacts:company_list"), {"owner": manager_b.pk})

    assert response.status_code == 200
    assert row_pks(response) == []


def test_tag_filter_keeps_each_record_once(owner, make_company):
    both = make_company(owner, name="ООО С двумя тегами", tags=["VIP", "опт"])
    make_company(owner, name="ООО Без тегов")

    response = client_for(owner).get(reverse("contacts:company_list"), {"tag": ["VIP", "опт"]})

    assert row_pks(response) == [both.pk]
    assert response.context["count"] == 1


def test_custom_field_filter_narrows_the_list(admin, owner, make_company):
    save_custom_field(CustomField(entity=Entity.COMPANY, key="region", label="Регион", field_type=FieldType.TEXT),
                      actor=admin, choices=[])
    moscow = make_company(owner, name="ООО Московская", custom_fields={"region": "Москва"})
    make_company(owner, name="ООО Казанская", custom_fields={"region": "Казань"})

    # Fragment of the stored case: SQLite's LIKE folds only ASCII case (PostgreSQL folds Cyrillic too).
    response = client_for(owner).get(reverse("contacts:company_list"), {"cf_region": "Моск"})

    assert row_pks(response) == [moscow.pk]


def test_choice_custom_field_filter_matches_exactly(admin, owner, make_company):
    save_custom_field(CustomField(entity=Entity.COMPANY, key="segment", label="Сегмент", field_type=FieldType.CHOICE),
                      actor=admin, choices=["A", "B"])
    segment_a = make_company(owner, name="ООО А", custom_fields={"segment": "A"})
    make_company(owner, name="ООО Б", custom_fields={"segment": "B"})

    response = client_for(owner).get(reverse("contacts:company_list"), {"cf_segment": "A"})

    assert row_pks(response) == [segment_a.pk]


@pytest.mark.parametrize(("query", "expected"), [
    ("ромаш", ["ООО Ромашка"]),
    ("РОМАШКА", ["ООО Ромашка"]),
    ("8 (916) 123-45-67", ["ООО Ромашка"]),
    ("7707083893", ["ООО Лютик"]),
    ("ооо", ["ООО Лютик", "ООО Ромашка"]),
    ("василёк", []),
])
def test_fragment_search_matches_name_phone_and_inn(query, expected, owner, make_company):
    make_company(owner, name="ООО Ромашка", phones=["+79161234567"])
    make_company(owner, name="ООО Лютик", inn="7707083893")

    response = client_for(owner).get(reverse("contacts:company_list"), {"q": query})

    assert [row.record.name for row in response.context["table"].paginated_rows] == expected


def test_search_never_finds_invisible_records(owner, manager_b, make_company):
    make_company(manager_b, name="ООО Ромашка")

    response = client_for(owner).get(reverse("contacts:company_list"), {"q": "ромашка"})

    assert row_pks(response) == []
    assert response.context["count"] == 0


def test_contact_list_filters_by_company(owner, make_company, make_contact):
    company = make_company(owner, name="ООО Ромашка")
    employee = make_contact(owner, first_name="Анна", company=company.pk)
    make_contact(owner, first_name="Борис")

    response = client_for(owner).get(reverse("contacts:contact_list"), {"company": company.pk})

    assert row_pks(response) == [employee.pk]


def test_sort_parameter_orders_the_list(owner, make_company):
    make_company(owner, name="ООО Альфа")
    make_company(owner, name="ООО Бета")

    response = client_for(owner).get(reverse("contacts:company_list"), {"sort": "-name"})

    assert [row.record.name for row in response.context["table"].paginated_rows] == ["ООО Бета", "ООО Альфа"]


def test_per_page_is_capped(owner, make_company, monkeypatch):
    from kartoteka.core.views import generic

    monkeypatch.setattr(generic, "MAX_PER_PAGE", 2)
    for name in ("ООО А", "ООО Б", "ООО В"):
        make_company(owner, name=name)

    response = client_for(owner).get(reverse("contacts:company_list"), {"per_page": "100000"})

    assert [row.record.name for row in response.context["table"].paginated_rows] == ["ООО А", "ООО Б"]
    assert response.context["table"].page.has_next()


@pytest.mark.parametrize("page", ["abc", "0", "99"])
def test_page_out_of_range_shows_the_first_page(page, owner, make_company):
    company = make_company(owner, name="ООО А")

    response = client_for(owner).get(reverse("contacts:company_list"), {"page": page})

    assert response.status_code == 200
    assert row_pks(response) == [company.pk]


def test_list_never_counts_more_than_the_cap(head_a, owner, make_company):
    make_company(owner, name="ООО А")
    client = client_for(head_a)

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("contacts:company_list"))

    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert "LIMIT 10001" in counts[0]


@pytest.mark.parametrize("kind", KINDS)
def test_htmx_request_gets_the_list_partial_without_the_page(kind, owner, record):
    client = client_for(owner)

    partial = client.get(kind.url("list"), HTTP_HX_REQUEST="true")
    page = client.get(kind.url("list"))

    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'data-testid="count"' in partial.content.decode()
    assert kind.label(record) in partial.content.decode()
    assert "<html" in page.content.decode()


def test_boosted_htmx_navigation_gets_the_full_page(owner, make_company):
    make_company(owner, name="ООО Ромашка")

    response = client_for(owner).get(reverse("contacts:company_list"), HTTP_HX_REQUEST="true",
                                     HTTP_HX_BOOSTED="true")

    assert "<html" in response.content.decode()


def test_htmx_note_returns_the_timeline_partial(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = client_for(owner).post(reverse("contacts:company_note", args=[company.pk]),
                                      {"body": "Встреча во вторник"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="timeline"')
    assert "Встреча во вторник" in html


# --- bulk actions ----------------------------------------------------------------------------------------


def test_bulk_assign_hands_every_selected_record_to_the_new_owner(head_a, owner, colleague, make_company):
    first = make_company(owner, name="ООО Первая")
    second = make_company(owner, name="ООО Вторая")

    response = client_for(head_a).post(reverse("contacts:company_bulk"),
                                       {"pk": [first.pk, second.pk], "action": "assign", "owner": colleague.pk})

    assert response.status_code == 302
    assert sorted(Company.objects.values_list("owner_id", flat=True)) == [colleague.pk, colleague.pk]


def test_bulk_assign_by_a_manager_changes_nothing(owner, colleague, make_company):
    first = make_company(owner, name="ООО Первая")
    second = make_company(owner, name="ООО Вторая")

    client_for(owner).post(reverse("contacts:company_bulk"),
                           {"pk": [first.pk, second.pk], "action": "assign", "owner": colleague.pk})

    assert sorted(Company.objects.values_list("owner_id", "version")) == [(owner.pk, 1), (owner.pk, 1)]


def test_bulk_tag_tags_every_selected_record(owner, make_contact):
    first = make_contact(owner, first_name="Анна")
    second = make_contact(owner, first_name="Борис")

    client_for(owner).post(reverse("contacts:contact_bulk"), {"pk": [first.pk, second.pk], "action": "tag",
                                                              "tag": "Выставка 2026"})

    assert [sorted(t.name for t in c.tags.all()) for c in Contact.objects.order_by("pk")] == [
        ["Выставка 2026"], ["Выставка 2026"]]


def test_bulk_delete_moves_every_selected_record_to_the_bin(owner, make_company):
    first = make_company(owner, name="ООО Первая")
    second = make_company(owner, name="ООО Вторая")

    client_for(owner).post(reverse("contacts:company_bulk"), {"pk": [first.pk, second.pk], "action": "delete"})

    assert Company.objects.alive().count() == 0
    assert Company.objects.deleted().count() == 2


@pytest.fixture
def shared(owner: Any, colleague: Any, make_company: Any) -> Company:
    """A colleague's company shared with `owner`: visible to them, but not theirs to change."""
    company = make_company(colleague, name="ООО Коллеги")
    # No service shares records yet, so the grant is written directly.
    RecordShare.objects.create(user=owner, content_type=ContentType.objects.get_for_model(Company),
                               object_id=company.pk, created_by=colleague)
    return company


def test_shared_record_is_readable_but_not_changeable(owner, shared):
    client = client_for(owner)
    before = snapshot(shared)

    card = client.get(shared.get_absolute_url())
    edit = client.get(reverse("contacts:company_edit", args=[shared.pk]))
    delete = client.post(reverse("contacts:company_delete", args=[shared.pk]))

    assert (card.status_code, edit.status_code, delete.status_code) == (200, 404, 404)
    assert card.context["can_change"] is False
    assert snapshot(shared) == before


def test_bulk_action_is_all_or_nothing(owner, shared, make_company):
    mine = make_company(owner, name="ООО Моя")
    before = [snapshot(mine), snapshot(shared)]

    response = client_for(owner).post(reverse("contacts:company_bulk"),
                                      {"pk": [mine.pk, shared.pk], "action": "delete"})

    assert response.status_code == 302
    assert [snapshot(mine), snapshot(shared)] == before


def test_bulk_refusal_is_reported_to_the_user(owner, shared, make_company):
    mine = make_company(owner, name="ООО Моя")

    response = client_for(owner).post(reverse("contacts:company_bulk"),
                                      {"pk": [mine.pk, shared.pk], "action": "tag", "tag": "VIP"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "You may not change some of the selected records; nothing was changed."]
    assert [list(c.tags.all()) for c in (mine, shared)] == [[], []]


def test_bulk_ignores_records_the_user_cannot_see(owner, manager_b, make_company):
    mine = make_company(owner, name="ООО Моя")
    foreign = make_company(manager_b, name="ООО Чужая")
    before = snapshot(foreign)

    client_for(owner).post(reverse("contacts:company_bulk"), {"pk": [mine.pk, foreign.pk], "action": "delete"})

    mine.refresh_from_db()
    assert mine.deleted_at is not None
    assert snapshot(foreign) == before


def test_bulk_with_unknown_action_is_a_bad_request(owner, make_company):
    company = make_company(owner, name="ООО Моя")

    response = client_for(owner).post(reverse("contacts:company_bulk"), {"pk": [company.pk], "action": "explode"})

    assert response.status_code == 400
    assert snapshot(company)["version"] == 1


def test_bulk_returns_to_the_list_it_came_from(owner, make_company):
    company = make_company(owner, name="ООО Моя")
    back = reverse("contacts:company_list") + "?status=potential"

    response = client_for(owner).post(reverse("contacts:company_bulk"),
                                      {"pk": [company.pk], "action": "tag", "tag": "VIP", "next": back})

    assert response.url == back


def test_bulk_never_redirects_to_another_site(owner, make_company):
    company = make_company(owner, name="ООО Моя")

    response = client_for(owner).post(reverse("contacts:company_bulk"), {
        "pk": [company.pk], "action": "tag", "tag": "VIP", "next": "https://evil.example/phish"})

    assert response.status_code == 302
    assert response.url == reverse("contacts:company_list")


# --- query budgets ---------------------------------------------------------------------------------------

# Measured, the same on SQLite and PostgreSQL. List: session, user, the two-factor check (policy and device in
# one query), custom fields (table and filters), the capped count, the page of rows with owners, their tags,
# the owner and tag filter choices, assignable users.
# Card: session, user, the two-factor check, record, changes, activities, the head check, custom fields, contact
# count and page, tags, the responsible, the users it is shared with and the users it could be shared with, and
# one query per distinct user named in the visible timeline (two here).
LIST_QUERY_BUDGET = 12  # + the user's saved views (savedviews)
CARD_QUERY_BUDGET = 21  # 16 + the deal section (its deals and their count) + its open tasks + the lifetime value
# + the unmet demand logged on the card


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill_list(kind: Kind, n: int, owners: list[Any], make_company: Any, make_contact: Any) -> None:
    for i in range(n):
        owner = owners[i % len(owners)]
        tags = [f"тег{i % 3}", "VIP"]
        if kind is COMPANY:
            make_company(owner, name=f"ООО Компания {i:03}", phones=["+79161234567"], emails=[f"c{i}@example.com"],
                         tags=tags)
        else:
            company = make_company(owner, name=f"ООО Работодатель {i:03}")
            make_contact(owner, first_name=f"Имя{i:03}", company=company.pk, phones=["+79161234567"], tags=tags)


@pytest.mark.parametrize("kind", KINDS)
def test_list_queries_do_not_grow_with_rows(kind, admin, head_a, owner, colleague, make_company, make_contact):
    save_custom_field(CustomField(entity=kind.entity, key="region", label="Регион", field_type=FieldType.TEXT),
                      actor=admin, choices=[])
    client = client_for(head_a)
    client.get(kind.url("list"), {"save_columns": "1", "columns": [
        "name" if kind is COMPANY else "full_name", "phones", "emails", "owner", "tags", "cf_region",
        *(["company"] if kind is CONTACT else [])]})
    _fill_list(kind, 5, [owner, colleague], make_company, make_contact)
    few = count_queries(client, kind.url("list"))
    _fill_list(kind, 45, [owner, colleague, head_a], make_company, make_contact)

    many = count_queries(client, kind.url("list"))

    assert kind.model.objects.count() == 50
    assert many == few
    assert many <= LIST_QUERY_BUDGET


def _card_with(company: Company, *, contacts: int, notes: int, owner: Any, colleague: Any, head_a: Any,
               make_contact: Any) -> None:
    for i in range(contacts):
        make_contact(owner, first_name=f"Имя{i:03}", company=company.pk, phones=["+79161234567"])
    for i in range(notes):
        add_note(company, actor=head_a, body=f"Заметка {i}")
        # every other entry is a change of the responsible: the timeline names both users
        company = services.update_company(company, actor=head_a,
                                          data={"owner": colleague.pk if i % 2 == 0 else owner.pk})


def test_card_queries_do_not_grow_with_contacts_and_timeline(owner, colleague, head_a, make_company, make_contact):
    small = make_company(owner, name="ООО Маленькая", tags=["VIP"])
    large = make_company(owner, name="ООО Большая", tags=["VIP"])
    _card_with(small, contacts=2, notes=2, owner=owner, colleague=colleague, head_a=head_a, make_contact=make_contact)
    _card_with(large, contacts=20, notes=20, owner=owner, colleague=colleague, head_a=head_a,
               make_contact=make_contact)
    client = client_for(head_a)
    client.get(reverse("contacts:company_list"))  # the first request of a session stores its last-seen time
    client.get(reverse("deals:deal_list"))  # and the card's deal section caches the deal content type

    few = count_queries(client, small.get_absolute_url())
    many = count_queries(client, large.get_absolute_url())

    assert many == few
    assert many <= CARD_QUERY_BUDGET
    page = client.get(large.get_absolute_url())
    assert len(page.context["contacts"]) == 20
    assert len(page.context["timeline"].entries) == 30  # one page of the 41 entries; the rest load on demand


def test_contact_list_hides_a_company_its_viewer_cannot_see(admin, owner, colleague, head_a, make_company,
                                                            make_contact):
    secret = make_company(colleague, name="ООО Секрет")
    services.create_contact(actor=admin, data={"first_name": "Пётр", "company": secret.pk, "owner": owner.pk})

    assert "ООО Секрет" not in client_for(owner).get("/contacts/").content.decode()
    assert "ООО Секрет" in client_for(head_a).get("/contacts/").content.decode()
