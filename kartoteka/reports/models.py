"""Sales plans: a target amount per manager per month, which the dashboard compares the month's won deals with."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kartoteka.core.models import AuditedModel

__all__ = ["SalesPlan"]


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class SalesPlan(AuditedModel):
    """How much a manager is to win in a month (the site's currency, as the dashboard sums won deals). Set by the
    heads of the manager's team or an administrator (reports/plans.py); every change is audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.CASCADE,
                             related_name="sales_plans")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="reports_salesplan_user_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="reports_salesplan_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {date_format(self.month, 'F Y')}"
