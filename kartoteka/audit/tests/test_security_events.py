"""Security events: logins, failed logins, lockouts, logouts, refused access; the log page and the admin."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from kartoteka.audit import chain
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.context import change_context
from kartoteka.audit.models import ObjectChange, SecurityEvent
from kartoteka.audit.services import record_security_event
from kartoteka.conftest import PASSWORD, api_client_for, client_for
from kartoteka.contacts.models import Company
from kartoteka.contacts.services import delete_company

LOGIN = "/accounts/login/"


def events(*kinds: str) -> list[tuple]:
    """(kind, username, actor id, ip, source, reason) of the security events, oldest first."""
    qs = SecurityEvent.objects.order_by("id")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return [(e.kind, e.username, e.actor_id, e.ip_address, e.source, e.detail.get("reason")) for e in qs]


def denials() -> list[tuple]:
    """(model, object id, reason, method, path) of the access_denied events, oldest first."""
    return [(f"{e.content_type.app_label}.{e.content_type.model}" if e.content_type else e.detail.get("model"),
             e.object_id or e.detail.get("object_id"),
             e.detail["reason"], e.detail["method"], e.detail["path"])
            for e in SecurityEvent.objects.filter(kind="access_denied").select_related("content_type").order_by("id")]


def login(username: str, password: str, ip: str = "127.0.0.2") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def without_tokens(html: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", html)


# --- logins ---------------------------------------------------------------------------------------------------

def test_login_is_recorded_with_the_user_and_address(owner):
    _client, response = login("owner", PASSWORD, ip="127.0.0.2")

    assert response.status_code == 302
    assert events() == [("login", "owner", owner.pk, "127.0.0.2", "ui", None)]
    event = SecurityEvent.objects.get()
    assert (event.detail["method"], event.detail["path"]) == ("POST", LOGIN)


def test_failed_logins_record_the_name_tried_alike_for_known_and_unknown_users(owner):
    # when a wrong password for a user who exists and any password for one who does not are tried
    _c, known = login("owner", "wrong-password", ip="127.0.0.3")
    _c, unknown = login("nobody", "wrong-password", ip="127.0.0.3")

    # then the client gets the same answer
    assert (known.status_code, without_tokens(known.content.decode())) == (
        unknown.status_code, without_tokens(unknown.content.decode()).replace('value="nobody"', 'value="owner"'))
    # and the log has the same kind of row for both, naming what was tried and linking no user
    assert events() == [
        ("login_failed", "owner", None, "127.0.0.3", "ui", None),
        ("login_failed", "nobody", None, "127.0.0.3", "ui", None),
    ]


def test_lockout_is_recorded_and_still_locks(owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("owner", "wrong-password")

    _client, response = login("owner", PASSWORD)

    assert response.status_code == 429  # django-axes still refuses even the right password
    kinds = [kind for kind, *_ in events()]
    assert kinds.count("login_failed") == settings.AXES_FAILURE_LIMIT + 1
    assert "locked_out" in kinds
    assert "login" not in kinds
    assert ("locked_out", "owner", None, "127.0.0.2", "ui", None) in events()


def test_logout_is_recorded(owner):
    client, _response = login("owner", PASSWORD)

    client.post(reverse("accounts:logout"))

    assert [e[:3] for e in events()] == [("login", "owner", owner.pk), ("logout", "owner", owner.pk)]


def test_logout_without_a_session_records_nothing(db):
    Client().post(reverse("accounts:logout"))

    assert events() == []


# --- refused access: web --------------------------------------------------------------------------------------

def test_card_of_a_record_the_user_may_not_see_is_a_recorded_denial(owner, manager_b, make_company):
    company = make_company(owner, name="ООО Чужая")

    response = client_for(manager_b).get(company.get_absolute_url())

    assert response.status_code == 404
    assert denials() == [("contacts.company", company.pk, "not_visible", "GET", company.get_absolute_url())]
    event = SecurityEvent.objects.get(kind="access_denied")
    assert (event.actor_id, event.username, event.object_repr) == (manager_b.pk, "manager_b", "ООО Чужая")


def test_missing_record_is_not_a_denial(owner):
    response = client_for(owner).get(reverse("contacts:company_detail", args=[999_999]))

    assert response.status_code == 404
    assert denials() == []


def test_record_in_the_bin_asked_for_at_the_edit_address_is_not_a_denial(owner, make_company):
    company = delete_company(make_company(owner), actor=owner)

    response = client_for(owner).get(reverse("contacts:company_edit", args=[company.pk]))

    assert response.status_code == 404
    assert denials() == []


@pytest.mark.parametrize(("method", "url_name", "data"), [
    ("get", "contacts:company_edit", {}),
    ("post", "contacts:company_edit", {"name": "Новое"}),
    ("get", "contacts:company_delete", {}),
    ("post", "contacts:company_delete", {}),
    ("post", "contacts:company_share", {"user": "viewer", "shared": "1"}),
])
def test_change_refused_on_a_visible_record_is_a_recorded_denial(owner, viewer, make_company, method, url_name,
                                                                  data):
    # given a viewer, who sees the team's records but changes none
    company = make_company(owner)
    url = reverse(url_name, args=[company.pk])
    data = {k: str(viewer.pk) if v == "viewer" else v for k, v in data.items()}

    response = getattr(client_for(viewer), method)(url, data)

    assert response.status_code == 404
    assert denials() == [("contacts.company", company.pk, "not_allowed", method.upper(), url)]
    assert Company.objects.get(pk=company.pk).version == 1


def test_restore_refused_is_a_recorded_denial(owner, make_company):
    # a manager may see their record in the bin but only a head or an admin restores it
    company = delete_company(make_company(owner), actor=owner)
    url = reverse("contacts:company_restore", args=[company.pk])

    response = client_for(owner).post(url)

    assert response.status_code == 404
    assert denials() == [("contacts.company", company.pk, "not_allowed", "POST", url)]
    assert Company.objects.get(pk=company.pk).deleted_at is not None


def test_restore_allowed_is_audited_as_a_record_change(owner, head_a, make_company):
    company = delete_company(make_company(owner), actor=owner)

    client_for(head_a).post(reverse("contacts:company_restore", args=[company.pk]))

    assert ObjectChange.objects.filter(object_id=company.pk, action="restore", actor=head_a).count() == 1
    assert denials() == []


def test_viewer_opening_the_new_record_form_is_a_recorded_denial(viewer):
    url = reverse("contacts:company_create")

    response = client_for(viewer).get(url)

    assert response.status_code == 404
    assert denials() == [("contacts.company", None, "not_allowed", "GET", url)]


def test_bulk_change_refused_is_a_recorded_denial(owner, viewer, make_company):
    companies = [make_company(owner), make_company(owner)]

    client_for(viewer).post(reverse("contacts:company_bulk"), {
        "pk": [c.pk for c in companies], "action": "delete", "next": "/"})

    event = SecurityEvent.objects.get(kind="access_denied")
    assert event.detail["reason"] == "not_allowed"
    assert (event.content_type, event.detail["model"], event.detail["ids"], event.detail["action"]) == (
        None, "contacts.company", [c.pk for c in companies], "delete")


# --- refused access: API --------------------------------------------------------------------------------------

def test_api_read_of_a_record_the_user_may_not_see_is_a_recorded_denial(owner, manager_b, make_company):
    company = make_company(owner)
    url = f"/api/v1/companies/{company.pk}"

    response = api_client_for(manager_b).get(url)

    assert response.status_code == 404
    assert denials() == [("contacts.company", company.pk, "not_visible", "GET", url)]
    assert SecurityEvent.objects.get(kind="access_denied").source == "api"


def test_api_read_of_a_missing_record_is_not_a_denial(owner):
    assert api_client_for(owner).get("/api/v1/companies/999999").status_code == 404
    assert denials() == []


def test_api_change_refused_is_a_recorded_denial(owner, viewer, make_company):
    company = make_company(owner)
    url = f"/api/v1/companies/{company.pk}"

    response = api_client_for(viewer).patch(url, {"name": "Новое"}, content_type="application/json")

    assert response.status_code == 403
    assert denials() == [(None, str(company.pk), "not_allowed", "PATCH", url)]


# --- the service for later features ---------------------------------------------------------------------------

def test_record_security_event_stores_target_and_details(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")

    with change_context(actor=owner, source="ui"):
        event = record_security_event(SecurityEventKind.EXPORT, target=company,
                                      detail={"rows": 12, "fields": ["name", "inn"], "sha256": "ab" * 32})

    event = SecurityEvent.objects.select_related("content_type").get(pk=event.pk)
    assert (event.kind, event.actor_id, event.username, event.source) == ("export", owner.pk, "owner", "ui")
    assert (event.content_type.model, event.object_id, event.object_repr) == ("company", company.pk, "ООО Ромашка")
    assert event.detail == {"rows": 12, "fields": ["name", "inn"], "sha256": "ab" * 32}
    assert event.prev_hash == chain.GENESIS and len(event.row_hash) == 64


def test_sqlite_appends_require_immediate_transactions(db, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setattr(connections["default"], "transaction_mode", "DEFERRED")

    with pytest.raises(ImproperlyConfigured, match="IMMEDIATE"):
        record_security_event(SecurityEventKind.MERGE)


# --- where they are shown -------------------------------------------------------------------------------------

def test_security_log_lists_recent_events_for_admins(admin, owner, settings):
    settings.LIST_PAGE_SIZE = 3
    for _ in range(4):
        login("owner", "wrong-password", ip="127.0.0.4")
    client = client_for(admin)  # a login event too

    first = client.get(reverse("audit:security_log"))
    older = client.get(reverse("audit:security_log"), {"before": first.context["older"]})
    only_failed = client.get(reverse("audit:security_log"), {"kind": "login_failed"})

    assert first.status_code == 200
    assert [e.kind for e in first.context["events"]] == ["login", "login_failed", "login_failed"]
    assert [e.kind for e in older.context["events"]] == ["login_failed", "login_failed"]
    assert older.context["older"] is None
    assert {e.kind for e in only_failed.context["events"]} == {"login_failed"}
    assert "127.0.0.4" in first.content.decode()


def test_security_log_is_for_admins_only_and_refusal_is_recorded(owner, head_a):
    for user in (owner, head_a):
        assert client_for(user).get(reverse("audit:security_log")).status_code == 404

    assert [(d[2], d[4]) for d in denials()] == [("not_allowed", "/settings/security-log/")] * 2


def test_nav_links_the_security_log_for_admins_only(admin, owner):
    url = reverse("audit:security_log")

    assert url in client_for(admin).get(reverse("contacts:company_list")).content.decode()
    assert url not in client_for(owner).get(reverse("contacts:company_list")).content.decode()


def test_admin_site_shows_security_events_read_only(admin, owner):
    event = record_security_event(SecurityEventKind.LOGIN, actor=owner)
    client = client_for(admin)

    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_securityevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:audit_securityevent_change", args=[event.pk]), {"username": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_securityevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.get(pk=event.pk).username == "owner"
