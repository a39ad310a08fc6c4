"""Two-factor login: enrolment, the code step, recovery codes, the policy page, the API, password changes.

TOTP codes are computed from the device's key at a frozen clock (`clock`), so a test decides which 30-second
time step a code belongs to; django-otp accepts one step early or late and never a step it already accepted.
"""

from __future__ import annotations

import base64
import types
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from kartoteka.accounts import services, two_factor
from kartoteka.accounts.choices import Role, TwoFactorStatus
from kartoteka.accounts.models import SecurityPolicy, User
from kartoteka.conftest import PASSWORD, api_client_for, client_for, make_user
from kartoteka.core.errors import AccessDenied

LOGIN_URL = reverse("accounts:login")
VERIFY_URL = reverse("accounts:two_factor_verify")
ENROL_URL = reverse("accounts:two_factor_enrol")
SETTINGS_URL = reverse("accounts:two_factor")
POLICY_URL = reverse("security:policy")
HOME_URL = reverse("contacts:company_list")
START_URL = reverse("home")  # where a login ends without a `next`
API_URL = "/api/v1/companies"


class FrozenClock:
    """The time django-otp's TOTP device sees; starts 5 s into a 30-second step."""

    def __init__(self) -> None:
        self.now = 1_900_000_005.0

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float = 30) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(totp_models, "time", types.SimpleNamespace(time=frozen.time))
    return frozen


def code_for(device: TOTPDevice, clock: FrozenClock, *, steps: int = 0) -> str:
    """The code the user's app shows `steps` time steps from now, computed from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice, clock: FrozenClock) -> str:
    accepted = {code_for(device, clock, steps=s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def enrol(user: User, clock: FrozenClock) -> tuple[TOTPDevice, list[str]]:
    """Enrol through the services, then let a time step pass so that the next code is a fresh one."""
    device = services.start_two_factor(user)
    codes = services.confirm_two_factor(device, code=code_for(device, clock))
    clock.advance()
    return device, codes


def wait_out_throttling(user: User) -> None:
    """A wrong code makes the user's next try wait (1 s, then 2, 4 …): let that time pass."""
    past = timezone.now() - timedelta(hours=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=past)


def password_step(client: Client, username: str, next_url: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN_URL, data)


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def assert_sent_to(response: Any, url: str, next_url: str | None = None) -> None:
    assert response.status_code == 302
    parts = urlsplit(response.url)
    assert parts.path == url
    if next_url is not None:
        assert parse_qs(parts.query)["next"] == [next_url]


@pytest.fixture
def exporter(db: Any, head_a: User) -> User:
    """A manager who may export: the default policy requires two-factor login for them."""
    return make_user("exporter", "manager", ["Team A"], can_export=True)


# --- enrolment ---------------------------------------------------------------------------------------------


def test_profile_links_to_the_two_factor_page(owner):
    html = client_for(owner).get(reverse("accounts:profile")).content.decode()

    assert f'href="{SETTINGS_URL}"' in html


def test_enrolment_page_shows_an_inline_svg_qr_code_and_the_secret(owner):
    response = client_for(owner).get(ENROL_URL)

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=owner)
    assert device.confirmed is False
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    svg = base64.b64decode(response.context["qr_code"].split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<script" not in svg
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert response.context["secret"].replace(" ", "") == secret
    assert f'data-testid="secret">{response.context["secret"]}</code>' in html
    assert "otpauth://" in device.config_url and f"secret={secret}" in device.config_url


def test_enrolment_page_keeps_the_same_secret_until_confirmed(owner):
    client = client_for(owner)

    first = client.get(ENROL_URL).context["secret"]
    second = client.get(ENROL_URL).context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_first_code_confirms_enrolment_and_shows_ten_recovery_codes_once(owner, clock):
    client = client_for(owner)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=owner)

    response = client.post(ENROL_URL, {"code": code_for(device, clock)})

    assert_sent_to(response, SETTINGS_URL)
    device.refresh_from_db()
    assert device.confirmed is True
    assert is_verified(client)
    page = client.get(response.url)
    codes = page.context["new_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    assert client.get(SETTINGS_URL).context["new_codes"] is None
    stored = set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert stored == {two_factor.hash_recovery_code(code) for code in codes}
    assert not stored & {two_factor.normalize_code(code) for code in codes}  # hashed at rest


def test_wrong_first_code_does_not_enrol(owner, clock):
    client = client_for(owner)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=owner)

    response = client.post(ENROL_URL, {"code": wrong_code(device, clock)})

    assert response.status_code == 422
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=owner).exists()
    assert not is_verified(client)


