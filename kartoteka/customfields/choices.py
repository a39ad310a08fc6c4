from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multichoice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes / no")
    URL = "url", _("Link")


class Entity(models.TextChoices):
    """Record kinds that carry custom fields."""

    COMPANY = "company", _("Company")
    CONTACT = "contact", _("Contact")
    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")
