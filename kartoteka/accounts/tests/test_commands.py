"""The `createuser` and `token` management commands."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kartoteka.accounts.models import ApiToken, Team, User
from kartoteka.accounts.services import user_for_token

STRONG = "Kartoteka-2026-strong"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("role", ["admin", "head", "manager", "viewer"])
def test_createuser_creates_a_user_with_the_role(db, role):
    # when
    out, err = run("createuser", "ivan", "--role", role, "--password", STRONG, "--team", "Продажи")

    # then
    user = User.objects.get(username="ivan")
    assert user.role == role
    assert user.check_password(STRONG) is True
    assert user.team.name == "Продажи"
    assert out == f"created ivan ({role})\n"
    assert err == ""


def test_createuser_makes_only_admins_staff_and_superusers(db):
    run("createuser", "root", "--role", "admin", "--password", STRONG)
    run("createuser", "ivan", "--role", "manager", "--password", STRONG)

    assert User.objects.filter(username="root", is_staff=True, is_superuser=True).exists() is True
    assert User.objects.filter(username="ivan", is_staff=False, is_superuser=False).exists() is True


def test_createuser_creates_missing_teams_and_reuses_existing_ones(db):
    # given
    existing = Team.objects.create(name="Team A")

    # when
    run("createuser", "boss", "--role", "head", "--password", STRONG, "--team", "Team A", "--team", "Team C")

    # then
    assert sorted(Team.objects.values_list("name", flat=True)) == ["Team A", "Team C"]
    assert Team.objects.get(name="Team A").pk == existing.pk


def test_createuser_head_heads_every_named_team(db):
    # when
    run("createuser", "boss", "--role", "head", "--password", STRONG, "--team", "Team A", "--team", "Team C")

    # then
    boss = User.objects.get(username="boss")
    assert sorted(boss.headed_teams.values_list("name", flat=True)) == ["Team A", "Team C"]
    assert boss.team.name == "Team A"


def test_createuser_manager_joins_the_first_team_and_heads_none(db):
    # when
    run("createuser", "ivan", "--role", "manager", "--password", STRONG, "--team", "Team A", "--team", "Team C")

    # then
    ivan = User.objects.get(username="ivan")
    assert ivan.team.name == "Team A"
    assert ivan.headed_teams.count() == 0


def test_createuser_without_team_leaves_user_teamless(db):
    run("createuser", "ivan", "--role", "manager", "--password", STRONG)

    assert User.objects.get(username="ivan").team is None
    assert Team.objects.count() == 0


def test_createuser_sets_email_and_export_permission(db):
    run("createuser", "ivan", "--role", "manager", "--password", STRONG, "--email", "ivan@example.com",
        "--can-export")

    user = User.objects.get(username="ivan")
    assert (user.email, user.can_export) == ("ivan@example.com", True)


def test_createuser_refuses_duplicate_username(db):
    # given
    run("createuser", "ivan", "--role", "manager", "--password", STRONG)

    # when / then
    with pytest.raises(CommandError, match="username"):
        run("createuser", "ivan", "--role", "admin", "--password", STRONG + "x", "--team", "Team Z")

    # and nothing changed
    ivan = User.objects.get(username="ivan")
    assert (ivan.role, ivan.check_password(STRONG)) == ("manager", True)
    assert Team.objects.count() == 0


@pytest.mark.parametrize("weak", ["123", "password", "qwerty123"])
def test_createuser_rejects_weak_password(db, weak):
    with pytest.raises(CommandError, match="password"):
        run("createuser", "ivan", "--role", "manager", "--password", weak, "--team", "Team A")

    assert User.objects.count() == 0
    assert Team.objects.count() == 0


def test_createuser_rejects_password_like_the_username(db):
    with pytest.raises(CommandError, match="password"):
        run("createuser", "ivanpetrov", "--role", "manager", "--password", "ivanpetrov1")

    assert User.objects.count() == 0


def test_createuser_rejects_unknown_role(db):
    with pytest.raises(CommandError, match="role"):
        run("createuser", "ivan", "--role", "boss", "--password", STRONG)

    assert User.objects.count() == 0


def test_createuser_requires_a_password(db):
    with pytest.raises(CommandError, match="password"):
        run("createuser", "ivan", "--role", "manager")

    assert User.objects.count() == 0


def test_token_prints_only_the_token(owner):
    # when
    out, err = run("token", "owner")

    # then
    assert re.fullmatch(r"ktk_[A-Za-z0-9_-]{43}\n", out)
    assert err == ""


def test_printed_token_authenticates_its_user(owner):
    # given
    out, _err = run("token", "owner")

    # when
    user = user_for_token(out.strip())

    # then
    assert user == owner


def test_token_keeps_only_a_hash(owner):
    # when
    out, _err = run("token", "owner")

    # then
    token = ApiToken.objects.get(user=owner)
    assert token.key_hash == ApiToken.hash_key(out.strip())
    assert token.prefix == out[:8]
    assert out.strip() not in token.key_hash


def test_each_token_call_issues_a_new_token(owner):
    first, _ = run("token", "owner")
    second, _ = run("token", "owner")

    assert first != second
    assert user_for_token(first.strip()) == owner
    assert user_for_token(second.strip()) == owner
    assert ApiToken.objects.filter(user=owner).count() == 2


def test_token_refuses_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        run("token", "nobody")

    assert ApiToken.objects.count() == 0


def test_token_refuses_inactive_user(owner):
    # given
    User.objects.filter(pk=owner.pk).update(is_active=False)

    # when / then
    with pytest.raises(CommandError):
        run("token", "owner")
    assert ApiToken.objects.count() == 0


def test_token_of_a_deactivated_user_stops_authenticating(owner):
    # given
    out, _err = run("token", "owner")

    # when
    User.objects.filter(pk=owner.pk).update(is_active=False)

    # then
    assert user_for_token(out.strip()) is None


def test_resettwofactor_removes_the_users_app_and_recovery_codes(db):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kartoteka.conftest import make_user

    user = make_user("root", "admin")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    StaticDevice.objects.create(user=user, name="codes", confirmed=True)

    out, err = run("resettwofactor", "root")

    assert out == "two-factor login reset for root\n"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()


def test_resettwofactor_fails_for_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run("resettwofactor", "nobody")