def test_enrolled_user_cannot_enrol_a_second_app_over_the_first(owner, clock):
    device, _codes = enrol(owner, clock)
    client = client_for(owner)

    response = client.get(ENROL_URL)

    assert_sent_to(response, SETTINGS_URL)
    assert list(TOTPDevice.objects.filter(user=owner)) == [device]


# --- the login's code step ---------------------------------------------------------------------------------


def test_password_step_sends_an_enrolled_user_to_the_code_step(owner, clock):
    enrol(owner, clock)
    client = Client()

    response = password_step(client, "owner", next_url="/contacts/")

    assert_sent_to(response, VERIFY_URL, next_url="/contacts/")
    assert "_auth_user_id" in client.session
    assert not is_verified(client)


def test_password_alone_opens_no_page_of_an_enrolled_user(owner, clock):
    enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    for url in (HOME_URL, reverse("contacts:contact_list"), reverse("accounts:profile"), SETTINGS_URL, ENROL_URL):
        assert_sent_to(client.get(url), VERIFY_URL, next_url=url)


def test_right_code_completes_the_login_with_a_new_session_key(owner, clock):
    device, _codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner", next_url="/contacts/")
    key_after_password = client.session.session_key

    response = client.post(VERIFY_URL, {"code": code_for(device, clock), "next": "/contacts/"})

    assert response.status_code == 302
    assert response.url == "/contacts/"
    assert is_verified(client)
    assert client.session.session_key != key_after_password
    assert client.get(HOME_URL).status_code == 200


def test_wrong_code_leaves_the_session_without_access(owner, clock):
    device, _codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    response = client.post(VERIFY_URL, {"code": wrong_code(device, clock)})

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == [
        "The code is wrong or was already used. Wait for the next code in the app."]
    assert not is_verified(client)
    assert_sent_to(client.get(HOME_URL), VERIFY_URL, next_url=HOME_URL)
    assert client.get(API_URL).status_code == 401


def test_code_of_the_same_time_step_is_refused_the_second_time(owner, clock):
    device, _codes = enrol(owner, clock)
    first = Client()
    password_step(first, "owner")
    code = code_for(device, clock)
    first.post(VERIFY_URL, {"code": code})
    assert is_verified(first)
    second = Client()
    password_step(second, "owner")

    response = second.post(VERIFY_URL, {"code": code})

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == [
        "The code is wrong or was already used. Wait for the next code in the app."]
    assert not is_verified(second)
    clock.advance()
    wait_out_throttling(owner)
    second.post(VERIFY_URL, {"code": code_for(device, clock)})
    assert is_verified(second)


def test_code_guessing_is_throttled(owner, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wrong code makes the next try wait a minute (1, 2, 4 … × 60 s)
    device, _codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner")
    client.post(VERIFY_URL, {"code": wrong_code(device, clock)})

    response = client.post(VERIFY_URL, {"code": code_for(device, clock)})

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["Too many wrong codes. Try again in 60 s."]
    assert not is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(  # the minute passes
        throttling_failure_timestamp=device.throttling_failure_timestamp - timedelta(seconds=61))
    client.post(VERIFY_URL, {"code": code_for(device, clock)})
    assert is_verified(client)


def test_recovery_code_logs_in_once(owner, clock):
    _device, codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    response = client.post(VERIFY_URL, {"code": codes[0]}, follow=True)

    assert response.status_code == 200
    assert is_verified(client)
    assert "9 are left" in response.content.decode()
    assert two_factor.recovery_codes_left(owner) == 9
    again = Client()
    password_step(again, "owner")
    assert again.post(VERIFY_URL, {"code": codes[0]}).status_code == 422
    assert not is_verified(again)


def test_recovery_code_may_be_typed_in_capitals_with_spaces(owner, clock):
    _device, codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    client.post(VERIFY_URL, {"code": codes[3].upper().replace("-", " ")})

    assert is_verified(client)


def test_code_step_ignores_a_next_on_another_site(owner, clock):
    device, _codes = enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    response = client.post(VERIFY_URL, {"code": code_for(device, clock), "next": "https://evil.example/"})

    assert response.url == START_URL


def test_code_step_sends_an_anonymous_visitor_to_the_password_step(db):
    response = Client().get(VERIFY_URL)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={VERIFY_URL}"


def test_unverified_session_may_log_out(owner, clock):
    enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_htmx_request_of_an_unverified_session_is_sent_to_the_code_step(owner, clock):
    enrol(owner, clock)
    client = Client()
    password_step(client, "owner")

    response = client.get(HOME_URL, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert urlsplit(response["HX-Redirect"]).path == VERIFY_URL


def test_django_admin_login_does_not_skip_the_code(admin, clock):
    enrol(admin, clock)
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})

    response = client.get("/admin/")

    assert_sent_to(response, VERIFY_URL, next_url="/admin/")


