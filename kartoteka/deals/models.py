"""Pipelines, their stages, lost reasons, deals and the stage history that reports are built on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kartoteka.contacts.choices import Source
from kartoteka.core.models import CRMModel
from kartoteka.core.querysets import CRMQuerySet, in_queryset
from kartoteka.core.search import normalise_text
from kartoteka.deals.choices import ContactRole, StageKind

__all__ = ["Deal", "DealContact", "DealLine", "LostReason", "Pipeline", "Stage", "StageChange"]


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Pipeline(models.Model):
    """A sales process with its own ordered stages ("New sales", "Repeat sales", "Tenders")."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One column of a pipeline. A deal may enter it only with every field in `required_fields` filled."""

    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=100)
    probability = models.PositiveSmallIntegerField(_("probability, %"), default=0, validators=[MaxValueValidator(100)])
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN)
    rotting_days = models.PositiveSmallIntegerField(
        _("rotting after, days"), null=True, blank=True,
        help_text=_("A deal without activity or a stage change for longer is marked as rotting."),
    )
    required_fields = models.JSONField(_("required fields"), default=list, blank=True,
                                       help_text=_("Deal fields that must be filled to enter the stage."))
    checklist = models.TextField(_("checklist"), blank=True, help_text=_("What to do at this stage, one item per line."))

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="deals_stage_probability_max_100"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class LostReason(models.Model):
    """Why a deal was lost: a managed list, so the "why we lose" report groups cleanly."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name


class DealQuerySet(CRMQuerySet):
    def open(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.OPEN)

    def won(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.WON)

    def lost(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.LOST)

    def open_first(self) -> DealQuerySet:
        """Open deals first, then the newest: the order of the deal section on company and contact cards."""
        closed = models.Case(models.When(stage__kind=StageKind.OPEN, then=models.Value(0)), default=models.Value(1),
                             output_field=models.IntegerField())
        return self.select_related("stage").annotate(is_closed=closed).order_by("is_closed", "-created_at", "-id")

    def lifetime_value(self) -> dict[str, Any]:
        """Won deals of these (the site's currency): revenue, count, average order, first and last purchase and
        purchases per year since the first. One aggregate query."""
        won = self.filter(stage__kind=StageKind.WON, currency=settings.DEFAULT_CURRENCY).aggregate(
            revenue=models.Sum("amount"), orders=models.Count("id"), first=models.Min("closed_at"),
            last=models.Max("closed_at"))
        orders = won["orders"] or 0
        if not orders:
            return {"orders": 0, "currency": settings.DEFAULT_CURRENCY}
        years = max((won["last"] - won["first"]).days / 365.25, 1.0) if won["first"] and won["last"] else 1.0
        return {**won, "currency": settings.DEFAULT_CURRENCY, "average": (won["revenue"] or 0) / orders,
                "per_year": round(orders / years, 1)}

    def with_company_visibility(self, user: Any) -> DealQuerySet:
        """Annotate `company_visible`: whether `user` may see the deal's company (as for contacts)."""
        from kartoteka.contacts.models import Company

        return self.annotate(company_visible=in_queryset(Company.objects.visible_to(user), "company_id"))

    def with_last_activity(self) -> DealQuerySet:
        """Annotate `last_activity_at`: the latest timeline activity on the deal (one subquery, no N+1)."""
        from kartoteka.activities.models import Activity

        latest = Activity.objects.filter(deal=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
        return self.annotate(last_activity_at=models.Subquery(latest))


class Deal(CRMModel):
    """A sale in progress (or closed) with a company: its stage in a pipeline, amount and people."""

    title = models.CharField(_("title"), max_length=255)
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    company = models.ForeignKey("contacts.Company", verbose_name=_("company"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="deals")
    contacts = models.ManyToManyField("contacts.Contact", verbose_name=_("contacts"), through="DealContact",
                                      related_name="deals", blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_from_lines = models.BooleanField(
        _("amount from lines"), default=False,
        help_text=_("The amount is the total of the deal's product lines, recomputed whenever a line changes."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to use the stage's probability."),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, blank=True)
    lost_reason = models.ForeignKey(LostReason, verbose_name=_("lost reason"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="deals")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    stage_entered_at = models.DateTimeField(_("in the stage since"), null=True, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField("customfields.Tag", verbose_name=_("tags"), related_name="deals", blank=True)

    objects = DealQuerySet.as_manager()

    protected_fields = (*CRMModel.protected_fields, "closed_at", "stage_entered_at")
    # The stage change itself is audited; the entry time that moves with it is bookkeeping.
    audit_exclude = (*CRMModel.audit_exclude, "stage_entered_at")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage"], name="deals_deal_pipeline_stage"),
            models.Index(fields=["owner", "stage"], name="deals_deal_owner_stage"),
            models.Index(fields=["company", "stage"], name="deals_deal_company_stage"),
            models.Index(fields=["closed_at"], name="deals_deal_closed_at"),
            # Reports over one manager's (or a team's) deals closed in a period: sales, ABC/XYZ, RFM.
            models.Index(fields=["owner", "closed_at"], name="deals_deal_owner_closed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="deals_deal_probability_max_100"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deals:deal_detail", args=[self.pk])

    def build_search_text(self) -> str:
        return normalise_text(self.title)

    @property
    def status(self) -> str:
        return self.stage.kind

    @property
    def effective_probability(self) -> int:
        return self.probability if self.probability is not None else self.stage.probability


class DealContact(models.Model):
    """A person taking part in a deal, with their role in the purchase."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="deal_links")
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices, default=ContactRole.OTHER)

    class Meta:
        ordering = ["deal", "id"]
        verbose_name = _("deal contact")
        verbose_name_plural = _("deal contacts")
        constraints = [models.UniqueConstraint(fields=["deal", "contact"], name="deals_dealcontact_unique")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_role_display()})"


class DealLine(models.Model):
    """A product on a deal: how many, at what unit price (taken from the catalog, editable) and discount.

    Prices are in the deal's currency, VAT included. `total` is stored, rounded to the kopeck, so that the deal's
    amount is one SUM away. Lines are written only by deals/lines.py, which keeps the deal's version, audit
    trail and (when it follows the lines) amount in step.
    """

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="deal_lines")
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["deal", "position", "id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        indexes = [models.Index(fields=["deal", "position"], name="deals_dealline_deal_position")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="deals_dealline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="deals_dealline_price_not_negative"),
            models.CheckConstraint(condition=models.Q(discount__gte=0, discount__lte=100),
                                   name="deals_dealline_discount_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.quantity.normalize():f} × {self.price} − {self.discount.normalize():f}%"

    @property
    def in_stock(self) -> bool:
        """Whether the product's stock on hand covers the line's quantity (stock is not reserved by deals)."""
        return self.product.in_stock(self.quantity)


class StageChange(models.Model):
    """A deal entering a stage: the raw data of funnel, conversion and cycle-time reports.

    Stage names are copied so the history still reads after a stage is deleted.
    """

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, verbose_name=_("from stage"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, verbose_name=_("to stage"), on_delete=models.SET_NULL, null=True,
                                 related_name="entries")
    from_stage_name = models.CharField(max_length=100, blank=True)
    to_stage_name = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL,
                              null=True, related_name="+")
    at = models.DateTimeField(_("time"))
    seconds_in_previous = models.PositiveBigIntegerField(_("time in the previous stage, s"), null=True, blank=True)

    class Meta:
        ordering = ["deal", "at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["deal", "at"], name="deals_stagechange_deal_at"),
            models.Index(fields=["to_stage", "at"], name="deals_stagechange_stage_at"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_name or '—'} → {self.to_stage_name}"
