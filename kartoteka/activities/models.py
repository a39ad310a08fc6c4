"""Things people did with a client, shown on the timeline of every record they link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kartoteka.activities.choices import ActivityKind

__all__ = ["Activity"]


class Activity(models.Model):
    """A timeline entry: a note written by a person, or a deal's stage change; calls, e-mails and meetings follow.

    An entry about a deal also carries the deal's company, so it shows on the company's timeline too.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.NOTE)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="activities"
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
    occurred_at = models.DateTimeField(_("time"), db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(contact__isnull=False)
                | models.Q(deal__isnull=False),
                name="activities_activity_linked_to_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:50]}"
