"""Users, teams, API tokens and explicit record shares."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.choices import Role

__all__ = ["ApiToken", "RecordShare", "SecurityPolicy", "Team", "User"]


class Team(models.Model):
    """A sales team: its members' records are visible to the team's heads."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    heads = models.ManyToManyField("accounts.User", verbose_name=_("heads"), related_name="headed_teams", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who works in Kartoteka. The role decides scope; the team decides who their head is."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MANAGER)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    can_export = models.BooleanField(_("may export"), default=False)
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=[("ru", "Русский"), ("en", "English")]
    )
    # Per-user UI preferences, e.g. {"columns": {"company": ["name", "inn", ...]}}
    preferences = models.JSONField(_("preferences"), default=dict, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_head(self) -> bool:
        return self.role == Role.HEAD

    @property
    def is_viewer(self) -> bool:
        return self.role == Role.VIEWER


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the plain token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class RecordShare(models.Model):
    """An explicit grant: `user` may see one record they do not own (read-only)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="shares")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("record share")
        verbose_name_plural = _("record shares")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="accounts_recordshare_unique_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.content_type.model} #{self.object_id}"


def default_two_factor_roles() -> list[str]:
    return [Role.ADMIN.value]


class SecurityPolicy(models.Model):
    """The site's login policy: one row (pk=1), changed by admins on /settings/security/.

    Until an admin saves it, `load()` returns the unsaved defaults: two-factor login for admins and for
    everyone who may export. Change it only with `services.update_security_policy`.
    """

    SINGLETON_PK = 1

    two_factor_roles = models.JSONField(
        _("roles that must use two-factor login"), default=default_two_factor_roles, blank=True
    )
    two_factor_for_exporters = models.BooleanField(_("users who may export must use two-factor login"), default=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="accounts_securitypolicy_singleton"),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> SecurityPolicy:
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)

    def requirement_filter(self) -> models.Q:
        """The users this policy requires to use two-factor login, as a filter on User (see requires_two_factor)."""
        required = models.Q(role__in=self.two_factor_roles)
        if Role.ADMIN in self.two_factor_roles:
            required |= models.Q(is_staff=True) | models.Q(is_superuser=True)
        if self.two_factor_for_exporters:
            required |= models.Q(can_export=True)
        return required

    def requires_two_factor(self, user: User) -> bool:
        """Staff and superusers count as admins: they reach the Django admin whatever their role."""
        roles = {user.role} | ({Role.ADMIN.value} if user.is_staff or user.is_superuser else set())
        return bool(roles & set(self.two_factor_roles)) or (self.two_factor_for_exporters and user.can_export)
