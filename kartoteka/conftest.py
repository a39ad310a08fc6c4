"""Root fixtures: one user per role in two teams, record makers that go through services, API clients."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kartoteka.accounts.models import User
from kartoteka.accounts.services import create_user, issue_token

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop + live_server


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_in_process() -> Any:
    """Background jobs run at once, in the test's process (huey's immediate mode, in-memory storage); the
    tests of the real consumer (tasks/tests/test_jobs.py) switch it off for themselves."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield

PASSWORD = "Test-pass-2026!"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(autouse=True)
def _fast_hashing_and_english(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"


def make_user(username: str, role: str, teams: list[str] | None = None, **extra: Any) -> User:
    return create_user(username=username, role=role, password=PASSWORD, teams=teams, check_password=False, **extra)


@pytest.fixture
def admin(db: Any) -> User:
    return make_user("admin", "admin", can_export=True)


@pytest.fixture
def head_a(db: Any) -> User:
    return make_user("head_a", "head", ["Team A"])


@pytest.fixture
def head_b(db: Any) -> User:
    return make_user("head_b", "head", ["Team B"])


@pytest.fixture
def owner(db: Any, head_a: User) -> User:
    """A manager in Team A who owns the records under test."""
    return make_user("owner", "manager", ["Team A"])


@pytest.fixture
def colleague(db: Any, head_a: User) -> User:
    """A manager in the same team who does not own the records."""
    return make_user("colleague", "manager", ["Team A"])


@pytest.fixture
def manager_b(db: Any, head_b: User) -> User:
    return make_user("manager_b", "manager", ["Team B"])


@pytest.fixture
def viewer(db: Any, head_a: User) -> User:
    return make_user("viewer", "viewer", ["Team A"])


@pytest.fixture
def users(admin: User, head_a: User, head_b: User, owner: User, colleague: User, manager_b: User,
          viewer: User) -> dict[str, User | None]:
    """Every role, by name, for permission matrices ('anonymous' is None)."""
    return {"anonymous": None, "admin": admin, "head_a": head_a, "head_b": head_b, "owner": owner,
            "colleague": colleague, "manager_b": manager_b, "viewer": viewer}


@pytest.fixture
def make_company(db: Any) -> Callable[..., Any]:
    from kartoteka.contacts.services import create_company

    counter = iter(range(1, 10_000))

    def make(owner: User, **data: Any) -> Any:
        data.setdefault("name", f"ООО Компания {next(counter)}")
        return create_company(actor=owner, data=data)

    return make


@pytest.fixture
def make_contact(db: Any) -> Callable[..., Any]:
    from kartoteka.contacts.services import create_contact

    counter = iter(range(1, 10_000))

    def make(owner: User, **data: Any) -> Any:
        data.setdefault("first_name", f"Иван{next(counter)}")
        data.setdefault("last_name", "Петров")
        return create_contact(actor=owner, data=data)

    return make


@pytest.fixture
def make_product(admin: User) -> Callable[..., Any]:
    """A catalog product entered by an administrator (through the service); `actor=` for someone else."""
    from kartoteka.products.services import create_product

    counter = iter(range(1, 10_000))

    def make(actor: User | None = None, **data: Any) -> Any:
        n = next(counter)
        data.setdefault("sku", f"SKU-{n:04d}")
        data.setdefault("name", f"Товар {n}")
        data.setdefault("price", "1000")
        return create_product(actor=actor or admin, data=data)

    return make


@pytest.fixture
def make_custom_field(admin: User) -> Callable[..., Any]:
    """Define a custom field the way an administrator does (through the service)."""
    from kartoteka.customfields.models import CustomField
    from kartoteka.customfields.services import save_custom_field

    def make(key: str, field_type: str = "text", *, entity: str = "company", choices: tuple[str, ...] = (),
             **extra: Any) -> CustomField:
        field = CustomField(entity=entity, key=key, label=extra.pop("label", key.capitalize()),
                            field_type=field_type, **extra)
        return save_custom_field(field, actor=admin, choices=list(choices))

    return make


def client_for(user: User | None, *, verified: bool = True) -> Client:
    """A logged-in browser client. Where two-factor login applies to the user (admins and exporters by default),
    the session also counts as having entered the code, as after the login's code step; `verified=False` leaves
    a password-only session."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if verified:
            verify_session(client, user)
    return client


def verify_session(client: Client, user: User) -> None:
    """Mark the client's session verified with the user's authenticator app, as django_otp.login() does. A user
    the policy requires to have one and who has none gets one first: made directly rather than by enrolment,
    which would need a code and use up the current time step that a test may want to log in with."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kartoteka.accounts import two_factor
    from kartoteka.accounts.models import SecurityPolicy

    device = two_factor.authenticator_of(user)
    if device is None:
        if not SecurityPolicy.load().requires_two_factor(user):
            return
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def api_client_for(user: User | None) -> Client:
    """A client that authenticates with a Bearer token, as scripts do (no session, no CSRF)."""
    if user is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}
