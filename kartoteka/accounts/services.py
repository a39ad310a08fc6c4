"""Writes to users, teams, tokens, preferences, two-factor devices and the security policy."""

from __future__ import annotations

import math
import secrets
from typing import TYPE_CHECKING, Any

import django_otp
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kartoteka.accounts import permissions, two_factor
from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import ApiToken, SecurityPolicy, Team, User
from kartoteka.core.errors import AccessDenied

if TYPE_CHECKING:
    from django_otp.models import Device

TOKEN_PREFIX = "ktk_"


@transaction.atomic
def create_user(
    *, username: str, role: str, password: str, teams: list[str] | None = None, email: str = "",
    first_name: str = "", last_name: str = "", can_export: bool = False, check_password: bool = True,
) -> User:
    """Create a user with a role. A head heads every named team; others are members of the first one."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this name already exists.")})
    user = User(username=username, role=role, email=email, first_name=first_name, last_name=last_name,
                can_export=can_export, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    team_objs = [Team.objects.get_or_create(name=name)[0] for name in teams or []]
    user.team = team_objs[0] if team_objs else None
    user.save()
    if role == Role.HEAD:
        for team in team_objs:
            team.heads.add(user)
    return user


def issue_token(user: User) -> str:
    """A new API token for the user. Returns the plain token; only its hash is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return key


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def set_language(user: User, language: str) -> None:
    if language not in {"ru", "en", ""}:
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])


def save_columns(user: User, table_key: str, columns: list[str], *, allowed: list[str]) -> list[str]:
    """Remember the user's column choice for one list; unknown columns are dropped."""
    chosen = [c for c in columns if c in allowed]
    prefs: dict[str, Any] = dict(user.preferences or {})
    prefs.setdefault("columns", {})[table_key] = chosen
    user.preferences = prefs
    user.save(update_fields=["preferences"])
    return chosen


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens (someone else's id changes nothing)."""
    ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- two-factor login (reads and the request side are in two_factor.py) -------------------------------------

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 10 characters carry 50 random bits
RECOVERY_CODE_LENGTH = 10
WRONG_CODE = gettext_lazy("The code is wrong or was already used. Wait for the next code in the app.")


def _verify(user: User, device: Device, token: str) -> Device:
    """Check one token against one device. django-otp counts failures on the device and makes the next try wait
    1, 2, 4 … seconds (throttling); an authenticator app remembers the time step of the last accepted code, so
    no code works twice. Must not run inside an outer transaction that a failure rolls back, or the failure
    count is lost."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until") or timezone.now()
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        raise ValidationError(_("Too many wrong codes. Try again in %(seconds)s s."), code="throttled",
                              params={"seconds": seconds})
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        raise ValidationError(WRONG_CODE, code="invalid")
    return verified


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=two_factor.hash_recovery_code(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def start_two_factor(user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator app: made on the first call, the same secret until it is
    confirmed. Precondition: the user has no confirmed one (the enrolment view sends them elsewhere)."""
    pending = two_factor.authenticator_of(user, confirmed=False)
    return pending or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def confirm_two_factor(device: TOTPDevice, *, code: str) -> list[str]:
    """Confirm a pending authenticator app with the first code it shows. Replaces any other app of the user and
    returns 10 new recovery codes in plain text: show them once, only their hashes are kept."""
    user = device.user
    _verify(user, device, two_factor.normalize_code(code))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _replace_recovery_codes(user)


def verify_second_factor(user: User, *, code: str) -> Device:
    """The device that accepts `code`: six digits go to the authenticator app, anything else is tried as a
    recovery code (used up on success). Raises ValidationError (wrong, reused or throttled)."""
    code = two_factor.normalize_code(code)
    authenticator = two_factor.authenticator_of(user)
    if authenticator is None:
        raise ValidationError(_("Two-factor login is not set up."), code="not_enrolled")
    if two_factor.TOTP_CODE.match(code):
        return _verify(user, authenticator, code)
    recovery = two_factor.recovery_device_of(user)
    if recovery is None or not code:
        raise ValidationError(WRONG_CODE, code="invalid")
    return _verify(user, recovery, two_factor.hash_recovery_code(code))


def regenerate_recovery_codes(user: User, *, code: str) -> list[str]:
    """New recovery codes after re-authentication with a current code; the old ones stop working."""
    verify_second_factor(user, code=code)
    with transaction.atomic():
        return _replace_recovery_codes(user)


def disable_two_factor(user: User, *, code: str) -> None:
    """Remove the authenticator app and recovery codes after re-authentication with a current code. If the policy
    requires two-factor login for the user, the next request sends them to enrolment again."""
    verify_second_factor(user, code=code)
    remove_two_factor(user)


def reset_two_factor(user: User, *, actor: User) -> None:
    """An admin removes a user's devices (lost phone and recovery codes); the user enrols again at next login."""
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()
    remove_two_factor(user)


@transaction.atomic
def remove_two_factor(user: User) -> None:
    """Delete the user's authenticator apps and recovery codes. No check here: the callers are the user after a
    code (disable_two_factor), an admin (reset_two_factor) and the operator (`kartoteka resettwofactor`)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def update_security_policy(*, actor: User, two_factor_roles: list[str], two_factor_for_exporters: bool
                           ) -> SecurityPolicy:
    """Admins choose which roles must use two-factor login, and whether everyone who may export must."""
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()
    unknown = sorted(set(two_factor_roles) - set(Role.values))
    if unknown:
        raise ValidationError({"two_factor_roles": _("Unknown role: %(role)s") % {"role": ", ".join(unknown)}})
    policy, _created = SecurityPolicy.objects.update_or_create(pk=SecurityPolicy.SINGLETON_PK, defaults={
        "two_factor_roles": [role for role in Role.values if role in two_factor_roles],
        "two_factor_for_exporters": two_factor_for_exporters,
        "updated_by": actor,
    })
    return policy
