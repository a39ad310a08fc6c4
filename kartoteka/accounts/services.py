"""Writes to users, teams, tokens and preferences."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import ApiToken, Team, User

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

