from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.models import User
from kartoteka.core.forms import ServiceModelForm
from kartoteka.deals.models import Pipeline
from kartoteka.leads.models import Absence, Lead, TeamDistribution, WebForm
from kartoteka.leads.webforms import targets


class LeadForm(ServiceModelForm):
    entity = "lead"

    class Meta:
        model = Lead
        fields = ["name", "company_name", "phone", "email", "inn", "message", "source", "team", "owner",
                  "utm_source", "utm_medium", "utm_campaign"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "email" in self.fields:  # the service normalises and reports; keep the field a plain text input here
            self.fields["email"] = forms.CharField(label=self.fields["email"].label, required=False)
        if "owner" in self.fields:
            self.fields["owner"].required = False


class ConvertForm(forms.Form):
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False, initial=True)
    title = forms.CharField(label=_("Deal title"), required=False, max_length=255)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=14, decimal_places=2)
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.filter(active=True), label=_("Pipeline"),
                                      required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def deal_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"title": data.get("title"), "amount": data.get("amount"),
                "pipeline": data["pipeline"].pk if data.get("pipeline") else None}


class DisqualifyForm(forms.Form):
    disqualify_reason = forms.CharField(label=_("Reason"), max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Responsible"))
    reason = forms.CharField(label=_("Why"), required=False, max_length=255)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users


class WebFormForm(forms.ModelForm):
    class Meta:
        model = WebForm
        fields = ["name", "active", "team", "responsible", "pipeline", "success_message"]

    def _post_clean(self) -> None:
        """The service validates."""


class WebFormFieldForm(forms.Form):
    name = forms.CharField(label=_("Field name"), required=False, max_length=50)
    label = forms.CharField(label=_("Label"), required=False, max_length=100)
    target = forms.ChoiceField(label=_("Fills"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *targets()]


WebFormFieldFormSet = forms.formset_factory(WebFormFieldForm, extra=3, max_num=20)


class DistributionForm(forms.ModelForm):
    class Meta:
        model = TeamDistribution
        fields = ["rule", "existing_client_first", "capacity"]


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["user", "kind", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}),
                   "ends_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


__all__ = ["AbsenceForm", "AssignForm", "ConvertForm", "DisqualifyForm", "DistributionForm", "LeadForm",
           "WebFormFieldFormSet", "WebFormForm"]
