from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.forms import ServiceModelForm
from kartoteka.core.widgets import AutocompleteSelect


class CompanyForm(ServiceModelForm):
    entity = "company"
    multi_value_fields = ("phones", "emails")
    website = forms.URLField(label=_("Website"), required=False, max_length=255, assume_scheme="https")

    class Meta:
        model = Company
        fields = ["name", "legal_form", "inn", "kpp", "ogrn", "status", "industry", "website", "source", "owner",
                  "legal_address", "postal_address", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContactForm(ServiceModelForm):
    entity = "contact"
    multi_value_fields = ("phones", "emails")

    def __init__(self, *args: object, user: object = None, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)  # type: ignore[arg-type]
        if "company" in self.fields and user is not None:
            field = self.fields["company"]
            field.queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
            # Only companies the user may see, also when naming the chosen one in a re-rendered form.
            field.widget = AutocompleteSelect("contacts:company_autocomplete", field.queryset)  # type: ignore[attr-defined]

    class Meta:
        model = Contact
        fields = ["last_name", "first_name", "middle_name", "position", "company", "telegram", "whatsapp", "birthday",
                  "source", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "birthday": forms.DateInput(attrs={"type": "date"})}
