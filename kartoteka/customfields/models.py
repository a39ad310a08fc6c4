"""Admin-defined typed fields (values live in each record's `custom_fields` JSON) and tags."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kartoteka.customfields.choices import Entity, FieldType

__all__ = ["CustomField", "Tag"]

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$", _("Use lower-case Latin letters, digits and underscores, starting with a letter.")
)


class CustomField(models.Model):
    """One typed field an admin added to an entity; `key` is its name in the JSON and the API."""

    entity = models.CharField(_("entity"), max_length=16, choices=Entity.choices)
    key = models.CharField(_("key"), max_length=50, validators=[key_validator])
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True, help_text=_("For choice fields: one option per line."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=100)

    class Meta:
        ordering = ["entity", "position", "label"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="customfields_customfield_unique_key")]

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.label}"


class Tag(models.Model):
    """A free label for grouping records ("VIP", "tender 2026")."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")])

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name
