"""Task forms: collect input; tasks.services validates and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.forms import ServiceModelForm
from kartoteka.core.widgets import AutocompleteSelect
from kartoteka.deals.models import Deal
from kartoteka.tasks.models import Task

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalField(forms.DateTimeField):
    """A browser's <input type="datetime-local"> (also takes a plain date: an all-day task's day)."""

    input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class TaskForm(ServiceModelForm):
    entity = "task"
    due_at = DateTimeLocalField(label=_("Due"))

    class Meta:
        model = Task
        fields = ["title", "kind", "due_at", "all_day", "priority", "owner", "company", "contact", "deal",
                  "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "contact": forms.HiddenInput,
                   "deal": forms.HiddenInput}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if user is None:
            return
        if "company" in self.fields:
            self.fields["company"].queryset = Company.objects.visible_to(user)
            self.fields["company"].widget = AutocompleteSelect(
                "contacts:company_autocomplete", self.fields["company"].queryset)  # type: ignore[attr-defined]
        for name, model in (("contact", Contact), ("deal", Deal)):
            if name in self.fields:
                self.fields[name].queryset = model.objects.visible_to(user)


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("Result"), required=False, max_length=5000,
                             widget=forms.TextInput(attrs={"placeholder": _("What came of it")}))
    log_activity = forms.BooleanField(label=_("Log it on the timeline"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DailyLimitForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    limit = forms.IntegerField(label=_("Tasks a day"), required=False, min_value=1, max_value=200)
