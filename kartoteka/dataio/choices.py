from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportEntity(models.TextChoices):
    COMPANY = "company", _("Companies")
    CONTACT = "contact", _("Contacts")
    LEAD = "lead", _("Leads")
    DEAL = "deal", _("Deals")
    PRODUCT = "product", _("Products")


class DuplicatePolicy(models.TextChoices):
    """What an import does with a row that matches an existing record."""

    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create anyway")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class RowAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
