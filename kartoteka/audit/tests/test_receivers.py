"""Every write path of a CRM record leaves exactly the expected ObjectChange rows."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from kartoteka.audit.context import change_context
from kartoteka.audit.models import ObjectChange
from kartoteka.conftest import client_for
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import (
    bulk_add_tag,
    bulk_assign,
    create_company,
    create_contact,
    delete_company,
    restore_company,
    update_company,
    update_contact,
)
from kartoteka.core.errors import AccessDenied


def rows(record=None):
    """(action, actor, source, prechange, postchange) of the audit rows, oldest first."""
    qs = ObjectChange.objects.order_by("pk")
    if record is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    return [(c.action, c.actor, c.source, c.prechange, c.postchange) for c in qs]


def new_rows(since, record=None):
    return rows(record)[since:]


def company_snapshot(company, **overrides):
    """What the audit stores for a freshly created company with default values (the time is the row's own)."""
    data = {
        "owner": company.owner_id,
        "created_by": company.created_by_id, "deleted_at": None, "custom_fields": {}, "name": company.name,
        "legal_form": "", "inn": "", "kpp": "", "ogrn": "", "industry": "", "website": "", "legal_address": "",
        "postal_address": "", "phones": [], "emails": [], "status": "potential", "source": "", "description": "",
    }
    return {**data, **overrides}


def test_create_writes_one_create_row_with_every_field(owner):
    # when
    with change_context(actor=owner, source="ui"):
        company = create_company(actor=owner, data={"name": "ООО Ромашка", "phones": ["8 916 123-45-67"]})

    # then
    assert rows() == [("create", owner, "ui", None, company_snapshot(company, phones=["+79161234567"]))]


def test_create_row_names_the_record_and_the_actor(owner):
    with change_context(actor=owner, source="ui"):
        company = create_company(actor=owner, data={"name": "ООО Ромашка"})

    change = ObjectChange.objects.get()
    assert (change.content_type.model, change.object_id, change.object_repr, change.actor_name) == (
        "company", company.pk, "ООО Ромашка", "owner"
    )
    assert re.fullmatch(r"[0-9a-f]{32}", change.request_id)


def test_create_with_tags_writes_create_then_tags_row(owner):
    with change_context(actor=owner, source="api"):
        company = create_company(actor=owner, data={"name": "ООО Ромашка", "tags": ["VIP", "Тендер"]})

    assert rows() == [
        ("create", owner, "api", None, company_snapshot(company)),
        ("update", owner, "api", {"tags": []}, {"tags": ["VIP", "Тендер"]}),
    ]


def test_update_records_only_the_changed_fields(owner, make_company):
    # given
    company = make_company(owner, name="ООО Ромашка", description="старое", phones=["+79161234567"])
    seen = len(rows())

    # when
    with change_context(actor=owner, source="ui"):
        update_company(company, actor=owner, data={
            "name": "ООО Лютик", "description": "старое", "phones": ["8 (916) 123-45-67", "+7 495 123-45-67"],
        })

    # then
    assert new_rows(seen) == [(
        "update", owner, "ui",
        {"name": "ООО Ромашка", "phones": ["+79161234567"]},
        {"name": "ООО Лютик", "phones": ["+79161234567", "+74951234567"]},
    )]


def test_update_of_a_link_records_the_ids(owner, make_company, make_contact):
    company = make_company(owner)
    contact = make_contact(owner)
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        update_contact(contact, actor=owner, data={"company": company.pk})

    assert new_rows(seen) == [("update", owner, "ui", {"company": None}, {"company": company.pk})]


def test_update_of_custom_fields_records_both_values(owner, make_custom_field, make_company):
    make_custom_field("segment")
    company = make_company(owner, custom_fields={"segment": "B2B"})
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        update_company(company, actor=owner, data={"custom_fields": {"segment": "B2C"}})

    assert new_rows(seen) == [
        ("update", owner, "ui", {"custom_fields": {"segment": "B2B"}}, {"custom_fields": {"segment": "B2C"}}),
    ]


def test_reassign_records_the_old_and_new_responsible(head_a, owner, colleague, make_company):
    companies = [make_company(owner), make_company(owner)]
    seen = len(rows())

    with change_context(actor=head_a, source="ui"):
        bulk_assign(companies, actor=head_a, owner=colleague)

    assert new_rows(seen) == [("update", head_a, "ui", {"owner": owner.pk}, {"owner": colleague.pk})] * 2
    assert list(ObjectChange.objects.order_by("pk").values_list("object_id", flat=True)[seen:]) == [
        companies[0].pk, companies[1].pk
    ]


def test_soft_delete_writes_a_delete_row(owner, make_company):
    company = make_company(owner)
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        deleted = delete_company(company, actor=owner)

    assert new_rows(seen) == [
        ("delete", owner, "ui", {"deleted_at": None}, {"deleted_at": deleted.deleted_at.isoformat()}),
    ]


def test_restore_writes_a_restore_row(owner, head_a, make_company):
    company = delete_company(make_company(owner), actor=owner)
    deleted_at = Company.objects.get(pk=company.pk).deleted_at.isoformat()
    seen = len(rows())

    with change_context(actor=head_a, source="ui"):
        restore_company(company, actor=head_a)

    assert new_rows(seen) == [("restore", head_a, "ui", {"deleted_at": deleted_at}, {"deleted_at": None})]


def test_tag_added_in_bulk_writes_a_tags_row_per_record(owner, make_company):
    company = make_company(owner, tags=["VIP"])
    other = make_company(owner)
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        bulk_add_tag([company, other], actor=owner, tag="Тендер")

    assert new_rows(seen) == [
        ("update", owner, "ui", {"tags": ["VIP"]}, {"tags": ["VIP", "Тендер"]}),
        ("update", owner, "ui", {"tags": []}, {"tags": ["Тендер"]}),
    ]


def test_adding_a_tag_the_record_has_writes_nothing(owner, make_company):
    company = make_company(owner, tags=["VIP"])
    seen = len(rows())

    bulk_add_tag([company], actor=owner, tag="VIP")

    assert new_rows(seen) == []


def test_tag_removed_writes_a_tags_row(owner, make_contact):
    contact = make_contact(owner, tags=["VIP", "Тендер"])
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        update_contact(contact, actor=owner, data={"tags": ["Тендер"]})

    assert new_rows(seen) == [("update", owner, "ui", {"tags": ["VIP", "Тендер"]}, {"tags": ["Тендер"]})]


def test_tags_replaced_write_a_remove_row_and_an_add_row(owner, make_company):
    company = make_company(owner, tags=["VIP"])
    seen = len(rows())

    with change_context(actor=owner, source="ui"):
        update_company(company, actor=owner, data={"tags": ["Тендер"]})

    assert new_rows(seen) == [
        ("update", owner, "ui", {"tags": ["VIP"]}, {"tags": []}),
        ("update", owner, "ui", {"tags": []}, {"tags": ["Тендер"]}),
    ]


def test_admin_site_cannot_change_a_company_around_the_services(admin, owner, make_company):
    # given a company and the admin site's change form posted by a superuser
    company = make_company(owner, name="ООО Ромашка")
    seen = len(rows())
    form = {"name": "ООО Лютик", "status": "potential", "owner": owner.pk, "_save": "Save"}

    # when
    response = client_for(admin).post(reverse("admin:contacts_company_change", args=[company.pk]), form)

    # then the admin is view-only for client records: nothing changes and nothing is audited
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name == "ООО Ромашка"
    assert new_rows(seen) == []


def test_cli_write_is_recorded_as_cli_with_the_acting_user(owner, make_company):
    company = make_company(owner)
    seen = len(rows())

    with change_context(source="cli"):
        update_company(company, actor=owner, data={"industry": "Ритейл"})

    assert new_rows(seen) == [("update", owner, "cli", {"industry": ""}, {"industry": "Ритейл"})]


def test_write_outside_any_context_is_recorded_as_system(owner):
    company = create_company(actor=owner, data={"name": "ООО Ромашка"})

    assert rows() == [("create", owner, "system", None, company_snapshot(company))]


@pytest.mark.parametrize("data", [
    {},
    {"name": "ООО Ромашка"},
    {"name": " ООО Ромашка ", "phones": ["8 916 123 45 67"], "tags": ["VIP"]},
])
def test_update_without_changes_writes_no_row(owner, make_company, data):
    company = make_company(owner, name="ООО Ромашка", phones=["+79161234567"], tags=["VIP"])
    seen = len(rows())

    update_company(company, actor=owner, data=data)

    assert new_rows(seen) == []


def test_save_without_changes_writes_no_row(owner, make_company):
    company = Company.objects.get(pk=make_company(owner).pk)
    seen = len(rows())

    company.save()

    assert new_rows(seen) == []


def test_deleting_a_deleted_record_writes_no_row(owner, make_company):
    company = delete_company(make_company(owner), actor=owner)
    seen = len(rows())

    delete_company(company, actor=owner)

    assert new_rows(seen) == []


def test_refused_write_writes_no_row(owner, colleague, make_company):
    company = make_company(owner)
    seen = len(rows())

    with pytest.raises(AccessDenied):
        update_company(company, actor=colleague, data={"name": "Чужое"})
    with pytest.raises(ValidationError):
        update_company(company, actor=owner, data={"name": "Новое", "inn": "1"})

    assert new_rows(seen) == []


def test_contact_history_is_kept_apart_from_company_history(owner, make_company):
    company = make_company(owner)
    contact = create_contact(actor=owner, data={"first_name": "Иван", "company": company.pk})

    assert [r[0] for r in rows(company)] == ["create"]
    assert [r[0] for r in rows(contact)] == ["create"]
    assert ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Contact)).count() == 1
