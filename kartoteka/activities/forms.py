"""The activity form of the card: one form, the fields of the chosen kind; activities.services validates."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kartoteka.activities.choices import ActivityKind, CallDirection, MessageChannel
from kartoteka.activities.models import CallResult
from kartoteka.activities.services import KIND_FIELDS
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal
from kartoteka.tasks.forms import DateTimeLocalField

FOLLOW_UP_HOUR = 10
LINK_CHOICES = 50


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, v) for k, v in ActivityKind.choices
                                      if k in KIND_FIELDS], widget=forms.HiddenInput)
    occurred_at = DateTimeLocalField(label=_("Time"), required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirection.choices, required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    duration_minutes = forms.IntegerField(label=_("Duration, min"), required=False, min_value=0, max_value=24 * 60)
    result = forms.ModelChoiceField(label=_("Result"), queryset=CallResult.objects.filter(active=True),
                                    required=False)
    recording_url = forms.CharField(label=_("Recording link"), required=False, max_length=500)
    email_from = forms.CharField(label=_("From"), required=False, max_length=254)
    email_to = forms.CharField(label=_("To"), required=False, max_length=1000)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=255)
    place = forms.CharField(label=_("Place"), required=False, max_length=255)
    participants = forms.CharField(label=_("Participants"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *MessageChannel.choices], required=False)
    body = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=20_000)
    contact = forms.ModelChoiceField(label=_("Also on the contact"), queryset=Contact.objects.none(), required=False)
    deal = forms.ModelChoiceField(label=_("Also on the deal"), queryset=Deal.objects.none(), required=False)
    follow_up = forms.BooleanField(label=_("Create the follow-up task"), required=False, initial=True)
    follow_up_title = forms.CharField(label=_("Task"), required=False, max_length=255)
    follow_up_due_at = DateTimeLocalField(label=_("Call back at"), required=False)

    FIELD_OF = {"duration_seconds": "duration_minutes"}

    def __init__(self, *args: Any, kind: str, record: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.extra_links = self._link_choices(record, user) if record is not None and user is not None else []
        self.initial.setdefault("kind", kind)
        if kind == ActivityKind.MESSAGE:
            self.fields["body"].label = _("Text")
        if record is not None:
            tomorrow = timezone.localdate() + datetime.timedelta(days=1)
            self.initial.setdefault("follow_up_title", _("Call back: %(record)s") % {"record": record})
            self.initial.setdefault("follow_up_due_at", timezone.make_aware(
                datetime.datetime.combine(tomorrow, datetime.time(FOLLOW_UP_HOUR))))
            phones = getattr(record, "phones", None)
            if phones:
                self.initial.setdefault("phone", phones[0].split(";")[0])

    def _link_choices(self, record: Any, user: Any) -> list[str]:
        """The other records the activity may also link to: a company's contacts and open deals, a contact's
        company's open deals, a deal's contacts (those the user may see, at most LINK_CHOICES of each)."""
        company_id = record.pk if isinstance(record, Company) else record.company_id
        names = []
        if not isinstance(record, Contact):
            contacts = Contact.objects.visible_to(user)
            contacts = contacts.filter(deal_links__deal=record) if isinstance(record, Deal) else \
                contacts.filter(company_id=company_id)
            self.fields["contact"].queryset = Contact.objects.filter(
                pk__in=contacts.order_by("last_name", "first_name", "id").values("pk")[:LINK_CHOICES])
            names.append("contact")
        if not isinstance(record, Deal) and company_id:
            deals = Deal.objects.visible_to(user).filter(company_id=company_id, stage__kind=StageKind.OPEN)
            self.fields["deal"].queryset = Deal.objects.filter(pk__in=deals.order_by("-created_at").values("pk")[:LINK_CHOICES])
            names.append("deal")
        return names

    def kind_fields(self) -> list[Any]:
        names = [self.FIELD_OF.get(n, n) for n in KIND_FIELDS[self.kind]]
        links = [n for n in self.extra_links if self.fields[n].queryset.exists()]
        return [self[n] for n in ("occurred_at", *names, "body", *links)]

    @property
    def follow_up_offered(self) -> bool:
        """A call whose chosen result asks for a follow-up: the task fields are shown."""
        if self.kind != ActivityKind.CALL:
            return False
        value = self.data.get("result") if self.is_bound else self.initial.get("result")
        return bool(value) and CallResult.objects.filter(pk=value if str(value).isdigit() else 0,
                                                         follow_up=True).exists()

    def service_data(self) -> dict[str, Any]:
        data = {n: self.cleaned_data.get(self.FIELD_OF.get(n, n)) for n in KIND_FIELDS[self.kind]}
        if "duration_seconds" in data and data["duration_seconds"] is not None:
            data["duration_seconds"] = data["duration_seconds"] * 60
        links = {n: self.cleaned_data[n] for n in self.extra_links if self.cleaned_data.get(n) is not None}
        return {**data, **links, "occurred_at": self.cleaned_data.get("occurred_at"),
                "body": self.cleaned_data.get("body", "")}

    def follow_up_data(self) -> dict[str, Any] | None:
        if not (self.follow_up_offered and self.cleaned_data.get("follow_up")):
            return None
        return {"title": self.cleaned_data.get("follow_up_title") or "",
                "due_at": self.cleaned_data.get("follow_up_due_at")}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = self.FIELD_OF.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class CallResultForm(forms.ModelForm):
    class Meta:
        model = CallResult
        fields = ["name", "position", "active", "follow_up"]
