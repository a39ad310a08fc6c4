from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HEAD = "head", _("Head of sales")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")


class TwoFactorStatus(StrEnum):
    """Where a logged-in session stands with the second factor (computed per request, never stored or shown)."""

    NOT_NEEDED = "not_needed"  # no authenticator app and the policy does not require one
    VERIFIED = "verified"  # a code was entered in this session
    CODE_NEEDED = "code_needed"  # has an authenticator app, no code entered yet
    ENROLMENT_NEEDED = "enrolment_needed"  # the policy requires an app and there is none yet
