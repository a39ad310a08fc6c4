"""Things people did with a client, shown on the timeline of every record they link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kartoteka.activities.choices import ActivityKind, CallDirection, MessageChannel

__all__ = ["Activity", "CallResult"]


class CallResult(models.Model):
    """A managed list of call outcomes ("Reached", "No answer", "Call back"). A result marked `follow_up`
    offers a follow-up task when a call is logged with it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    follow_up = models.BooleanField(_("offers a follow-up task"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("call result")
        verbose_name_plural = _("call results")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A timeline entry: a call, e-mail, meeting, message or note logged by a person, or a system event (a
    deal's stage change, an escalation of an overdue task).

    It links to any of a company, a contact and a deal and shows on the timeline of each. An entry about a
    contact or a deal also carries its company, so it shows on the company's timeline too.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.NOTE)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="activities",
        null=True, blank=True,  # None: written by the system (an escalation)
    )
    company = models.ForeignKey(
        "contacts.Company", verbose_name=_("company"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="activities",
    )
    deal = models.ForeignKey(
        "deals.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, null=True, blank=True, related_name="activities",
    )
    lead = models.ForeignKey(
        "leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, null=True, blank=True, related_name="activities",
    )
    occurred_at = models.DateTimeField(_("time"), db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    # call
    direction = models.CharField(_("direction"), max_length=3, choices=CallDirection.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration, seconds"), null=True, blank=True)
    result = models.ForeignKey(CallResult, verbose_name=_("result"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="activities")
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    # e-mail
    email_from = models.CharField(_("from"), max_length=254, blank=True)
    email_to = models.CharField(_("to"), max_length=1000, blank=True)
    # meeting
    place = models.CharField(_("place"), max_length=255, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    # message
    channel = models.CharField(_("channel"), max_length=16, choices=MessageChannel.choices, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_time"),
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time"),
            # Manager activity and digests: one author's (or a team's) activities in a period.
            models.Index(fields=["author", "occurred_at"], name="activity_author_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(contact__isnull=False)
                | models.Q(deal__isnull=False) | models.Q(lead__isnull=False),
                name="activities_activity_linked_to_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {(self.subject or self.body)[:50]}"

    @property
    def duration_display(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"
