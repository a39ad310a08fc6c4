"""Production settings (a clean `check --deploy`, no start without a secret) and the security headers pages carry."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from kartoteka.conftest import client_for

PROJECT_DIR = Path(__file__).resolve().parents[3]
# Variables a developer's shell, CI or the test run itself (conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for
# Playwright) may set that would change what the subprocess checks.
NOT_INHERITED = ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PRODUCTION", "SECURE_SSL_REDIRECT",
                 "SECURE_HSTS_SECONDS", "CSRF_TRUSTED_ORIGINS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_kartoteka(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    clean.update(DJANGO_SETTINGS_MODULE="kartoteka.settings", KARTOTEKA_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-m", "kartoteka", *args], env=clean, cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def test_deploy_check_is_clean_in_production_mode(tmp_path):
    result = run_kartoteka("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path,
                           PRODUCTION="true", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS="crm.example.com")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_kartoteka("check", tmp_path=tmp_path, PRODUCTION="true", ALLOWED_HOSTS="crm.example.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set in production mode" in result.stderr


def test_development_mode_starts_without_a_secret_key(tmp_path):
    result = run_kartoteka("check", tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_unreadable_boolean_setting_refuses_to_start(tmp_path):
    result = run_kartoteka("check", tmp_path=tmp_path, PRODUCTION="maybe")

    assert result.returncode != 0
    assert "PRODUCTION must be a boolean" in result.stderr


# --- security headers and CSP compliance -------------------------------------------------------------------


def _pages(admin: Any, owner: Any, make_company: Any) -> dict[str, tuple[Any, str]]:
    company = make_company(owner, name="ООО Ромашка", phones=["+79161234567"])
    return {
        "login": (None, reverse("accounts:login")),
        "company list": (owner, reverse("contacts:company_list")),
        "company card": (owner, company.get_absolute_url()),
        "company edit": (owner, reverse("contacts:company_edit", args=[company.pk])),
        "contact list": (owner, reverse("contacts:contact_list")),
        "contact form": (owner, reverse("contacts:contact_create")),
        "recycle bin": (owner, reverse("contacts:recycle_bin")),
        "profile": (owner, reverse("accounts:profile")),
        "custom fields": (admin, reverse("customfields:field_list")),
        "api list": (owner, "/api/v1/companies"),
    }


PAGES = ["login", "company list", "company card", "company edit", "contact list", "contact form", "recycle bin",
         "profile", "custom fields", "api list"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_carries_the_security_headers(page, admin, owner, make_company):
    user, url = _pages(admin, owner, make_company)[page]

    response = client_for(user).get(url)

    assert response.status_code == 200
    csp = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert {k: csp[k] for k in ("default-src", "script-src", "style-src", "frame-ancestors", "object-src")} == {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "frame-ancestors": "'none'",
        "object-src": "'none'"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("page", [p for p in PAGES if p != "api list"])
def test_pages_need_nothing_the_csp_would_block(page, admin, owner, make_company):
    user, url = _pages(admin, owner, make_company)[page]

    html = client_for(user).get(url).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # no inline scripts
    assert re.findall(r"\son[a-z]+=", html) == []  # no inline event handlers
    assert re.findall(r"<style|\sstyle=", html) == []  # no inline styles
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing from another origin
