from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.models import Company
from kartoteka.core.forms import ServiceModelForm
from kartoteka.core.tables import format_quantity
from kartoteka.core.widgets import AutocompleteSelect
from kartoteka.deals.models import Deal, DealLine, LostReason, Pipeline, Stage
from kartoteka.products.models import Product


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.pipeline.name} · {obj.name}"


class DealForm(ServiceModelForm):
    entity = "deal"
    stage = StageChoiceField(queryset=Stage.objects.none(), label=_("Stage"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if "stage" in self.fields:
            self.fields["stage"].queryset = Stage.objects.filter(pipeline__active=True).select_related("pipeline") \
                | Stage.objects.filter(pk=self.instance.stage_id or 0).select_related("pipeline")
        if "company" in self.fields and user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)
            self.fields["company"].widget = AutocompleteSelect(
                "contacts:company_autocomplete", self.fields["company"].queryset)  # type: ignore[attr-defined]
        if "lost_reason" in self.fields:
            self.fields["lost_reason"].queryset = LostReason.objects.filter(active=True) | LostReason.objects.filter(
                pk=self.instance.lost_reason_id or 0)
        if self.instance.amount_from_lines:  # the lines set it (see the card's lines section)
            self.fields.pop("amount", None)

    class Meta:
        model = Deal
        fields = ["title", "stage", "company", "amount", "currency", "expected_close_date", "probability", "source",
                  "lost_reason", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "expected_close_date": forms.DateInput(attrs={"type": "date"})}


class LineForm(forms.Form):
    """A deal line as typed: numbers stay text here, so that "1,5" and the service's messages reach the user."""

    product = forms.CharField(label=_("Product"), required=False)
    quantity = forms.CharField(label=_("Quantity"), required=False, initial="1",
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))
    price = forms.CharField(label=_("Price"), required=False, widget=forms.TextInput(
        attrs={"inputmode": "decimal", "size": 10, "placeholder": _("from the catalog")}))
    discount = forms.CharField(label=_("Discount, %"), required=False,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 4, "placeholder": "0"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, line: DealLine | None = None, **kwargs: Any) -> None:
        if line is not None:
            kwargs.setdefault("initial", {"product": line.product_id, "quantity": format_quantity(line.quantity),
                                          "price": line.price, "discount": format_quantity(line.discount)})
        super().__init__(*args, **kwargs)
        # Any product is named if chosen (a line may keep a deactivated one); the search offers active ones.
        self.fields["product"].widget = AutocompleteSelect("products:product_autocomplete", Product.objects.all())

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("product", "quantity", "price", "discount")}

    def add_service_errors(self, error: Any) -> None:
        for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.all())
    version = forms.IntegerField(required=False)


class LoseForm(forms.Form):
    lost_reason = forms.ModelChoiceField(queryset=LostReason.objects.filter(active=True), label=_("Lost reason"))
    version = forms.IntegerField(required=False)


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "position", "active"]


class StageForm(forms.ModelForm):
    required_fields = forms.CharField(label=_("Required fields"), required=False,
                                      help_text=_("Comma-separated deal fields, e.g. amount, expected_close_date."))

    class Meta:
        model = Stage
        fields = ["name", "position", "probability", "kind", "rotting_days", "required_fields", "checklist"]
        widgets = {"checklist": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.pk:
            self.initial["required_fields"] = ", ".join(self.instance.required_fields or [])

    def clean_required_fields(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data["required_fields"].split(",") if n.strip()]

    def _post_clean(self) -> None:
        """The service validates."""


class LostReasonForm(forms.ModelForm):
    class Meta:
        model = LostReason
        fields = ["name", "position", "active"]