def test_user_without_two_factor_logs_in_with_the_password_alone(owner):
    client = Client()

    response = password_step(client, "owner")

    assert response.url == START_URL
    assert client.get(HOME_URL).status_code == 200


# --- policy: who must use it ---------------------------------------------------------------------------------


def test_default_policy_requires_admins_and_exporters_only(admin, head_a, owner, viewer, exporter):
    policy = SecurityPolicy.load()

    assert policy.two_factor_roles == [Role.ADMIN]
    assert policy.two_factor_for_exporters is True
    assert {u.username: policy.requires_two_factor(u) for u in (admin, head_a, owner, viewer, exporter)} == {
        "admin": True, "head_a": False, "owner": False, "viewer": False, "exporter": True}


def test_defaults_hold_without_a_stored_policy(admin, owner):
    SecurityPolicy.objects.all().delete()

    policy = SecurityPolicy.load()

    assert policy.requires_two_factor(admin) is True
    assert policy.requires_two_factor(owner) is False
    assert two_factor.status_for(admin) == TwoFactorStatus.ENROLMENT_NEEDED
    assert two_factor.status_for(owner) == TwoFactorStatus.NOT_NEEDED


@pytest.mark.parametrize("stored", [True, False])
def test_checking_an_unverified_session_costs_one_query(stored, admin, owner, clock, django_assert_num_queries):
    enrol(owner, clock)
    if stored:
        services.update_security_policy(actor=admin, two_factor_roles=["admin", "viewer"],
                                        two_factor_for_exporters=True)

    with django_assert_num_queries(1):
        enrolled = two_factor.status_for(owner)
    with django_assert_num_queries(1):
        not_enrolled = two_factor.status_for(admin)

    assert (enrolled, not_enrolled) == (TwoFactorStatus.CODE_NEEDED, TwoFactorStatus.ENROLMENT_NEEDED)


def test_superuser_of_another_role_counts_as_an_admin(db):
    user = make_user("root", "manager")
    User.objects.filter(pk=user.pk).update(is_superuser=True)  # e.g. made by `createsuperuser`
    user.refresh_from_db()

    assert SecurityPolicy.load().requires_two_factor(user) is True


@pytest.mark.parametrize("username", ["admin", "exporter"])
def test_required_user_without_an_app_is_sent_to_enrolment_after_the_password(username, admin, exporter):
    client = Client()

    response = password_step(client, username)

    assert_sent_to(response, ENROL_URL, next_url=START_URL)
    for url in (HOME_URL, reverse("accounts:profile"), POLICY_URL, VERIFY_URL, "/admin/"):
        assert_sent_to(client.get(url), ENROL_URL, next_url=url)
    assert client.get(API_URL).status_code == 401
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    assert "Your role requires two-factor login" in page.content.decode()
    assert 'class="mainnav"' not in page.content.decode()


def test_forced_enrolment_ends_with_the_recovery_codes_and_opens_the_app(exporter, clock):
    client = Client()
    password_step(client, "exporter")
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=exporter)

    response = client.post(ENROL_URL, {"code": code_for(device, clock), "next": HOME_URL})

    assert_sent_to(response, SETTINGS_URL, next_url=HOME_URL)
    page = client.get(response.url)
    assert len(page.context["new_codes"]) == 10
    assert f'href="{HOME_URL}"' in page.content.decode()
    assert client.get(HOME_URL).status_code == 200


def test_admin_changes_the_policy_on_the_settings_page(admin, owner):
    response = client_for(admin).post(POLICY_URL, {"two_factor_roles": ["admin", "manager"]})

    assert_sent_to(response, POLICY_URL)
    policy = SecurityPolicy.load()
    assert policy.two_factor_roles == ["admin", "manager"]
    assert policy.two_factor_for_exporters is False
    assert policy.updated_by == admin
    assert_sent_to(client_for(owner, verified=False).get(HOME_URL), ENROL_URL, next_url=HOME_URL)


def test_policy_page_lists_users_who_must_enrol(admin, owner, exporter, clock):
    enrol(admin, clock)

    response = client_for(admin).get(POLICY_URL)

    assert [u.username for u in response.context["must_enrol"]] == ["exporter"]


POLICY_PAGE = {"anonymous": 302, "admin": 200, "head_a": 404, "head_b": 404, "owner": 404, "colleague": 404,
               "manager_b": 404, "viewer": 404}


@pytest.mark.parametrize(("role", "status"), list(POLICY_PAGE.items()))
def test_policy_page_is_for_admins_only(role, status, users):
    client = client_for(users[role])

    get = client.get(POLICY_URL)
    post = client.post(POLICY_URL, {"two_factor_roles": []})

    assert get.status_code == status and post.status_code in (status, 302)
    if status == 302:
        assert get.url.startswith(f"{LOGIN_URL}?next=")
    if status != 200:
        assert SecurityPolicy.load().two_factor_roles == [Role.ADMIN]


