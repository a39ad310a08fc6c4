"""Gate 7 (issue 3): password guessing is throttled per username and per source address, and no answer tells
whether a username exists.

django-axes (settings AXES_*): AXES_FAILURE_LIMIT failures lock the username and, counted separately, the
source address, for AXES_COOLOFF_TIME; a locked attempt answers 429 even with the right password. The
addresses are loopback ones: the test client's REMOTE_ADDR, and real sockets bound to 127.0.0.2 / 127.0.0.3
talking to the live server. (The basic username lockout is in test_views.py.)
"""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kartoteka.accounts.models import User
from kartoteka.conftest import PASSWORD

LOGIN_URL = reverse("accounts:login")
SPRAYER = "127.0.0.2"
BYSTANDER = "127.0.0.3"


def login(client: Client, username: str, password: str, ip: str) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_spraying_many_usernames_from_one_address_locks_that_address_only(owner, colleague):
    limit = settings.AXES_FAILURE_LIMIT

    answers = [login(Client(), f"guess{i}", "wrong-password", SPRAYER).status_code for i in range(limit)]
    sprayer, bystander = Client(), Client()
    refused = login(sprayer, "owner", PASSWORD, SPRAYER)
    admitted = login(bystander, "colleague", PASSWORD, BYSTANDER)

    assert answers == [200] * (limit - 1) + [429]  # no username failed twice: the address is what is locked
    assert (refused.status_code, is_logged_in(sprayer)) == (429, False)
    assert (admitted.status_code, is_logged_in(bystander)) == (302, True)


def test_a_locked_address_does_not_lock_the_users_it_tried(owner):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "owner" if i == 0 else f"guess{i}", "wrong-password", SPRAYER)
    login(Client(), "guess-last", "wrong-password", SPRAYER)
    client = Client()

    response = login(client, "owner", PASSWORD, BYSTANDER)

    assert (response.status_code, is_logged_in(client)) == (302, True)


def test_a_locked_username_is_refused_from_every_address_while_the_address_stays_open_to_others(owner, colleague):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "owner", "wrong-password", SPRAYER)
    owner_elsewhere, colleague_same_address = Client(), Client()

    refused = login(owner_elsewhere, "owner", PASSWORD, BYSTANDER)
    # The failures also count against 127.0.0.2 itself: another user there is refused too, until the cool-off.
    refused_there = login(colleague_same_address, "colleague", PASSWORD, SPRAYER)
    admitted = login(Client(), "colleague", PASSWORD, BYSTANDER)

    assert (refused.status_code, is_logged_in(owner_elsewhere)) == (429, False)
    assert (refused_there.status_code, is_logged_in(colleague_same_address)) == (429, False)
    assert admitted.status_code == 302


# --- no answer tells whether the username exists -----------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9]{64}")  # a masked CSRF token, in the form and in hx-headers


def normalised(response: Any, username: str) -> tuple[int, str, str, str]:
    body = TOKEN.sub("CSRF", response.content.decode()).replace(f'value="{username}"', 'value="USERNAME"')
    return response.status_code, response.get("Content-Type", ""), response.get("Cache-Control", ""), body


def test_unknown_inactive_and_known_usernames_get_the_same_answers_before_and_after_lockout(owner, colleague):
    User.objects.filter(pk=colleague.pk).update(is_active=False)  # no deactivation service yet
    attempts = {  # username, password, address: each from its own address so that only the username counts
        "wrong password": ("owner", "wrong-password", "127.0.0.4"),
        "no such user": ("nobody", "wrong-password", "127.0.0.5"),
        "inactive user, right password": ("colleague", PASSWORD, "127.0.0.6"),
    }
    answers: dict[str, list[Any]] = {case: [] for case in attempts}

    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        for case, (username, password, ip) in attempts.items():
            answers[case].append(normalised(login(Client(), username, password, ip), username))

    statuses = [status for status, *_rest in answers["wrong password"]]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * 3
    assert answers["no such user"] == answers["wrong password"]
    assert answers["inactive user, right password"] == answers["wrong password"]


def test_locked_username_answers_the_same_to_the_right_and_a_wrong_password(owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "owner", "wrong-password", "127.0.0.4")

    right = login(Client(), "owner", PASSWORD, "127.0.0.7")
    wrong = login(Client(), "owner", "another-wrong-password", "127.0.0.8")

    assert normalised(right, "owner") == normalised(wrong, "owner")
    assert right.status_code == 429


# --- the same over real sockets from two loopback addresses ------------------------------------------------


class LoopbackBrowser:
    """A minimal HTTP client whose connections leave from one loopback address, keeping cookies."""

    def __init__(self, base_url: str, source_ip: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.source_ip = parts.hostname, parts.port, source_ip
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=20, source_address=(self.source_ip, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> int:
        self.cookies.pop("sessionid", None)
        _status, _headers, page = self.request("GET", LOGIN_URL)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _headers, _page = self.request("POST", LOGIN_URL, {
            "csrfmiddlewaretoken": token, "username": username, "password": password})
        return status


@pytest.mark.django_db(transaction=True)
def test_over_real_sockets_the_spraying_address_is_locked_and_another_is_not(live_server, owner):
    sprayer, bystander = LoopbackBrowser(live_server.url, SPRAYER), LoopbackBrowser(live_server.url, BYSTANDER)

    answers = [sprayer.log_in(f"guess{i}", "wrong-password") for i in range(settings.AXES_FAILURE_LIMIT)]
    refused = sprayer.log_in("owner", PASSWORD)
    admitted = bystander.log_in("owner", PASSWORD)

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert refused == 429
    assert admitted == 302
    assert "sessionid" in bystander.cookies and "sessionid" not in sprayer.cookies
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {SPRAYER}
