"""Companies (counterparties) and the people who work there."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
from kartoteka.core.models import CRMModel
from kartoteka.core.querysets import CRMQuerySet, in_queryset
from kartoteka.core.search import normalise_text, phone_digits

__all__ = ["Company", "Contact"]


class Company(CRMModel):
    """A counterparty: a client, a prospect or a former client."""

    name = models.CharField(_("name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=255, blank=True)
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=500, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.POTENTIAL)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField("customfields.Tag", verbose_name=_("tags"), related_name="companies", blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["name", "id"], name="contacts_company_name_id"),
            models.Index(fields=["owner", "name"], name="contacts_company_owner_name"),
            models.Index(fields=["status", "name"], name="contacts_company_status_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:company_detail", args=[self.pk])

    def build_search_text(self) -> str:
        parts = [self.name, self.inn, self.kpp, self.ogrn, *self.emails, *(phone_digits(p) for p in self.phones)]
        return normalise_text(" ".join(p for p in parts if p))


class ContactQuerySet(CRMQuerySet):
    def with_company_visibility(self, user: Any) -> ContactQuerySet:
        """Annotate `company_visible`: whether `user` may see the contact's company (alive and in scope).

        A visible contact may belong to a company its viewer cannot see; lists and the API then show no company.
        """
        return self.annotate(company_visible=in_queryset(Company.objects.visible_to(user), "company_id"))


class Contact(CRMModel):
    """A person: a client's employee or a private client. May exist without a company."""

    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    telegram = models.CharField(_("Telegram"), max_length=64, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=32, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField("customfields.Tag", verbose_name=_("tags"), related_name="contacts", blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="contacts_contact_name_id"),
            models.Index(fields=["owner", "last_name"], name="contacts_contact_owner_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def get_absolute_url(self) -> str:
        return reverse("contacts:contact_detail", args=[self.pk])

    def build_search_text(self) -> str:
        parts = [
            self.last_name, self.first_name, self.middle_name, self.position, self.telegram,
            *self.emails, *(phone_digits(p) for p in self.phones),
        ]
        return normalise_text(" ".join(p for p in parts if p))