def test_only_admins_may_change_the_policy(owner):
    with pytest.raises(AccessDenied):
        services.update_security_policy(actor=owner, two_factor_roles=[], two_factor_for_exporters=False)

    assert SecurityPolicy.load().two_factor_roles == [Role.ADMIN]


def test_policy_refuses_an_unknown_role(admin):
    with pytest.raises(ValidationError):
        services.update_security_policy(actor=admin, two_factor_roles=["root"], two_factor_for_exporters=True)

    assert SecurityPolicy.load().two_factor_roles == [Role.ADMIN]


def test_nav_links_the_policy_page_for_admins_only(admin, owner):
    assert f'href="{POLICY_URL}"' in client_for(admin).get(HOME_URL).content.decode()
    assert f'href="{POLICY_URL}"' not in client_for(owner).get(HOME_URL).content.decode()


# --- recovery codes and turning it off -----------------------------------------------------------------------


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(owner, clock):
    device, old_codes = enrol(owner, clock)
    client = client_for(owner)

    refused = client.post(reverse("accounts:two_factor_recovery_codes"), {"code": wrong_code(device, clock)})
    assert refused.status_code == 422
    assert two_factor.recovery_codes_left(owner) == 10
    wait_out_throttling(owner)

    response = client.post(reverse("accounts:two_factor_recovery_codes"), {"code": code_for(device, clock)})

    assert_sent_to(response, SETTINGS_URL)
    new_codes = client.get(SETTINGS_URL).context["new_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    with pytest.raises(ValidationError):
        services.verify_second_factor(owner, code=old_codes[0])
    wait_out_throttling(owner)
    assert isinstance(services.verify_second_factor(owner, code=new_codes[0]), StaticDevice)


def test_turning_off_needs_a_current_code(owner, clock):
    device, _codes = enrol(owner, clock)
    client = client_for(owner)

    refused = client.post(reverse("accounts:two_factor_disable"), {"code": wrong_code(device, clock)})
    assert refused.status_code == 422
    assert TOTPDevice.objects.filter(user=owner).exists()
    wait_out_throttling(owner)

    response = client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device, clock)})

    assert_sent_to(response, SETTINGS_URL)
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()
    assert client.get(HOME_URL).status_code == 200
    assert password_step(Client(), "owner").url == START_URL


def test_turning_off_when_required_sends_back_to_enrolment(admin, clock):
    device, _codes = enrol(admin, clock)
    client = client_for(admin)

    client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device, clock)})

    assert_sent_to(client.get(HOME_URL), ENROL_URL, next_url=HOME_URL)


def test_admin_resets_a_users_two_factor_login_in_the_django_admin(admin, owner, clock):
    enrol(owner, clock)

    response = client_for(admin).post(reverse("admin:accounts_user_changelist"), {
        "action": "reset_two_factor", "_selected_action": [owner.pk]})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()


# --- the API and tokens --------------------------------------------------------------------------------------


def test_session_api_call_needs_the_code_when_two_factor_applies(owner, clock):
    enrol(owner, clock)

    assert client_for(owner, verified=False).get(API_URL).status_code == 401
    assert client_for(owner).get(API_URL).status_code == 200


def test_bearer_token_works_without_a_code(owner, admin, clock):
    enrol(owner, clock)

    assert api_client_for(owner).get(API_URL).status_code == 200
    assert api_client_for(admin).get(API_URL).status_code == 200  # required, not enrolled: tokens are separate


# --- passwords ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["password_reset", "accounts:password_reset", "admin_password_reset",
                                  "password_reset_confirm", "accounts:password_reset_confirm"])
def test_there_is_no_self_service_password_reset(name):
    with pytest.raises(NoReverseMatch):
        reverse(name)


def test_password_reset_paths_do_not_exist(admin):
    for path in ("/accounts/password_reset/", "/accounts/password-reset/", "/accounts/reset/"):
        assert Client().get(path).status_code == 404
    assert client_for(admin).get("/admin/password_reset/").status_code == 404  # the admin shows no reset link


def test_admin_setting_a_password_keeps_the_users_app(admin, owner, clock):
    device, _codes = enrol(owner, clock)
    new_password = "Another-pass-2026!"

    response = client_for(admin).post(reverse("admin:auth_user_password_change", args=[owner.pk]), {
        "password1": new_password, "password2": new_password, "usable_password": "true"})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)
    assert list(TOTPDevice.objects.filter(user=owner, confirmed=True)) == [device]
    client = Client()
    step = client.post(LOGIN_URL, {"username": "owner", "password": new_password})
    assert_sent_to(step, VERIFY_URL)
    assert_sent_to(client.get(HOME_URL), VERIFY_URL)

