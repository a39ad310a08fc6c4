"""Form bases: forms collect input; the service validates and writes (so the API gets the same rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts import permissions
from kartoteka.core.validators import format_phone
from kartoteka.customfields.values import fields_for, form_field

CF_PREFIX = "cf_"


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose model validation is left to the service.

    `service_data()` is what the service receives; `add_service_errors()` puts the service's
    ValidationError back on the right fields, so errors show in place.
    """

    entity: str = ""
    multi_value_fields: tuple[str, ...] = ()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated."))

    def __init__(self, *args: Any, user: Any = None, only: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "owner" in self.fields:
            if user is not None and permissions.can_reassign(user):
                self.fields["owner"].queryset = permissions.assignable_users(user)
            else:
                del self.fields["owner"]
        for name in self.multi_value_fields:
            self.fields[name] = forms.CharField(
                label=instance._meta.get_field(name).verbose_name.capitalize(), required=False,
                widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."),
            )
            if instance.pk:
                values = getattr(instance, name) or []
                shown = [format_phone(v) for v in values] if name == "phones" else values
                self.initial[name] = "\n".join(shown)
        self.custom_fields = fields_for(self.entity) if self.entity else []
        for cf in self.custom_fields:
            self.fields[CF_PREFIX + cf.key] = form_field(cf)
            if instance.pk and cf.key in (instance.custom_fields or {}):
                self.initial[CF_PREFIX + cf.key] = instance.custom_fields[cf.key]
        if instance.pk:
            self.initial["version"] = instance.version
            if "tags" in self.fields:
                self.initial["tags"] = ", ".join(t.name for t in instance.tags.all())
        if only is not None:
            for name in list(self.fields):
                if name not in only and name != "version":
                    del self.fields[name]

    def _post_clean(self) -> None:
        """Skip ModelForm's model validation: the service validates (see class docstring)."""

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            if name.startswith(CF_PREFIX):
                custom[name[len(CF_PREFIX):]] = value
            elif name == "tags":
                data["tags"] = [t.strip() for t in (value or "").split(",") if t.strip()]
            else:
                data[name] = value
        if custom:
            data["custom_fields"] = custom
        return data

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        cf_keys = {cf.key for cf in self.custom_fields}
        for field, messages in error.message_dict.items():
            if field == "custom_fields":
                for message in messages:
                    key, _sep, text = message.partition(": ")
                    target = CF_PREFIX + key if key in cf_keys and CF_PREFIX + key in self.fields else None
                    self._add_message(target, text if target else message)
                continue
            target = field if field in self.fields else None
            for message in messages:
                self._add_message(target, message if target else f"{field}: {message}")

    def _add_message(self, field: str | None, message: str) -> None:
        self._errors = self._errors or {}
        self.add_error(field, message)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)
