"""Login, lockout, idle timeout, language, API tokens in the profile, and the admin-only custom field pages."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kartoteka.accounts.middleware import LAST_SEEN_KEY
from kartoteka.accounts.models import ApiToken
from kartoteka.accounts.services import issue_token
from kartoteka.conftest import PASSWORD, client_for
from kartoteka.customfields.models import CustomField

LOGIN_URL = reverse("accounts:login")
HOME_URL = reverse("contacts:company_list")
START_URL = reverse("home")  # after login: My day for managers and heads, the companies for the others


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN_URL}?next=")


# --- login and lockout -------------------------------------------------------------------------------------


def test_login_page_shows_the_form():
    response = Client().get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_right_password_logs_in_and_opens_the_start_screen(owner):
    client = Client()

    response = login(client, "owner", PASSWORD)

    assert response.status_code == 302
    assert response.url == START_URL
    assert is_logged_in(client)


def test_login_follows_a_local_next(owner):
    client = Client()

    response = client.post(LOGIN_URL, {"username": "owner", "password": PASSWORD, "next": "/contacts/"})

    assert response.url == "/contacts/"


def test_login_ignores_a_next_on_another_site(owner):
    client = Client()

    response = client.post(LOGIN_URL, {"username": "owner", "password": PASSWORD, "next": "https://evil.example/"})

    assert response.url == START_URL


def test_wrong_password_shows_an_error_and_does_not_log_in(owner):
    client = Client()

    response = login(client, "owner", "wrong-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not is_logged_in(client)


def test_logged_in_user_is_sent_from_login_to_the_app(owner):
    response = client_for(owner).get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == START_URL


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(owner):
    client = Client()
    failures = [login(client, "owner", "wrong-password").status_code for _ in range(5)]

    response = login(client, "owner", PASSWORD)

    assert failures == [200, 200, 200, 200, 429]  # the fifth failure already answers with the lockout page

    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not is_logged_in(client)


def test_lockout_holds_for_the_username_from_another_address(owner):
    for _ in range(5):
        login(Client(), "owner", "wrong-password", ip="10.0.0.1")
    client = Client()

    response = login(client, "owner", PASSWORD, ip="10.0.0.2")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_four_failures_do_not_lock_and_success_resets_the_count(owner):
    client = Client()
    for _ in range(4):
        login(client, "owner", "wrong-password")
    assert login(client, "owner", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        login(client, "owner", "wrong-password")

    response = login(client, "owner", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_of_one_username_does_not_lock_another_from_elsewhere(owner, colleague):
    for _ in range(5):
        login(Client(), "owner", "wrong-password", ip="10.0.0.1")
    client = Client()

    response = login(client, "colleague", PASSWORD, ip="10.0.0.3")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_inactive_user_cannot_log_in(owner):
    from kartoteka.accounts.models import User

    User.objects.filter(pk=owner.pk).update(is_active=False)  # no deactivation service yet
    client = Client()

    response = login(client, "owner", PASSWORD)

    assert response.status_code == 200
    assert not is_logged_in(client)


# --- idle timeout ------------------------------------------------------------------------------------------


def _set_last_seen(client: Client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_idle_session_is_logged_out_on_the_next_request(owner):
    client = client_for(owner)
    client.get(HOME_URL)
    _set_last_seen(client, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 5)

    response = client.get(HOME_URL)

    assert_login_redirect(response)
    assert not is_logged_in(client)


def test_idle_session_cannot_use_the_api(owner):
    client = client_for(owner)
    client.get(HOME_URL)
    _set_last_seen(client, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 5)

    response = client.get("/api/v1/companies")

    assert response.status_code == 401


def test_session_active_within_the_timeout_stays_logged_in(owner):
    client = client_for(owner)
    client.get(HOME_URL)
    _set_last_seen(client, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 60)

    response = client.get(HOME_URL)

    assert response.status_code == 200
    assert is_logged_in(client)
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5  # the request counted as activity


def test_idle_timeout_follows_the_setting(owner, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 1
    client = client_for(owner)
    client.get(HOME_URL)
    _set_last_seen(client, 90)

    response = client.get(HOME_URL)

    assert_login_redirect(response)


# --- language ----------------------------------------------------------------------------------------------


def html_lang(client: Client, **headers: Any) -> str:
    html = client.get(HOME_URL, **headers).content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_language_switch_saves_the_profile_and_renders_pages_in_it(owner):
    client = client_for(owner)

    response = client.post(reverse("accounts:set_language"), {"language": "ru"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    owner.refresh_from_db()
    assert owner.language == "ru"
    assert html_lang(client) == "ru"
    assert "Компании" in client.get(HOME_URL).content.decode()


def test_language_switch_back_to_english(owner):
    client = client_for(owner)
    client.post(reverse("accounts:set_language"), {"language": "ru"})

    client.post(reverse("accounts:set_language"), {"language": "en"})

    owner.refresh_from_db()
    assert owner.language == "en"
    assert html_lang(client) == "en"


def test_profile_language_wins_over_the_browser(owner):
    client = client_for(owner)
    client.post(reverse("accounts:set_language"), {"language": "en"})

    assert html_lang(client, HTTP_ACCEPT_LANGUAGE="ru") == "en"


def test_empty_language_follows_the_browser(owner):
    client = client_for(owner)
    client.post(reverse("accounts:set_language"), {"language": "ru"})

    client.post(reverse("accounts:set_language"), {"language": ""})

    owner.refresh_from_db()
    assert owner.language == ""
    assert html_lang(client, HTTP_ACCEPT_LANGUAGE="ru") == "ru"
    assert html_lang(client, HTTP_ACCEPT_LANGUAGE="en") == "en"


def test_unknown_language_is_not_saved(owner):
    client = client_for(owner)

    client.post(reverse("accounts:set_language"), {"language": "de"})

    owner.refresh_from_db()
    assert owner.language == ""


def test_language_switch_returns_to_the_page_it_came_from(owner):
    response = client_for(owner).post(reverse("accounts:set_language"), {"language": "ru", "next": "/contacts/?q=a"})

    assert response.url == "/contacts/?q=a"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_language_switch_never_redirects_to_another_site(next_url, owner):
    response = client_for(owner).post(reverse("accounts:set_language"), {"language": "ru", "next": next_url})

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_language_switch_needs_post(owner):
    response = client_for(owner).get(reverse("accounts:set_language"), {"language": "ru"})

    assert response.status_code == 405
    owner.refresh_from_db()
    assert owner.language == ""


# --- API tokens in the profile -----------------------------------------------------------------------------


def test_created_token_is_shown_once_and_works(owner):
    client = client_for(owner)

    response = client.post(reverse("accounts:token_create"))

    assert response.url == reverse("accounts:profile")
    first = client.get(reverse("accounts:profile"))
    shown = first.context["new_token"]
    assert shown.startswith("ktk_")
    assert f'data-testid="new-token">{shown}</code>' in first.content.decode()
    second = client.get(reverse("accounts:profile"))
    assert second.context["new_token"] is None
    assert shown not in second.content.decode()
    assert ApiToken.objects.get(user=owner).prefix == shown[:8]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {shown}").get("/api/v1/companies").status_code == 200


def test_revoked_token_stops_working_and_leaves_the_profile(owner):
    key = issue_token(owner)
    token = ApiToken.objects.get(user=owner)
    client = client_for(owner)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.url == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert list(client.get(reverse("accounts:profile")).context["tokens"]) == []
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/companies").status_code == 401


def test_revoking_someone_elses_token_does_nothing(owner, colleague):
    key = issue_token(colleague)
    token = ApiToken.objects.get(user=colleague)

    response = client_for(owner).post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/companies").status_code == 200


def test_profile_lists_only_the_users_own_active_tokens(owner, colleague):
    issue_token(owner)
    issue_token(colleague)

    response = client_for(owner).get(reverse("accounts:profile"))

    assert [t.user_id for t in response.context["tokens"]] == [owner.pk]


@pytest.mark.parametrize("url_name", ["accounts:token_create", "accounts:token_revoke"])
def test_token_actions_need_post(url_name, owner):
    args = [1] if url_name == "accounts:token_revoke" else []

    response = client_for(owner).get(reverse(url_name, args=args))

    assert response.status_code == 405
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("url_name", ["accounts:profile", "accounts:token_create"])
def test_profile_pages_need_login(url_name, db):
    response = Client().post(reverse(url_name)) if url_name == "accounts:token_create" else Client().get(
        reverse(url_name))

    assert_login_redirect(response)
    assert ApiToken.objects.count() == 0


# --- custom field settings: admins only --------------------------------------------------------------------

SETTINGS_PAGE = {"anonymous": 302, "admin": 200, "head_a": 404, "head_b": 404, "owner": 404, "colleague": 404,
                 "manager_b": 404, "viewer": 404}


@pytest.fixture
def region_field(make_custom_field: Any) -> CustomField:
    return make_custom_field("region", "text", label="Регион")


def assert_settings_status(response: Any, expected: int) -> None:
    if expected == 302:
        assert_login_redirect(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("role", "status"), list(SETTINGS_PAGE.items()))
def test_field_list_is_for_admins_only(role, status, users, region_field):
    response = client_for(users[role]).get(reverse("customfields:field_list"))

    assert_settings_status(response, status)
    if status == 200:
        assert "Регион" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), list(SETTINGS_PAGE.items()))
def test_field_form_is_for_admins_only(role, status, users, region_field):
    client = client_for(users[role])

    assert_settings_status(client.get(reverse("customfields:field_create")), status)
    assert_settings_status(client.get(reverse("customfields:field_edit", args=[region_field.pk])), status)


@pytest.mark.parametrize(("role", "status"), list(SETTINGS_PAGE.items()))
def test_field_is_created_by_admins_only(role, status, users, region_field):
    response = client_for(users[role]).post(reverse("customfields:field_create"), {
        "entity": "company", "key": "segment", "label": "Сегмент", "field_type": "text", "position": 10})

    keys = sorted(CustomField.objects.values_list("key", flat=True))
    if role == "admin":
        assert response.status_code == 302
        assert response.url == reverse("customfields:field_list")
        assert keys == ["region", "segment"]
    else:
        assert_settings_status(response, status)
        assert keys == ["region"]


@pytest.mark.parametrize(("role", "status"), list(SETTINGS_PAGE.items()))
def test_field_is_changed_by_admins_only(role, status, users, region_field):
    response = client_for(users[role]).post(reverse("customfields:field_edit", args=[region_field.pk]), {
        "entity": "company", "key": "region", "label": "Область", "field_type": "text", "position": 10})

    region_field.refresh_from_db()
    if role == "admin":
        assert response.status_code == 302
        assert region_field.label == "Область"
    else:
        assert_settings_status(response, status)
        assert region_field.label == "Регион"


@pytest.mark.parametrize(("role", "status"), list(SETTINGS_PAGE.items()))
def test_field_is_deleted_by_admins_only(role, status, users, region_field):
    response = client_for(users[role]).post(reverse("customfields:field_delete", args=[region_field.pk]))

    exists = CustomField.objects.filter(pk=region_field.pk).exists()
    if role == "admin":
        assert response.status_code == 302
        assert not exists
    else:
        assert_settings_status(response, status)
        assert exists


def test_choice_field_without_options_shows_the_error_and_creates_nothing(admin):
    response = client_for(admin).post(reverse("customfields:field_create"), {
        "entity": "company", "key": "segment", "label": "Сегмент", "field_type": "choice", "position": 10,
        "choices_text": "  \n "})

    assert response.status_code == 422
    assert response.context["form"].errors == {"choices_text": ["A choice field needs at least one option."]}
    assert '<span class="error" role="alert">A choice field needs at least one option.</span>' in (
        response.content.decode())
    assert not CustomField.objects.exists()


def test_choice_field_keeps_its_options_once_each(admin):
    client_for(admin).post(reverse("customfields:field_create"), {
        "entity": "company", "key": "segment", "label": "Сегмент", "field_type": "choice", "position": 10,
        "choices_text": "A\nB\nA\n"})

    assert CustomField.objects.get().choices == ["A", "B"]


def test_invalid_key_shows_the_error_and_creates_nothing(admin):
    response = client_for(admin).post(reverse("customfields:field_create"), {
        "entity": "company", "key": "Bad Key", "label": "Плохой", "field_type": "text", "position": 10})

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["key"]
    assert not CustomField.objects.exists()


def test_duplicate_key_for_the_same_entity_is_refused(admin, region_field):
    response = client_for(admin).post(reverse("customfields:field_create"), {
        "entity": "company", "key": "region", "label": "Ещё регион", "field_type": "text", "position": 10})

    assert response.status_code == 422
    assert CustomField.objects.count() == 1


def test_key_and_entity_cannot_change_after_creation(admin, region_field):
    client_for(admin).post(reverse("customfields:field_edit", args=[region_field.pk]), {
        "entity": "contact", "key": "renamed", "label": "Регион", "field_type": "text", "position": 10})

    region_field.refresh_from_db()
    assert (region_field.entity, region_field.key) == ("company", "region")
