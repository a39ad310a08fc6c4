"""The JSON API of companies and contacts under /api/v1: permission matrix, error contract, ETags,
filters, authentication paths and the list's query budget.

Records a user may not see answer 404; a record they see but may not change answers 403.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kartoteka.accounts.models import ApiToken, RecordShare, User
from kartoteka.accounts.services import issue_token, revoke_token
from kartoteka.conftest import api_client_for, client_for
from kartoteka.contacts import services
from kartoteka.contacts.models import Company, Contact
from kartoteka.customfields.choices import Entity, FieldType
from kartoteka.customfields.models import CustomField
from kartoteka.customfields.services import save_custom_field

INVALID = "Some fields are not valid."
NOT_FOUND = {"detail": "Not found.", "errors": {}}
UNAUTHENTICATED = {"detail": "Authentication required: send 'Authorization: Bearer <token>'.", "errors": {}}
FORBIDDEN = {"detail": "You do not have permission to do this.", "errors": {}}

SEE = {"anonymous": 401, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
       "manager_b": 404, "viewer": 200}
PATCH = {"anonymous": 401, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
         "manager_b": 404, "viewer": 403}
DELETE = {"anonymous": 401, "admin": 204, "head_a": 204, "head_b": 404, "owner": 204, "colleague": 404,
          "manager_b": 404, "viewer": 403}
RESTORE = {"anonymous": 401, "admin": 200, "head_a": 200, "head_b": 404, "owner": 403, "colleague": 404,
           "manager_b": 404, "viewer": 403}
CREATE = {"anonymous": 401, "admin": 201, "head_a": 201, "head_b": 201, "owner": 201, "colleague": 201,
          "manager_b": 201, "viewer": 403}
ERROR_BODIES = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


@dataclass(frozen=True)
class Kind:
    entity: str
    model: type
    path: str
    change: dict[str, Any]  # a valid PATCH body
    create: dict[str, Any]  # a minimal valid POST body

    def url(self, *parts: Any) -> str:
        return "/".join([f"/api/v1/{self.path}", *(str(p) for p in parts)])


COMPANY = Kind("company", Company, "companies", {"name": "ООО Переименованная"}, {"name": "ООО Новая"})
CONTACT = Kind("contact", Contact, "contacts", {"position": "Главный бухгалтер"}, {"first_name": "Олег"})
KINDS = [pytest.param(COMPANY, id="company"), pytest.param(CONTACT, id="contact")]


def send(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, **headers)
    return call(url, json.dumps(body), content_type="application/json", **headers)


def snapshot(record: Any) -> dict[str, Any]:
    fresh = type(record).objects.get(pk=record.pk)
    return {**fresh.audit_snapshot(), "version": fresh.version, "tags": sorted(t.name for t in fresh.tags.all())}


def assert_error(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response.json() == ERROR_BODIES[status]


@pytest.fixture
def record(request: Any, owner: Any, make_company: Any, make_contact: Any) -> Any:
    kind = request.getfixturevalue("kind")
    if kind is COMPANY:
        return make_company(owner, name="ООО Ромашка", phones=["+79161234567"], tags=["VIP"])
    return make_contact(owner, last_name="Сидорова", first_name="Анна", phones=["+79161234567"], tags=["VIP"])


# --- the permission matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(SEE))
def test_list_holds_and_counts_only_visible_records(kind, role, users, record, manager_b, make_company,
                                                     make_contact):
    # A record of another team that nobody in Team A may see, to keep `count` honest.
    if kind is COMPANY:
        make_company(manager_b, name="ООО Чужая")
    else:
        make_contact(manager_b, first_name="Чужой")

    response = api_client_for(users[role]).get(kind.url())

    if role == "anonymous":
        assert_error(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"
        return
    assert response.status_code == 200
    body = response.json()
    expected = [record.pk] if role in {"admin", "head_a", "owner", "viewer"} else []
    if role == "admin":
        expected = sorted([*expected, kind.model.objects.exclude(pk=record.pk).get().pk])
    elif role in {"head_b", "manager_b"}:
        expected = [kind.model.objects.exclude(pk=record.pk).get().pk]
    assert sorted(item["id"] for item in body["items"]) == expected
    assert (body["count"], body["count_is_capped"], body["has_next"]) == (len(expected), False, False)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(SEE.items()))
def test_read_answers_only_those_who_may_see(kind, role, status, users, record):
    response = api_client_for(users[role]).get(kind.url(record.pk))

    if status != 200:
        assert_error(response, status)
        assert "ETag" not in response
        return
    assert response.status_code == 200
    assert response.json()["id"] == record.pk
    assert response["ETag"] == f'"{record.pk}-1"'


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(PATCH.items()))
def test_patch_changes_only_for_those_who_may_change(kind, role, status, users, record):
    before = snapshot(record)

    response = send(api_client_for(users[role]), "patch", kind.url(record.pk), kind.change)

    if status != 200:
        assert_error(response, status)
        assert snapshot(record) == before
        return
    assert response.status_code == 200
    field, value = next(iter(kind.change.items()))
    assert (response.json()[field], response.json()["version"]) == (value, 2)
    assert response["ETag"] == f'"{record.pk}-2"'
    record.refresh_from_db()
    assert getattr(record, field) == value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(DELETE.items()))
def test_delete_moves_to_recycle_bin_only_for_those_who_may_change(kind, role, status, users, record):
    before = snapshot(record)

    response = api_client_for(users[role]).delete(kind.url(record.pk))

    if status != 204:
        assert_error(response, status)
        assert snapshot(record) == before
        return
    assert response.status_code == 204
    assert response.content == b""
    record.refresh_from_db()
    assert record.deleted_at is not None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(RESTORE.items()))
def test_restore_only_by_admin_and_the_owners_head(kind, role, status, users, owner, record):
    deleted = getattr(services, f"delete_{kind.entity}")(record, actor=owner)
    before = snapshot(deleted)

    response = api_client_for(users[role]).post(kind.url(record.pk, "restore"))

    if status != 200:
        assert_error(response, status)
        assert snapshot(deleted) == before
        return
    assert response.status_code == 200
    assert (response.json()["deleted"], response.json()["version"]) == (False, 3)
    assert response["ETag"] == f'"{record.pk}-3"'
    deleted.refresh_from_db()
    assert deleted.deleted_at is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(SEE.items()))
def test_history_answers_only_those_who_may_see(kind, role, status, users, record):
    response = api_client_for(users[role]).get(kind.url(record.pk, "history"))

    if status != 200:
        assert_error(response, status)
        return
    assert response.status_code == 200
    # creation, then the tags it was created with (tags are written after the row exists)
    assert [item["action"] for item in response.json()["items"]] == ["update", "create"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(CREATE.items()))
def test_create_is_refused_to_viewers_and_anonymous(kind, role, status, users):
    response = send(api_client_for(users[role]), "post", kind.url(), kind.create)

    if status != 201:
        assert_error(response, status)
        assert kind.model.objects.count() == 0
        return
    assert response.status_code == 201
    created = kind.model.objects.get()
    assert (response.json()["id"], response.json()["owner"]["id"]) == (created.pk, users[role].pk)
    assert response["ETag"] == f'"{created.pk}-1"'


def test_deleted_record_is_not_found_but_keeps_its_history(owner, make_company):
    company = services.delete_company(make_company(owner, name="ООО Ромашка"), actor=owner)
    client = api_client_for(owner)

    assert_error(client.get(COMPANY.url(company.pk)), 404)
    history = client.get(COMPANY.url(company.pk, "history")).json()
    assert [item["action"] for item in history["items"]] == ["delete", "create"]


def test_history_names_the_actor_path_and_the_change(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    client = api_client_for(owner)
    send(client, "patch", COMPANY.url(company.pk), {"name": "ООО Лютик"})

    items = client.get(COMPANY.url(company.pk, "history")).json()["items"]

    assert len(items) == 2
    assert {k: items[0][k] for k in ("action", "source", "changes")} == {
        "action": "update", "source": "api", "changes": {"name": {"before": "ООО Ромашка", "after": "ООО Лютик"}}}
    assert items[0]["actor"] == {"id": owner.pk, "username": "owner", "name": "owner"}


def test_shared_record_reads_but_refuses_changes_with_403(owner, colleague, make_company):
    company = make_company(colleague, name="ООО Коллеги")
    # No service shares records yet, so the grant is written directly.
    RecordShare.objects.create(user=owner, content_type=ContentType.objects.get_for_model(Company),
                               object_id=company.pk, created_by=colleague)
    client = api_client_for(owner)
    before = snapshot(company)

    read = client.get(COMPANY.url(company.pk))
    patch = send(client, "patch", COMPANY.url(company.pk), {"name": "ООО Моя"})
    delete = client.delete(COMPANY.url(company.pk))

    assert read.status_code == 200
    assert_error(patch, 403)
    assert_error(delete, 403)
    assert snapshot(company) == before


# --- validation: 422 naming the field, nothing written -----------------------------------------------------


@pytest.fixture
def employees_field(admin: Any) -> CustomField:
    return save_custom_field(
        CustomField(entity=Entity.COMPANY, key="employees", label="Сотрудники", field_type=FieldType.NUMBER),
        actor=admin, choices=[],
    )


@pytest.mark.parametrize(("body", "errors"), [
    ({"phones": ["+79161234567", "12345"]}, {"phones": ["“12345” is not a valid phone number."]}),
    ({"emails": ["not-an-e-mail"]}, {"emails": ["“not-an-e-mail” is not a valid e-mail address."]}),
    ({"inn": "7707083894"}, {"inn": ["INN checksum is wrong: check the digits."]}),
    ({"inn": "12345"}, {"inn": ["INN must be 10 digits (company) or 12 digits (person)."]}),
    ({"custom_fields": {"nope": 1}}, {"custom_fields": ["nope: There is no custom field “nope”."]}),
    ({"custom_fields": {"employees": "many"}}, {"custom_fields": ["employees: Enter a number."]}),
    ({"phones": "+79161234567"}, {"phones": ["Input should be a valid list"]}),
    ({"name": 42}, {"name": ["Input should be a valid string"]}),
    ({"status": "sleeping"}, {"status": ["Input should be 'potential', 'active' or 'former'"]}),
    ({"website": "x" * 256}, {"website": ["String should have at most 255 characters"]}),
    ({"tags": ["x" * 51]}, {"tags": ["A tag is at most 50 characters."]}),
])
def test_invalid_patch_answers_422_naming_the_field_and_writes_nothing(body, errors, owner, make_company,
                                                                      employees_field):
    company = make_company(owner, name="ООО Ромашка", phones=["+74951234567"])
    before = snapshot(company)

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {"name": "ООО Лютик", **body})

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert snapshot(company) == before


@pytest.mark.parametrize(("body", "errors"), [
    ({}, {"name": ["Field required"]}),
    ({"inn": "7707083894"}, {"name": ["Field required"]}),
    ({"name": "ООО Ромашка", "inn": "7707083894"}, {"inn": ["INN checksum is wrong: check the digits."]}),
    ({"name": "ООО Ромашка", "emails": ["a@b"]}, {"emails": ["“a@b” is not a valid e-mail address."]}),
])
def test_invalid_create_answers_422_and_creates_nothing(body, errors, owner):
    response = send(api_client_for(owner), "post", COMPANY.url(), body)

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert Company.objects.count() == 0


@pytest.mark.parametrize(("body", "errors"), [
    ({"telegram": "@ab"}, {"telegram": ["A Telegram username is 5-32 Latin letters, digits or underscores."]}),
    ({"birthday": "31.02.2026"}, {"birthday": ["Input should be a valid date or datetime, invalid character in year"]}),
    ({"first_name": ""}, {"first_name": ["This field cannot be blank."]}),
])
def test_invalid_contact_patch_answers_422_and_writes_nothing(body, errors, owner, make_contact):
    contact = make_contact(owner, first_name="Анна")
    before = snapshot(contact)

    response = send(api_client_for(owner), "patch", CONTACT.url(contact.pk), body)

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert snapshot(contact) == before


def test_contact_cannot_be_linked_to_an_invisible_company(owner, manager_b, make_company, make_contact):
    foreign = make_company(manager_b, name="ООО Чужая")
    contact = make_contact(owner, first_name="Анна")
    before = snapshot(contact)

    response = send(api_client_for(owner), "patch", CONTACT.url(contact.pk), {"company": foreign.pk})

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"company": ["There is no such company."]}}
    assert snapshot(contact) == before


def test_valid_patch_normalises_values(owner, make_company, employees_field):
    company = make_company(owner, name="ООО Ромашка")

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {
        "phones": ["8 (916) 123-45-67"], "emails": ["Info@Example.COM"], "inn": " 7707083893 ",
        "custom_fields": {"employees": "1 200"}, "tags": ["VIP", "опт"]})

    assert response.status_code == 200
    body = response.json()
    assert body["phones"] == [{"e164": "+79161234567", "display": "8 (916) 123-45-67"}]
    assert (body["emails"], body["inn"], body["custom_fields"], body["tags"]) == (
        ["info@example.com"], "7707083893", {"employees": 1200}, ["VIP", "опт"])


# --- mass assignment ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"owner": "colleague"}, "owner"),
    ({"created_by": "colleague"}, "created_by"),
    ({"version": 7}, "version"),
    ({"deleted_at": "2026-01-01T00:00:00Z"}, "deleted_at"),
    ({"id": 999}, "id"),
    ({"search_text": "x"}, "search_text"),
])
def test_manager_cannot_set_protected_fields(body, field, owner, colleague, make_company):
    company = make_company(owner, name="ООО Ромашка")
    before = snapshot(company)
    body = {k: (colleague.pk if v == "colleague" else v) for k, v in body.items()}

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), body)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert snapshot(company) == before


def test_naming_the_current_owner_changes_nothing(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {"owner": owner.pk})

    assert response.status_code == 200
    assert (response.json()["owner"]["id"], response.json()["version"]) == (owner.pk, 1)


def test_head_reassigns_within_the_team(head_a, owner, colleague, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = send(api_client_for(head_a), "patch", COMPANY.url(company.pk), {"owner": colleague.pk})

    assert response.status_code == 200
    company.refresh_from_db()
    assert company.owner_id == colleague.pk


def test_head_cannot_hand_a_record_to_another_team(head_a, owner, manager_b, make_company):
    company = make_company(owner, name="ООО Ромашка")
    before = snapshot(company)

    response = send(api_client_for(head_a), "patch", COMPANY.url(company.pk), {"owner": manager_b.pk})

    assert response.status_code == 422
    assert response.json()["errors"] == {"owner": ["This user cannot be made responsible for the record."]}
    assert snapshot(company) == before


# --- ETag and If-Match -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_stale_if_match_answers_412_and_changes_nothing(method, owner, head_a, make_company):
    company = make_company(owner, name="ООО Ромашка")
    client = api_client_for(owner)
    etag = client.get(COMPANY.url(company.pk))["ETag"]
    services.update_company(company, actor=head_a, data={"name": "ООО Ромашка и партнёры"})
    before = snapshot(company)

    body = {"name": "ООО Устаревшее"} if method == "patch" else None
    response = send(client, method, COMPANY.url(company.pk), body, HTTP_IF_MATCH=etag)

    assert etag == f'"{company.pk}-1"'
    assert response.status_code == 412
    assert response.json() == {"detail": "This record was changed by someone else since you opened it.", "errors": {}}
    assert snapshot(company) == before


@pytest.mark.parametrize("if_match", ["garbage", '"999-1"', "W/"])
def test_unreadable_or_foreign_if_match_answers_412(if_match, owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    before = snapshot(company)

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {"name": "ООО Лютик"},
                    HTTP_IF_MATCH=if_match)

    assert response.status_code == 412
    assert snapshot(company) == before


@pytest.mark.parametrize("if_match", ['"{pk}-1"', 'W/"{pk}-1"', "*"])
def test_current_if_match_lets_the_change_through(if_match, owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {"name": "ООО Лютик"},
                    HTTP_IF_MATCH=if_match.format(pk=company.pk))

    assert response.status_code == 200
    assert response["ETag"] == f'"{company.pk}-2"'


def test_patch_without_if_match_is_last_write_wins(owner, head_a, make_company):
    company = make_company(owner, name="ООО Ромашка")
    services.update_company(company, actor=head_a, data={"name": "ООО Ромашка и партнёры"})

    response = send(api_client_for(owner), "patch", COMPANY.url(company.pk), {"name": "ООО Лютик"})

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"]) == ("ООО Лютик", 3)


def test_delete_with_current_if_match_deletes(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    response = api_client_for(owner).delete(COMPANY.url(company.pk), HTTP_IF_MATCH=f'"{company.pk}-1"')

    assert response.status_code == 204
    company.refresh_from_db()
    assert company.deleted_at is not None


# --- list: pagination, ordering, filters, search -----------------------------------------------------------


def test_page_size_above_the_maximum_is_refused(owner):
    response = api_client_for(owner).get(COMPANY.url(), {"page_size": 101})

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": {"page_size": ["Input should be less than or equal to 100"]}}


def test_pages_walk_the_list(owner, make_company):
    for name in ("ООО А", "ООО Б", "ООО В"):
        make_company(owner, name=name)
    client = api_client_for(owner)

    first = client.get(COMPANY.url(), {"page_size": 2}).json()
    second = client.get(COMPANY.url(), {"page_size": 2, "page": 2}).json()

    assert [i["name"] for i in first["items"]] == ["ООО А", "ООО Б"]
    assert (first["has_next"], first["count"], first["page_size"]) == (True, 3, 2)
    assert [i["name"] for i in second["items"]] == ["ООО В"]
    assert (second["has_next"], second["page"]) == (False, 2)


@pytest.mark.parametrize(("ordering", "expected"), [
    ("name", ["ООО А", "ООО Б", "ООО В"]),
    ("-name", ["ООО В", "ООО Б", "ООО А"]),
    ("-inn", ["ООО Б", "ООО А", "ООО В"]),
    ("id", ["ООО Б", "ООО В", "ООО А"]),
])
def test_ordering_sorts_the_list(ordering, expected, owner, make_company):
    make_company(owner, name="ООО Б", inn="7707083893")
    make_company(owner, name="ООО В")
    make_company(owner, name="ООО А", inn="500100732259")

    response = api_client_for(owner).get(COMPANY.url(), {"ordering": ordering})

    assert [i["name"] for i in response.json()["items"]] == expected


@pytest.mark.parametrize("ordering", ["owner__password", "--name", "search_text", "name;drop"])
def test_unknown_ordering_is_refused(ordering, owner, make_company):
    make_company(owner, name="ООО А")

    response = api_client_for(owner).get(COMPANY.url(), {"ordering": ordering})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["ordering"]


def test_filters_combine(owner, colleague, head_a, make_company):
    wanted = make_company(owner, name="ООО Нужная", status="active", tags=["VIP"])
    make_company(owner, name="ООО Без тега", status="active")
    make_company(owner, name="ООО Потенциальная", status="potential", tags=["VIP"])
    make_company(colleague, name="ООО Коллеги", status="active", tags=["VIP"])

    response = api_client_for(head_a).get(COMPANY.url(), {"status": "active", "tag": "VIP", "owner": owner.pk})

    assert [i["id"] for i in response.json()["items"]] == [wanted.pk]
    assert response.json()["count"] == 1


def test_unknown_filter_value_is_refused(owner):
    response = api_client_for(owner).get(COMPANY.url(), {"status": "sleeping"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status.0"]


@pytest.mark.parametrize(("query", "expected"), [
    ("ромаш", ["ООО Ромашка"]),
    ("+7 916 123-45-67", ["ООО Ромашка"]),
    ("7707083893", ["ООО Лютик"]),
    ("info@lyutik", ["ООО Лютик"]),
    ("василёк", []),
])
def test_q_searches_name_phone_inn_and_email(query, expected, owner, manager_b, make_company):
    make_company(owner, name="ООО Ромашка", phones=["+79161234567"])
    make_company(owner, name="ООО Лютик", inn="7707083893", emails=["info@lyutik.ru"])
    make_company(manager_b, name="ООО Ромашка чужая", phones=["+79161234567"])

    response = api_client_for(owner).get(COMPANY.url(), {"q": query})

    assert [i["name"] for i in response.json()["items"]] == expected
    assert response.json()["count"] == len(expected)


def test_contacts_filter_by_company(owner, make_company, make_contact):
    company = make_company(owner, name="ООО Ромашка")
    employee = make_contact(owner, first_name="Анна", company=company.pk)
    make_contact(owner, first_name="Борис")

    response = api_client_for(owner).get(CONTACT.url(), {"company": company.pk})

    assert [i["id"] for i in response.json()["items"]] == [employee.pk]
    assert response.json()["items"][0]["company"] == {"id": company.pk, "name": "ООО Ромашка"}


# --- authentication paths ----------------------------------------------------------------------------------


@pytest.fixture
def session_client(owner: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/companies/")  # sets the csrftoken cookie, as the browser's first page does
    return client


def test_session_write_without_csrf_token_is_refused(session_client):
    response = send(session_client, "post", COMPANY.url(), {"name": "ООО Ромашка"})

    assert response.status_code == 403
    assert Company.objects.count() == 0


def test_session_write_with_csrf_token_is_accepted(session_client, owner):
    response = send(session_client, "post", COMPANY.url(), {"name": "ООО Ромашка"},
                    HTTP_X_CSRFTOKEN=session_client.cookies["csrftoken"].value)

    assert response.status_code == 201
    assert Company.objects.get().owner_id == owner.pk


def test_session_read_needs_no_csrf_token(session_client, owner, make_company):
    make_company(owner, name="ООО Ромашка")

    response = session_client.get(COMPANY.url())

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_revoked_token_is_refused(owner):
    key = issue_token(owner)
    revoke_token(owner, ApiToken.objects.get(prefix=key[:8]).pk)

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(COMPANY.url())

    assert_error(response, 401)


def test_token_of_an_inactive_user_is_refused(owner):
    key = issue_token(owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)  # no deactivation service yet

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(COMPANY.url())

    assert_error(response, 401)


@pytest.mark.parametrize("header", ["Bearer ktk_not-a-real-token", "Token abc", "Bearer", "Basic b3duZXI6eA=="])
def test_bad_authorization_header_is_refused(header, owner, make_company):
    make_company(owner, name="ООО Ромашка")

    response = Client(HTTP_AUTHORIZATION=header).get(COMPANY.url())

    assert_error(response, 401)


def test_token_use_is_recorded(owner):
    key = issue_token(owner)

    Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(COMPANY.url())

    assert ApiToken.objects.get(prefix=key[:8]).last_used_at is not None


# --- query budget ------------------------------------------------------------------------------------------

# Measured, the same on SQLite and PostgreSQL: token with its user, custom fields (filters), the page of rows
# with owners (and companies), their tags, the capped count.
API_LIST_QUERY_BUDGET = 5


def _fill(kind: Kind, n: int, owners: list[Any], make_company: Any, make_contact: Any) -> None:
    for i in range(n):
        owner = owners[i % len(owners)]
        if kind is COMPANY:
            make_company(owner, name=f"ООО Компания {i:03}", phones=["+79161234567"], tags=[f"тег{i % 3}", "VIP"])
        else:
            company = make_company(owner, name=f"ООО Работодатель {i:03}")
            make_contact(owner, first_name=f"Имя{i:03}", company=company.pk, tags=[f"тег{i % 3}", "VIP"])


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", KINDS)
def test_list_queries_do_not_grow_with_rows(kind, head_a, owner, colleague, make_company, make_contact):
    client = api_client_for(head_a)
    client.get(kind.url())  # the token's first use records its time
    _fill(kind, 5, [owner, colleague], make_company, make_contact)
    few = count_queries(client, kind.url())
    _fill(kind, 45, [owner, colleague, head_a], make_company, make_contact)

    many = count_queries(client, kind.url())

    assert len(client.get(kind.url(), {"page_size": 100}).json()["items"]) == 50
    assert many == few
    assert many <= API_LIST_QUERY_BUDGET


# --- the schema and the docs -------------------------------------------------------------------------------


def test_openapi_lists_every_operation():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    operations = {op["operationId"] for path in response.json()["paths"].values() for op in path.values()}
    # Every other app's operations are inventoried by the access matrix (core/tests/test_route_matrix.py).
    assert operations >= {f"{entity}_{verb}" for entity in ("company", "contact")
                          for verb in ("list", "create", "read", "update", "delete", "restore", "history")}


def test_docs_page_loads_only_same_origin_scripts():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # The page is served under `script-src 'self'`: an inline or third-party script would not run.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attrs in scripts:
        src = re.search(r'src="([^"]+)"', attrs)
        assert ('type="application/json"' in attrs) or (src is not None and src.group(1).startswith("/static/"))
    assert "cdn.jsdelivr.net" not in html


def test_api_answers_json_for_unknown_records(owner):
    response = api_client_for(owner).get(COMPANY.url(999999))

    assert_error(response, 404)


def test_session_user_sees_the_same_visibility_as_with_a_token(owner, manager_b, make_company):
    make_company(manager_b, name="ООО Чужая")

    response = client_for(owner).get(COMPANY.url())

    assert response.json()["count"] == 0


def test_numeric_custom_field_filters_by_range_and_sorts_numerically(owner, make_company, employees_field):
    # given companies with 5, 50 and 500 employees (stored as numbers, not text: "500" < "50" as text)
    for name, employees in [("Малая", 5), ("Средняя", 50), ("Крупная", 500)]:
        make_company(owner, name=name, custom_fields={"employees": employees})
    client = api_client_for(owner)

    # when filtering 10..100 through the list's custom field range filter
    body = client.get("/api/v1/companies", {"cf_employees_min": 10, "cf_employees_max": 100}).json()

    # then only the middle one is listed
    assert [c["name"] for c in body["items"]] == ["Средняя"]
    assert body["items"][0]["custom_fields"] == {"employees": 50}
    ordered = Company.objects.order_by("custom_fields__employees").values_list("name", flat=True)
    assert list(ordered) == ["Малая", "Средняя", "Крупная"]


def test_a_visible_contact_never_reveals_a_company_its_viewer_cannot_see(admin, owner, colleague, head_a,
                                                                         make_company, make_contact):
    # given the owner's contact works at a company owned by a colleague (linked by an admin)
    secret = make_company(colleague, name="ООО Секрет")
    contact = services.create_contact(actor=admin, data={"first_name": "Пётр", "company": secret.pk, "owner": owner.pk})

    # when the owner reads the contact through the list and the detail endpoint
    client = api_client_for(owner)
    listed = client.get("/api/v1/contacts").json()["items"]
    detail = client.get(f"/api/v1/contacts/{contact.pk}").json()

    # then the company is absent for the owner, and present for the head who sees both
    assert [c["company"] for c in listed] == [None]
    assert detail["company"] is None
    assert "Секрет" not in client.get("/api/v1/contacts").content.decode()
    head_view = api_client_for(head_a).get(f"/api/v1/contacts/{contact.pk}").json()
    assert head_view["company"] == {"id": secret.pk, "name": "ООО Секрет"}
