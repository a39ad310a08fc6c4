"""Reads for two-factor login: where a session stands, the user's devices, the QR code, recovery code hashing.

Writes (enrol, confirm, verify a code, new recovery codes, disable, the policy) are in services.py.

A user has at most one confirmed authenticator app (a django-otp TOTPDevice) and one container of recovery
codes (a django-otp StaticDevice whose StaticToken rows hold SHA-256 hashes, never the codes themselves).
A session is *verified* when django_otp.login() stored the device that accepted a code in it; OTPMiddleware
loads that device on every request and drops it if it was deleted or belongs to someone else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import django_otp
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kartoteka.accounts.choices import TwoFactorStatus
from kartoteka.accounts.models import SecurityPolicy, User

if TYPE_CHECKING:
    from django_otp.models import Device

__all__ = [
    "OWES_SECOND_FACTOR", "STEP_VIEWS", "authenticator_of", "hash_recovery_code", "mark_verified", "normalize_code",
    "qr_data_uri", "recovery_codes_left", "recovery_device_of", "secret_for_display", "status", "status_for",
    "step_url", "users_who_must_enrol",
]

# A session in one of these states reaches only its step (the view named here), logout and the language switch.
STEP_VIEWS = {
    TwoFactorStatus.CODE_NEEDED: "accounts:two_factor_verify",
    TwoFactorStatus.ENROLMENT_NEEDED: "accounts:two_factor_enrol",
}
OWES_SECOND_FACTOR = frozenset(STEP_VIEWS)
TOTP_CODE = re.compile(r"^\d{6}$")
_REQUEST_CACHE = "_kartoteka_two_factor"


def authenticator_of(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def recovery_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    device = recovery_device_of(user)
    return device.token_set.count() if device is not None else 0


def status_for(user: User) -> TwoFactorStatus:
    """The state of `user` as loaded for this request (OTPMiddleware has set `otp_device` on it if verified)."""
    if not user.is_authenticated:
        return TwoFactorStatus.NOT_NEEDED
    if getattr(user, "otp_device", None) is not None:
        return TwoFactorStatus.VERIFIED
    # Every request of an unverified session asks this: the policy and the device come in one query, on the user's
    # row (the policy's columns are NULL if no policy row was saved: then the defaults hold).
    stored = SecurityPolicy.objects.filter(pk=SecurityPolicy.SINGLETON_PK)
    row = User.objects.filter(pk=user.pk).values(
        enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        roles=Subquery(stored.values("two_factor_roles")[:1]),
        exporters=Subquery(stored.values("two_factor_for_exporters")[:1]),
    ).get()
    if row["enrolled"]:
        return TwoFactorStatus.CODE_NEEDED
    policy = SecurityPolicy(pk=SecurityPolicy.SINGLETON_PK)
    if row["roles"] is not None:
        policy.two_factor_roles, policy.two_factor_for_exporters = row["roles"], row["exporters"]
    if policy.requires_two_factor(user):
        return TwoFactorStatus.ENROLMENT_NEEDED
    return TwoFactorStatus.NOT_NEEDED


def status(request: HttpRequest) -> TwoFactorStatus:
    """status_for(request.user), computed once per request and user (the middleware and the API both ask)."""
    user = request.user
    cached = getattr(request, _REQUEST_CACHE, None)
    verified = getattr(user, "otp_device", None) is not None
    if cached is not None and cached[0] == (user.pk, verified):
        return cached[1]
    result = status_for(user)  # type: ignore[arg-type]
    setattr(request, _REQUEST_CACHE, ((user.pk, verified), result))
    return result


def step_url(request: HttpRequest, next_url: str) -> str | None:
    """Where the session must go before anything else (carrying `next`), or None if it owes nothing."""
    step = STEP_VIEWS.get(status(request))
    return f"{reverse(step)}?{urlencode({'next': next_url})}" if step else None


def users_who_must_enrol(policy: SecurityPolicy) -> list[User]:
    """Active users the policy requires to use two-factor login who have no authenticator app yet."""
    enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    return list(User.objects.filter(policy.requirement_filter(), is_active=True).exclude(pk__in=enrolled))


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session is fully logged in from now on. A new session key, as after the password step."""
    django_otp.login(request, device)
    request.session.cycle_key()


def normalize_code(raw: str) -> str:
    """What a person types → what we compare: no spaces or dashes, lower case (recovery codes are a–z2–7)."""
    return re.sub(r"[\s-]+", "", raw or "").lower()


def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code: 16 hex digits of its SHA-256 (StaticToken.token holds 16 chars).

    64 bits of hash over 50 random bits of code: nothing is lost, and the database never holds a usable code.
    """
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()[:16]


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for typing into an app that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(text: str) -> str:
    """An inline SVG QR code as a data: URI (allowed by our CSP's img-src data:; no external service)."""
    import qrcode  # only when someone enrols: kept out of every worker's start-up memory
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
