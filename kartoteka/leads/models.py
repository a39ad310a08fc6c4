"""Leads (incoming requests before qualification), the web forms that capture them, and how they are
distributed among a team's managers."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kartoteka.core.models import CRMModel
from kartoteka.core.querysets import CRMQuerySet
from kartoteka.core.search import normalise_text, phone_digits
from kartoteka.leads.choices import OPEN_STATUSES, AbsenceKind, AssignmentRule, LeadSource, LeadStatus

__all__ = ["Absence", "Lead", "TeamDistribution", "WebForm", "WebFormHit"]


def new_form_key() -> str:
    return secrets.token_urlsafe(12)


class LeadQuerySet(CRMQuerySet):
    def visible_to(self, user: Any, *, include_deleted: bool = False) -> LeadQuerySet:
        """The usual scope, plus the unassigned leads waiting in the inbox of the user's team(s)."""
        from kartoteka.accounts.permissions import unassigned_lead_filter, visibility_filter

        qs = self if include_deleted else self.alive()
        return qs.filter(visibility_filter(user, self.model) | unassigned_lead_filter(user))

    def open(self) -> LeadQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Lead(CRMModel):
    """An incoming request (web form, call, e-mail, message, hand entry) before it is qualified.

    Without a responsible it waits in its team's inbox; converting it creates (or links) a contact, a company
    and a deal in one transaction.
    """

    # Unlike other records a lead may have no responsible yet: it waits in the team's inbox.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="leads")
    name = models.CharField(_("name"), max_length=255, blank=True)
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.MANUAL)
    web_form = models.ForeignKey("leads.WebForm", verbose_name=_("web form"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="leads")
    utm_source = models.CharField("utm_source", max_length=255, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=255, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=255, blank=True)
    utm_content = models.CharField("utm_content", max_length=255, blank=True)
    utm_term = models.CharField("utm_term", max_length=255, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    landing_page = models.CharField(_("landing page"), max_length=1000, blank=True)
    payload = models.JSONField(_("raw request"), default=dict, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(_("disqualification reason"), max_length=255, blank=True)
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="leads")
    company = models.ForeignKey("contacts.Company", verbose_name=_("company"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="leads")
    deal = models.ForeignKey("deals.Deal", verbose_name=_("deal"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="leads")
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True, editable=False)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    tags = models.ManyToManyField("customfields.Tag", verbose_name=_("tags"), related_name="leads", blank=True)

    objects = LeadQuerySet.as_manager()

    protected_fields = (*CRMModel.protected_fields, "status", "payload", "assigned_at", "converted_at", "contact",
                        "company", "deal", "web_form")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["team", "status", "created_at"], name="leads_lead_team_inbox"),
            models.Index(fields=["owner", "status", "created_at"], name="leads_lead_owner_status"),
            models.Index(fields=["status", "created_at"], name="leads_lead_status_created"),
        ]

    def __str__(self) -> str:
        return self.name or self.company_name or self.phone or self.email or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("leads:lead_detail", args=[self.pk])

    def build_search_text(self) -> str:
        parts = [self.name, self.company_name, self.email, self.inn, phone_digits(self.phone) if self.phone else ""]
        return normalise_text(" ".join(p for p in parts if p))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WebForm(models.Model):
    """A form on a website that posts to /f/<key>: its fields, where its leads go and what the visitor sees."""

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("key"), max_length=32, unique=True, default=new_form_key, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # [{"name": "phone", "label": "Телефон", "target": "phone", "required": true}, ...]; target is a lead field
    # (FORM_TARGETS) or "cf:<custom field key>".
    fields = models.JSONField(_("fields"), default=list)
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="web_forms", help_text=_("The team whose managers get the leads."))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("fixed responsible"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Every lead goes to this user instead of the team's distribution."))
    pipeline = models.ForeignKey("deals.Pipeline", verbose_name=_("pipeline"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="web_forms",
                                 help_text=_("Where the deal goes when a lead from this form is converted."))
    success_message = models.CharField(_("thank-you message"), max_length=500, default=_("Thank you! We will call you back."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leads:webform_edit", args=[self.pk])


class TeamDistribution(models.Model):
    """How a team's new leads get a responsible (one row per team; without one, round-robin with no capacity)."""

    team = models.OneToOneField("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                                related_name="distribution")
    rule = models.CharField(_("rule"), max_length=16, choices=AssignmentRule.choices, default=AssignmentRule.ROUND_ROBIN)
    existing_client_first = models.BooleanField(
        _("to the responsible of an existing client"), default=True,
        help_text=_("A lead from a known phone, e-mail or INN goes to whoever is responsible for that client."))
    capacity = models.PositiveSmallIntegerField(
        _("open leads per manager, at most"), null=True, blank=True,
        help_text=_("A manager with this many open leads is skipped. Empty: no limit."))
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", editable=False)

    class Meta:
        verbose_name = _("lead distribution")
        verbose_name_plural = _("lead distribution")

    def __str__(self) -> str:
        return str(self.team)


class Absence(models.Model):
    """A period a manager is away (vacation, sick leave): no new leads go to them meanwhile."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="absences")
    kind = models.CharField(_("kind"), max_length=16, choices=AbsenceKind.choices, default=AbsenceKind.VACATION)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        indexes = [models.Index(fields=["user", "ends_on"], name="leads_absence_user_end")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="leads_absence_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class WebFormHit(models.Model):
    """One submission attempt from an address: the rate limit counts these (kept for an hour)."""

    ip = models.GenericIPAddressField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="leads_webformhit_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip} {self.at:%H:%M:%S}"
