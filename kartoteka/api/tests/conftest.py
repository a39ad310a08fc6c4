"""Fixtures of the API contract gate: the WSGI application called in-process inside the test's transaction,
a populated base of two managers, and the count of requests the gate sent, reported after the run."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction

from kartoteka.accounts.models import User
from kartoteka.accounts.services import TOKEN_PREFIX, issue_token
from kartoteka.api.tests.contract import OWNER_TOKEN, SEEDED

# (kind of request, status answered) -> count
CASES: Counter[tuple[str, int]] = Counter()


@pytest.fixture
def count_case() -> Callable[[str, int], None]:
    def count(kind: str, status: int) -> None:
        CASES[kind, status] += 1

    return count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many requests the gate sent, per kind and status: a gate that only ever got 401 or 422 would
    pass while testing nothing."""
    for kind in sorted({kind for kind, _status in CASES}):
        statuses = {status: n for (k, status), n in sorted(CASES.items()) if k == kind}
        detail = ", ".join(f"{status}: {n}" for status, n in statuses.items())
        terminalreporter.write_line(f"API contract gate ({connection.vendor}), {kind}: {sum(statuses.values())} "
                                    f"requests ({detail})")


@pytest.fixture
def in_process(db: Any) -> Iterator[None]:
    """Let kartoteka.wsgi.application run in this thread, inside the test's transaction.

    Django's handler calls close_old_connections when a request starts and ends; inside the test's atomic
    block that closes the connection and dooms the transaction. Django's own test Client disconnects it
    the same way while it runs a request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint and undo it. Every generated example then starts from the seeded base,
    so Hypothesis can replay what it found and shrink it (with state carried over, a replay draws differently
    and Hypothesis reports a flaky test instead of the failure)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class Base:
    """Records of two managers in different teams: `user` sees their own and none of `stranger`'s."""

    user: User
    stranger: User
    token: str
    stranger_token: str
    # path segment ("companies", "contacts") -> ids
    own: dict[str, list[int]] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(default_factory=dict)
    foreign: dict[str, list[int]] = field(default_factory=dict)

    @property
    def stranger_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.stranger_token}"}

    def ids(self, collection: str) -> list[int]:
        return [*self.own[collection], *self.deleted[collection], *self.foreign[collection]]


@pytest.fixture
def base(in_process: None, owner: User, manager_b: User, make_company: Callable[..., Any],
         make_contact: Callable[..., Any], make_custom_field: Callable[..., Any], make_product: Callable[..., Any],
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Base]:
    """Custom fields of every type on both entities, so generated values reach their validation too."""
    from kartoteka.contacts.services import delete_company, delete_contact

    for entity in ("company", "contact"):
        for field_type in ("text", "number", "money", "date", "boolean", "url"):
            make_custom_field(f"{field_type}_field", field_type, entity=entity)
        make_custom_field("choice_field", "choice", entity=entity, choices=("a", "b"))
        make_custom_field("multichoice_field", "multichoice", entity=entity, choices=("x", "y"))

    own_company = make_company(owner, inn="7707083893", phones=["+7 495 123-45-67"], emails=["a@example.com"],
                               tags=["VIP"], custom_fields={"number_field": 5, "choice_field": "a"})
    second = make_company(owner, legal_form="ip", status="active", source="website")
    gone = make_company(owner)
    delete_company(gone, actor=owner)
    foreign_company = make_company(manager_b, name="ООО Чужая")

    own_contact = make_contact(owner, company=own_company.pk, phones=["+7 916 000-00-01"], telegram="ivan_petrov",
                               birthday="1990-05-17", tags=["VIP"])
    plain_contact = make_contact(owner)
    gone_contact = make_contact(owner, company=second.pk)
    delete_contact(gone_contact, actor=owner)
    foreign_contact = make_contact(manager_b, company=foreign_company.pk)

    with monkeypatch.context() as patch:  # the service makes the token; the gate must know it in advance
        patch.setattr(secrets, "token_urlsafe", lambda nbytes=None: OWNER_TOKEN.removeprefix(TOKEN_PREFIX))
        token = issue_token(owner)
    # The catalog is shared: the owner reads these (and may not change them); one is out of stock, one inactive.
    products = [make_product(stock="3").pk, make_product(stock="0", lead_time_days=10).pk,
                make_product(active=False).pk]
    seeded = Base(
        user=owner, stranger=manager_b, token=token, stranger_token=issue_token(manager_b),
        own={"companies": [own_company.pk, second.pk], "contacts": [own_contact.pk, plain_contact.pk],
             "products": products},
        deleted={"companies": [gone.pk], "contacts": [gone_contact.pk], "products": []},
        foreign={"companies": [foreign_company.pk], "contacts": [foreign_contact.pk], "products": []},
    )
    SEEDED.update({collection: seeded.ids(collection) for collection in seeded.own})
    yield seeded
    SEEDED.clear()
