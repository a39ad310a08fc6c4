from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.models import User
from kartoteka.handover.choices import SplitRule


class ReceiversForm(forms.Form):
    receivers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), label=_("Receivers"),
                                               widget=forms.CheckboxSelectMultiple)
    rule = forms.ChoiceField(choices=SplitRule.choices, label=_("Split"), initial=SplitRule.EVEN)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)

    def __init__(self, *args: Any, users: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = users
        self.fields["receivers"].required = required


class CoverForm(forms.Form):
    substitute = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Substitute"))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = users
