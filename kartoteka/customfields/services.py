"""Writes to custom field definitions (admins only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.core.errors import AccessDenied
from kartoteka.customfields.choices import FieldType
from kartoteka.customfields.models import CustomField


@transaction.atomic
def save_custom_field(field: CustomField, *, actor: Any, choices: list[str]) -> CustomField:
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()
    if field.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) and not choices:
        raise ValidationError({"choices_text": _("A choice field needs at least one option.")})
    field.choices = choices if field.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) else []
    field.full_clean()
    field.save()
    return field


@transaction.atomic
def delete_custom_field(field: CustomField, *, actor: Any) -> None:
    """Remove the definition. Stored values stay in the records' JSON (and in their history)."""
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()
    field.delete()
