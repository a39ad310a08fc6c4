from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.customfields.models import CustomField


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("For choice fields: one option per line."))

    class Meta:
        model = CustomField
        fields = ["entity", "key", "label", "field_type", "required", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices or [])
            # The key is the field's name in stored values and the API: fixed once created.
            self.fields["key"].disabled = True
            self.fields["entity"].disabled = True
            # Stored values were validated for this type; another type would misread them.
            self.fields["field_type"].disabled = True

    def clean_choices_text(self) -> list[str]:
        options = [line.strip() for line in self.cleaned_data.get("choices_text", "").splitlines() if line.strip()]
        return list(dict.fromkeys(options))
