from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateEntity(models.TextChoices):
    COMPANY = "company", _("Companies")
    CONTACT = "contact", _("Contacts")


class DuplicateMode(models.TextChoices):
    WARN = "warn", _("Warn, allow saving")
    BLOCK = "block", _("Refuse exact duplicates")


class DuplicateSource(models.TextChoices):
    """The create paths a policy can differ on (the per-import choice skip/update/create sits under IMPORT)."""

    UI = "ui", _("Forms in the web interface")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class Reason(models.TextChoices):
    """Why two records look like the same client. The first three are exact matches."""

    INN = "inn", _("same INN")
    PHONE = "phone", _("same phone")
    EMAIL = "email", _("same e-mail")
    NAME = "name", _("similar name")


EXACT_REASONS = frozenset({Reason.INN, Reason.PHONE, Reason.EMAIL})
