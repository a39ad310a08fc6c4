"""Writes to companies and contacts: validation, responsible, versions, tags, custom fields, bulk actions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from kartoteka.accounts.models import User
from kartoteka.audit.models import ObjectChange
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import (
    bulk_add_tag,
    bulk_assign,
    bulk_delete,
    create_company,
    create_contact,
    delete_company,
    delete_contact,
    restore_company,
    restore_contact,
    update_company,
    update_contact,
)
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.customfields.models import Tag

VALID_INN = "7707083893"
VALID_KPP = "773601001"
VALID_OGRN = "1027700132195"


def db_state():
    """Everything a company/contact write can touch, to assert that a refused write changed nothing."""
    return {
        "companies": list(Company.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "company_tags": list(Company.tags.through.objects.order_by("pk").values()),
        "contact_tags": list(Contact.tags.through.objects.order_by("pk").values()),
        "tags": list(Tag.objects.order_by("pk").values_list("name", flat=True)),
        "changes": list(ObjectChange.objects.order_by("pk").values_list("pk", flat=True)),
    }


def tag_names(record):
    return sorted(record.tags.values_list("name", flat=True))


# --- create -------------------------------------------------------------------------------------------------


def test_create_company_makes_actor_responsible_and_creator(owner):
    company = create_company(actor=owner, data={"name": " ООО Ромашка "})

    company.refresh_from_db()
    assert (company.name, company.owner, company.created_by, company.version) == ("ООО Ромашка", owner, owner, 1)
    assert company.deleted_at is None


def test_create_contact_makes_actor_responsible_and_creator(head_a):
    contact = create_contact(actor=head_a, data={"first_name": "Иван", "last_name": "Петров"})

    contact.refresh_from_db()
    assert (contact.full_name, contact.owner, contact.created_by, contact.version) == ("Петров Иван", head_a, head_a, 1)


@pytest.mark.parametrize("raw", ["8 (916) 123-45-67", "+7 916 1234567", "89161234567"])
def test_company_phone_is_normalised_from_every_input_form(owner, raw):
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "phones": [raw]})

    assert Company.objects.get(pk=company.pk).phones == ["+79161234567"]


@pytest.mark.parametrize("raw", ["8 (916) 123-45-67", "+7 916 1234567", "89161234567"])
def test_contact_phone_and_whatsapp_are_normalised_from_every_input_form(owner, raw):
    contact = create_contact(actor=owner, data={"first_name": "Иван", "phones": [raw], "whatsapp": raw})

    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.phones, contact.whatsapp) == (["+79161234567"], "+79161234567")


@pytest.mark.parametrize("raw", ["8 (916) 123-45-67", "+7 916 1234567", "89161234567"])
def test_updated_phone_is_normalised_from_every_input_form(owner, make_company, raw):
    company = make_company(owner)

    company = update_company(company, actor=owner, data={"phones": [raw]})

    assert Company.objects.get(pk=company.pk).phones == ["+79161234567"]


@pytest.mark.parametrize(("raw", "stored"), [
    ("+7 495 123-45-67 доб. 123", "+74951234567;ext=123"),
    ("8 (495) 123-45-67 ext. 7", "+74951234567;ext=7"),
])
def test_phone_extension_is_kept(owner, raw, stored):
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "phones": [raw]})

    assert Company.objects.get(pk=company.pk).phones == [stored]


def test_phones_as_text_split_by_lines_and_commas_and_deduplicated(owner):
    company = create_company(actor=owner, data={
        "name": "ООО Ромашка", "phones": "8 916 123-45-67\n+7 (495) 123-45-67, 89161234567",
    })

    assert Company.objects.get(pk=company.pk).phones == ["+79161234567", "+74951234567"]


def test_emails_are_normalised_to_lower_case(owner):
    contact = create_contact(actor=owner, data={"first_name": "Иван", "emails": [" Ivan.Petrov@Example.COM "]})

    assert Contact.objects.get(pk=contact.pk).emails == ["ivan.petrov@example.com"]


def test_company_identifiers_are_stored_clean(owner):
    company = create_company(actor=owner, data={
        "name": "ПАО Сбербанк", "inn": f" {VALID_INN} ", "kpp": VALID_KPP, "ogrn": VALID_OGRN,
    })

    company = Company.objects.get(pk=company.pk)
    assert (company.inn, company.kpp, company.ogrn) == (VALID_INN, VALID_KPP, VALID_OGRN)


def test_telegram_link_is_stored_as_username(owner):
    contact = create_contact(actor=owner, data={"first_name": "Иван", "telegram": "https://t.me/ivan_petrov"})

    assert Contact.objects.get(pk=contact.pk).telegram == "ivan_petrov"


COMPANY_INVALID = [
    ("phones", ["12345"]),
    ("phones", ["8 916 123"]),
    ("emails", ["ivan@"]),
    ("emails", ["not an e-mail"]),
    ("inn", "7707083894"),  # wrong checksum
    ("inn", "77070838"),  # wrong length
    ("kpp", "77360100"),
    ("kpp", "7736AB0X1"),
    ("ogrn", "1027700132196"),  # wrong checksum
    ("ogrn", "10277001321"),
    ("website", "not a link"),
    ("status", "bankrupt"),
    ("name", ""),
]


@pytest.mark.parametrize(("field", "value"), COMPANY_INVALID)
def test_invalid_company_value_is_refused_naming_the_field_and_writes_nothing(owner, field, value):
    # given
    before = db_state()
    data = {"name": "ООО Ромашка", "tags": ["VIP"], field: value}

    # when
    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data=data)

    # then
    assert set(exc.value.message_dict) == {field}
    assert db_state() == before


CONTACT_INVALID = [
    ("phones", ["12345"]),
    ("emails", ["ivan@"]),
    ("whatsapp", "123"),
    ("telegram", "@abc"),
    ("telegram", "иван_петров"),
    ("first_name", ""),
    ("birthday", "31.02.2024"),
]


@pytest.mark.parametrize(("field", "value"), CONTACT_INVALID)
def test_invalid_contact_value_is_refused_naming_the_field_and_writes_nothing(owner, field, value):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_contact(actor=owner, data={"first_name": "Иван", "tags": ["VIP"], field: value})

    assert set(exc.value.message_dict) == {field}
    assert db_state() == before


def test_every_invalid_field_is_named_at_once(owner):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "", "inn": "1", "kpp": "1", "ogrn": "1", "emails": ["x"],
                                          "phones": ["1"]})

    assert set(exc.value.message_dict) == {"name", "inn", "kpp", "ogrn", "emails", "phones"}
    assert db_state() == before


def test_inn_checksum_error_says_so(owner):
    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", "inn": "7707083894"})

    assert exc.value.message_dict == {"inn": ["INN checksum is wrong: check the digits."]}


@pytest.mark.parametrize(("field", "value"), [
    ("inn", "7707083894"), ("kpp", "1"), ("ogrn", "1027700132196"), ("phones", ["12345"]), ("emails", ["x@"]),
    ("name", ""),
])
def test_invalid_update_is_refused_and_changes_nothing(owner, make_company, field, value):
    # given
    company = make_company(owner, inn=VALID_INN, phones=["+79161234567"], emails=["a@example.com"])
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=owner, data={"description": "новое", "tags": ["VIP"], field: value})

    # then
    assert set(exc.value.message_dict) == {field}
    assert db_state() == before


CREATORS = [(create_company, {"name": "ООО Ромашка"}), (create_contact, {"first_name": "Иван"})]


@pytest.mark.parametrize(("make", "data"), CREATORS)
def test_viewer_cannot_create(viewer, make, data):
    before = db_state()

    with pytest.raises(AccessDenied):
        make(actor=viewer, data=data)

    assert db_state() == before


@pytest.mark.parametrize(("make", "data"), CREATORS)
def test_anonymous_cannot_create(db, make, data):
    before = db_state()

    with pytest.raises(AccessDenied):
        make(actor=AnonymousUser(), data=data)

    assert db_state() == before


@pytest.mark.parametrize(("make", "data"), CREATORS)
def test_inactive_user_cannot_create(owner, make, data):
    # given a manager who has been deactivated
    User.objects.filter(pk=owner.pk).update(is_active=False)
    owner.refresh_from_db()
    before = db_state()

    # when / then
    with pytest.raises(AccessDenied):
        make(actor=owner, data=data)
    assert db_state() == before


# --- responsible --------------------------------------------------------------------------------------------


def test_manager_may_name_themselves_responsible(owner):
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "owner": owner.pk})

    assert Company.objects.get(pk=company.pk).owner == owner


def test_manager_cannot_make_a_colleague_responsible_on_create(owner, colleague):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", "owner": colleague.pk})

    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


def test_manager_cannot_change_responsible(owner, colleague, make_company):
    # given
    company = make_company(owner)
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=owner, data={"owner": colleague, "description": "передаю"})

    # then
    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


def test_naming_the_current_responsible_is_not_a_change(owner, make_company):
    company = make_company(owner)

    company = update_company(company, actor=owner, data={"owner": owner.pk})

    assert (company.owner_id, company.version) == (owner.pk, 1)


@pytest.mark.parametrize(("make", "data"), CREATORS)
def test_head_may_make_a_team_member_responsible_on_create(head_a, owner, make, data):
    record = make(actor=head_a, data={**data, "owner": owner})

    record.refresh_from_db()
    assert (record.owner, record.created_by) == (owner, head_a)


def test_head_may_hand_a_record_to_another_team_member(head_a, owner, colleague, make_company):
    company = make_company(owner)

    company = update_company(company, actor=head_a, data={"owner": colleague.pk})

    assert Company.objects.get(pk=company.pk).owner == colleague
    assert company.version == 2


@pytest.mark.parametrize("target", ["manager_b", "head_b", "viewer", "admin"])
def test_head_cannot_hand_a_record_outside_their_team_or_to_a_viewer(users, make_company, target):
    # given
    company = make_company(users["owner"])
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=users["head_a"], data={"owner": users[target].pk})

    # then
    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


def test_head_cannot_create_a_record_for_another_teams_member(head_a, manager_b):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_contact(actor=head_a, data={"first_name": "Иван", "owner": manager_b.pk})

    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


def test_admin_may_hand_a_record_to_anyone_active(admin, owner, manager_b, make_company):
    company = make_company(owner)

    update_company(company, actor=admin, data={"owner": manager_b})

    assert Company.objects.get(pk=company.pk).owner == manager_b


def test_nobody_can_make_an_inactive_user_responsible(admin, owner, colleague, make_company):
    # given
    company = make_company(owner)
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=admin, data={"owner": colleague.pk})

    # then
    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


# --- protected fields, unknown fields, versions ------------------------------------------------------------


PROTECTED = [
    ("version", 7),
    ("created_by", None),
    ("deleted_at", "2026-01-01T00:00:00+03:00"),
    ("search_text", "взлом"),
    ("id", 999),
]


@pytest.mark.parametrize(("field", "value"), PROTECTED)
def test_protected_field_is_refused_on_create(owner, field, value):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", field: value})

    assert exc.value.message_dict == {field: ["This field cannot be set."]}
    assert db_state() == before


@pytest.mark.parametrize(("field", "value"), PROTECTED)
def test_protected_field_is_refused_on_update(owner, make_company, field, value):
    company = make_company(owner)
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=owner, data={"name": "Другое имя", field: value})

    assert exc.value.message_dict == {field: ["This field cannot be set."]}
    assert db_state() == before


def test_unknown_field_is_refused(owner, make_contact):
    contact = make_contact(owner)
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        update_contact(contact, actor=owner, data={"salary": 100})

    assert exc.value.message_dict == {"salary": ["Unknown field."]}
    assert db_state() == before


def test_version_increments_on_each_change(owner, make_company):
    company = make_company(owner)

    first = update_company(company, actor=owner, data={"name": "Первое"})
    second = update_company(first, actor=owner, data={"name": "Второе"})

    assert (first.version, second.version) == (2, 3)
    assert Company.objects.get(pk=company.pk).version == 3


def test_update_without_changes_keeps_version_and_writes_nothing(owner, make_company):
    # given
    company = make_company(owner, name="ООО Ромашка", phones=["+79161234567"], inn=VALID_INN)
    before = db_state()

    # when the same values arrive in other forms
    result = update_company(company, actor=owner, data={
        "name": " ООО Ромашка ", "phones": ["8 (916) 123-45-67"], "inn": VALID_INN,
    })

    # then
    assert result.version == 1
    assert db_state() == before


def test_matching_expected_version_saves(owner, make_company):
    company = make_company(owner)

    company = update_company(company, actor=owner, data={"name": "Новое"}, expected_version=1)

    assert (company.name, company.version) == ("Новое", 2)


def test_stale_expected_version_is_a_conflict_and_changes_nothing(owner, head_a, make_company):
    # given someone else saved after the owner opened the card
    company = make_company(owner)
    update_company(company, actor=head_a, data={"description": "первым"})
    before = db_state()

    # when
    with pytest.raises(ConflictError) as exc:
        update_company(company, actor=owner, data={"name": "Вторым"}, expected_version=1)

    # then
    assert exc.value.current_version == 2
    assert db_state() == before


def test_stale_expected_version_refuses_delete(owner, make_contact):
    contact = make_contact(owner)
    update_contact(contact, actor=owner, data={"position": "директор"})
    before = db_state()

    with pytest.raises(ConflictError) as exc:
        delete_contact(contact, actor=owner, expected_version=1)

    assert exc.value.current_version == 2
    assert db_state() == before


# --- access -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "viewer", "head_b", "manager_b"])
def test_only_owner_head_and_admin_may_update(users, make_company, who):
    company = make_company(users["owner"])
    before = db_state()

    with pytest.raises(AccessDenied):
        update_company(company, actor=users[who], data={"name": "Чужое"})

    assert db_state() == before


@pytest.mark.parametrize("who", ["owner", "head_a", "admin"])
def test_owner_head_and_admin_may_update(users, make_company, who):
    company = make_company(users["owner"])

    update_company(company, actor=users[who], data={"name": "Новое"})

    assert Company.objects.get(pk=company.pk).name == "Новое"


@pytest.mark.parametrize("who", ["colleague", "viewer", "head_b"])
def test_only_owner_head_and_admin_may_delete(users, make_contact, who):
    contact = make_contact(users["owner"])
    before = db_state()

    with pytest.raises(AccessDenied):
        delete_contact(contact, actor=users[who])

    assert db_state() == before


# --- contact ↔ company --------------------------------------------------------------------------------------


def test_contact_is_linked_to_a_visible_company(owner, make_company):
    company = make_company(owner)

    contact = create_contact(actor=owner, data={"first_name": "Иван", "company": company.pk})

    assert Contact.objects.get(pk=contact.pk).company == company


def test_head_may_link_a_contact_to_a_team_members_company(head_a, colleague, make_company):
    company = make_company(colleague)

    contact = create_contact(actor=head_a, data={"first_name": "Иван", "company": company})

    assert Contact.objects.get(pk=contact.pk).company == company


@pytest.mark.parametrize("company_owner", ["colleague", "manager_b", "head_a"])
def test_contact_cannot_be_linked_to_an_invisible_company(users, make_company, company_owner):
    # given a company the owner cannot see
    company = make_company(users[company_owner])
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        create_contact(actor=users["owner"], data={"first_name": "Иван", "company": company.pk})

    # then
    assert exc.value.message_dict == {"company": ["There is no such company."]}
    assert db_state() == before


def test_contact_cannot_be_moved_to_a_deleted_company(owner, make_company, make_contact):
    contact = make_contact(owner)
    gone = delete_company(make_company(owner), actor=owner)
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        update_contact(contact, actor=owner, data={"company": gone.pk})

    assert set(exc.value.message_dict) == {"company"}
    assert db_state() == before


def test_contact_can_be_unlinked_from_its_company(owner, make_company, make_contact):
    contact = make_contact(owner, company=make_company(owner).pk)

    contact = update_contact(contact, actor=owner, data={"company": None})

    assert Contact.objects.get(pk=contact.pk).company is None
    assert contact.version == 2


def test_deleting_a_company_keeps_its_contacts_linked(owner, make_company, make_contact):
    company = make_company(owner)
    contact = make_contact(owner, company=company.pk)

    delete_company(company, actor=owner)

    assert Contact.objects.get(pk=contact.pk).company_id == company.pk


# --- delete / restore ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "delete"), [("make_company", delete_company), ("make_contact", delete_contact)])
def test_delete_moves_the_record_to_the_recycle_bin(request, owner, make, delete):
    record = request.getfixturevalue(make)(owner)

    deleted = delete(record, actor=owner)

    stored = type(record).objects.get(pk=record.pk)
    assert stored.deleted_at is not None
    assert (deleted.version, stored.version) == (2, 2)


def test_deleting_twice_changes_nothing_the_second_time(owner, make_company):
    company = delete_company(make_company(owner), actor=owner)
    before = db_state()

    again = delete_company(company, actor=owner)

    assert again.version == 2
    assert db_state() == before


@pytest.mark.parametrize(("make", "delete", "restore"), [
    ("make_company", delete_company, restore_company), ("make_contact", delete_contact, restore_contact),
])
@pytest.mark.parametrize("who", ["head_a", "admin"])
def test_head_and_admin_restore_from_the_recycle_bin(request, users, make, delete, restore, who):
    record = delete(request.getfixturevalue(make)(users["owner"]), actor=users["owner"])

    restored = restore(record, actor=users[who])

    stored = type(record).objects.get(pk=record.pk)
    assert stored.deleted_at is None
    assert (restored.version, stored.version) == (3, 3)


@pytest.mark.parametrize("who", ["owner", "colleague", "viewer", "head_b"])
def test_others_cannot_restore(users, make_company, who):
    company = delete_company(make_company(users["owner"]), actor=users["owner"])
    before = db_state()

    with pytest.raises(AccessDenied):
        restore_company(company, actor=users[who])

    assert db_state() == before


# --- tags ---------------------------------------------------------------------------------------------------


def test_tags_are_set_on_create(owner):
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "tags": ["VIP", " Тендер 2026 ", ""]})

    assert tag_names(company) == ["VIP", "Тендер 2026"]


def test_tags_are_replaced_on_update(owner, make_company):
    company = make_company(owner, tags=["VIP", "Тендер"])

    update_company(company, actor=owner, data={"tags": ["Тендер", "Новый"]})

    assert tag_names(company) == ["Новый", "Тендер"]


def test_empty_tag_list_clears_tags(owner, make_contact):
    contact = make_contact(owner, tags=["VIP"])

    update_contact(contact, actor=owner, data={"tags": []})

    assert tag_names(contact) == []


def test_update_without_tags_keeps_them(owner, make_company):
    company = make_company(owner, tags=["VIP"])

    update_company(company, actor=owner, data={"name": "Новое"})

    assert tag_names(company) == ["VIP"]


def test_tag_change_increments_version(owner, make_company):
    company = make_company(owner, tags=["VIP"])

    company = update_company(company, actor=owner, data={"tags": ["VIP", "Тендер"]})

    assert company.version == 2
    assert Company.objects.get(pk=company.pk).version == 2


def test_same_tags_keep_version_and_write_nothing(owner, make_company):
    company = make_company(owner, tags=["VIP", "Тендер"])
    before = db_state()

    company = update_company(company, actor=owner, data={"tags": ["Тендер", " VIP "]})

    assert company.version == 1
    assert db_state() == before


def test_stale_form_cannot_overwrite_a_tag_change(owner, head_a, make_company):
    # given the head tagged the record after the owner opened it
    company = make_company(owner, tags=["VIP"])
    update_company(company, actor=head_a, data={"tags": ["VIP", "Тендер"]})
    before = db_state()

    # when the owner saves the stale form
    with pytest.raises(ConflictError):
        update_company(company, actor=owner, data={"tags": ["VIP"]}, expected_version=1)

    # then
    assert db_state() == before
    assert tag_names(company) == ["VIP", "Тендер"]


def test_existing_tag_is_reused(owner, make_company):
    first = make_company(owner, tags=["VIP"])
    second = make_company(owner, tags=["VIP"])

    assert Tag.objects.count() == 1
    assert (tag_names(first), tag_names(second)) == (["VIP"], ["VIP"])


def test_overlong_tag_is_refused(owner):
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", "tags": ["VIP", "x" * 51]})

    assert exc.value.message_dict == {"tags": ["A tag is at most 50 characters."]}
    assert db_state() == before


# --- custom fields ------------------------------------------------------------------------------------------


VALID_CUSTOM = [
    ("text", "  Привет  ", "Привет"),
    ("number", "42", 42),
    ("number", "-3,50", -3.5),
    ("number", 100, 100),
    ("money", "1 234,5", 1234.5),
    ("money", 99, 99),
    ("date", "05.01.2026", "2026-01-05"),
    ("date", "2026-01-05", "2026-01-05"),
    ("choice", "gold", "gold"),
    ("multichoice", ["gold", "silver"], ["gold", "silver"]),
    ("boolean", "да", True),
    ("boolean", False, False),
    ("url", "https://example.com/path", "https://example.com/path"),
]


@pytest.mark.parametrize(("field_type", "value", "stored"), VALID_CUSTOM)
def test_custom_field_value_is_stored_clean(owner, make_custom_field, field_type, value, stored):
    make_custom_field("cf", field_type, choices=("gold", "silver") if "choice" in field_type else ())

    company = create_company(actor=owner, data={"name": "ООО Ромашка", "custom_fields": {"cf": value}})

    assert Company.objects.get(pk=company.pk).custom_fields == {"cf": stored}


INVALID_CUSTOM = [
    ("text", "x" * 2001, "At most 2000 characters."),
    ("number", "много", "Enter a number."),
    ("number", True, "Enter a number."),
    ("money", "NaN", "Enter a number."),
    ("date", "31.02.2026", "Enter a date as YYYY-MM-DD or DD.MM.YYYY."),
    ("choice", "platinum", "“platinum” is not one of the options."),
    ("multichoice", ["gold", "tin"], "“tin” is not one of the options."),
    ("boolean", "может быть", "Enter yes or no."),
    ("url", "ftp://example.com", "Enter a valid http(s) link."),
    ("url", "example.com", "Enter a valid http(s) link."),
]


@pytest.mark.parametrize(("field_type", "value", "message"), INVALID_CUSTOM)
def test_custom_field_of_wrong_type_is_refused_on_create(owner, make_custom_field, field_type, value, message):
    make_custom_field("cf", field_type, choices=("gold", "silver") if "choice" in field_type else ())
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", "custom_fields": {"cf": value}})

    assert exc.value.message_dict == {"custom_fields": [f"cf: {message}"]}
    assert db_state() == before


@pytest.mark.parametrize(("field_type", "value", "message"), INVALID_CUSTOM)
def test_custom_field_of_wrong_type_is_refused_on_update(owner, make_custom_field, make_contact, field_type, value,
                                                         message):
    make_custom_field("cf", field_type, entity="contact", choices=("gold", "silver") if "choice" in field_type else ())
    contact = make_contact(owner)
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        update_contact(contact, actor=owner, data={"custom_fields": {"cf": value}})

    assert exc.value.message_dict == {"custom_fields": [f"cf: {message}"]}
    assert db_state() == before


def test_unknown_custom_field_is_refused(owner, make_custom_field):
    # given a field defined for contacts only
    make_custom_field("birthday_gift", entity="contact")
    before = db_state()

    # when
    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка", "custom_fields": {"birthday_gift": "торт"}})

    # then
    assert exc.value.message_dict == {"custom_fields": ["birthday_gift: There is no custom field “birthday_gift”."]}
    assert db_state() == before


@pytest.mark.parametrize("field_type", ["text", "number", "money", "date", "choice", "multichoice", "boolean", "url"])
def test_required_custom_field_is_refused_when_missing_on_create(owner, make_custom_field, field_type):
    make_custom_field("cf", field_type, required=True, choices=("gold",) if "choice" in field_type else ())
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        create_company(actor=owner, data={"name": "ООО Ромашка"})

    assert exc.value.message_dict == {"custom_fields": ["cf: This field is required."]}
    assert db_state() == before


def test_required_custom_field_cannot_be_emptied(owner, make_custom_field):
    make_custom_field("segment", required=True)
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "custom_fields": {"segment": "B2B"}})
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        update_company(company, actor=owner, data={"custom_fields": {"segment": ""}})

    assert exc.value.message_dict == {"custom_fields": ["segment: This field is required."]}
    assert db_state() == before


def test_update_of_one_custom_field_keeps_the_others(owner, make_custom_field):
    make_custom_field("segment")
    make_custom_field("employees", "number")
    company = create_company(actor=owner, data={
        "name": "ООО Ромашка", "custom_fields": {"segment": "B2B", "employees": "10"},
    })

    company = update_company(company, actor=owner, data={"custom_fields": {"employees": "12"}})

    assert Company.objects.get(pk=company.pk).custom_fields == {"segment": "B2B", "employees": 12}
    assert company.version == 2


def test_emptying_a_custom_field_removes_its_key(owner, make_custom_field):
    make_custom_field("segment")
    company = create_company(actor=owner, data={"name": "ООО Ромашка", "custom_fields": {"segment": "B2B"}})

    update_company(company, actor=owner, data={"custom_fields": {"segment": None}})

    assert Company.objects.get(pk=company.pk).custom_fields == {}


# --- bulk actions -------------------------------------------------------------------------------------------


def test_bulk_assign_hands_every_record_to_the_new_responsible(head_a, owner, colleague, make_company):
    companies = [make_company(owner), make_company(owner), make_company(head_a)]

    done = bulk_assign(companies, actor=head_a, owner=colleague)

    assert done == 3
    assert list(Company.objects.order_by("pk").values_list("owner_id", "version")) == [(colleague.pk, 2)] * 3


def test_bulk_assign_refuses_the_whole_batch_if_one_record_is_out_of_reach(head_a, owner, manager_b,
                                                                         colleague, make_company):
    # given a batch with one record of another team
    companies = [make_company(owner), make_company(manager_b), make_company(owner)]
    before = db_state()

    # when
    with pytest.raises(AccessDenied):
        bulk_assign(companies, actor=head_a, owner=colleague)

    # then
    assert db_state() == before


def test_bulk_assign_by_a_manager_changes_nothing(owner, colleague, make_contact):
    contacts = [make_contact(owner), make_contact(owner)]
    before = db_state()

    with pytest.raises(ValidationError) as exc:
        bulk_assign(contacts, actor=owner, owner=colleague)

    assert set(exc.value.message_dict) == {"owner"}
    assert db_state() == before


def test_bulk_add_tag_tags_every_record(owner, make_company, make_contact):
    records = [make_company(owner), make_contact(owner)]

    done = bulk_add_tag(records, actor=owner, tag="Тендер")

    assert done == 2
    assert [tag_names(r) for r in records] == [["Тендер"], ["Тендер"]]


def test_bulk_add_tag_keeps_existing_tags(owner, make_company):
    company = make_company(owner, tags=["VIP"])

    bulk_add_tag([company], actor=owner, tag="Тендер")

    assert tag_names(company) == ["VIP", "Тендер"]


def test_bulk_add_tag_increments_version_only_where_the_tag_was_added(owner, make_company):
    tagged = make_company(owner, tags=["Тендер"])
    untagged = make_company(owner)

    bulk_add_tag([tagged, untagged], actor=owner, tag="Тендер")

    assert list(Company.objects.order_by("pk").values_list("version", flat=True)) == [1, 2]


def test_bulk_add_tag_refuses_the_whole_batch_if_one_record_is_out_of_reach(owner, colleague, make_company):
    companies = [make_company(owner), make_company(colleague)]
    before = db_state()

    with pytest.raises(AccessDenied):
        bulk_add_tag(companies, actor=owner, tag="Тендер")

    assert db_state() == before


def test_bulk_delete_deletes_every_record(owner, make_company, make_contact):
    records = [make_company(owner), make_contact(owner)]

    done = bulk_delete(records, actor=owner)

    assert done == 2
    assert Company.objects.alive().count() == 0
    assert Contact.objects.alive().count() == 0


@pytest.mark.parametrize("actor", ["owner", "viewer"])
def test_bulk_delete_refuses_the_whole_batch_if_one_record_is_out_of_reach(users, make_company, actor):
    companies = [make_company(users["owner"]), make_company(users["colleague"])]
    before = db_state()

    with pytest.raises(AccessDenied):
        bulk_delete(companies, actor=users[actor])

    assert db_state() == before
