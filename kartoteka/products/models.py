"""The product catalog: shared reference data that deal lines take their product, unit and price from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kartoteka.core.models import AuditedModel
from kartoteka.core.querysets import RecordQuerySet
from kartoteka.core.search import normalise_text
from kartoteka.products.choices import Unit

__all__ = ["Product", "ProductQuerySet", "UnmetDemand", "UnmetDemandQuerySet"]

MAX_LEAD_TIME_DAYS = 3650


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def default_vat_rate() -> int:
    return settings.DEFAULT_VAT_RATE


class ProductQuerySet(RecordQuerySet):
    def visible_to(self, user: Any, *, include_deleted: bool = False) -> ProductQuerySet:
        """Every product, for any active signed-in user: the catalog is not owned by anyone.

        (`include_deleted` is accepted for the generic views; products are deactivated, never deleted.)
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()

    def active(self) -> ProductQuerySet:
        return self.filter(active=True)


class Product(AuditedModel):
    """Something the company sells: goods by the piece, kilogram or metre, or a service.

    Prices include VAT at `vat_rate` (empty: not subject to VAT). `stock` is what is on hand now; when a deal needs
    more, `lead_time_days` tells the manager how soon the rest can come.
    """

    sku = models.CharField(_("SKU"), max_length=64, help_text=_("The article number, unique in the catalog."))
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)],
                                help_text=_("Per unit, VAT included."))
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    vat_rate = models.PositiveSmallIntegerField(_("VAT, %"), null=True, blank=True, default=default_vat_rate,
                                                validators=[MaxValueValidator(100)],
                                                help_text=_("Leave empty for goods not subject to VAT."))
    stock = models.DecimalField(_("stock on hand"), max_digits=12, decimal_places=3, default=Decimal(0),
                                validators=[MinValueValidator(0)])
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time, days"), null=True, blank=True, validators=[MaxValueValidator(MAX_LEAD_TIME_DAYS)],
        help_text=_("How many days it takes to get the product when it is out of stock."),
    )
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Inactive products stay on existing deals but cannot be added to new lines."))

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["name", "id"], name="products_product_name_id"),
            models.Index(fields=["active", "name"], name="products_product_active_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sku"], name="products_product_sku_unique"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="products_product_price_not_negative"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="products_product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(vat_rate__lte=100), name="products_product_vat_rate_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        return reverse("products:product_detail", args=[self.pk])

    def build_search_text(self) -> str:
        """The SKU as written and as bare digits (a SKU typed like a phone number searches by its digits)."""
        digits = "".join(c for c in self.sku if c.isdigit())
        return normalise_text(" ".join(p for p in (self.sku, digits if len(digits) >= 4 else "", self.name) if p))

    def in_stock(self, quantity: Decimal) -> bool:
        return self.stock >= quantity


class UnmetDemandQuerySet(RecordQuerySet):
    def visible_to(self, user: Any, *, include_deleted: bool = False) -> UnmetDemandQuerySet:
        """Entries logged by the users whose records `user` sees as a group: a manager their own, a head their
        teams', an administrator all (the same rule as the reports' scope)."""
        from kartoteka.accounts import permissions

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        return self.filter(owner_id__in=permissions.visible_owners(user).values("id"))


class UnmetDemand(AuditedModel):
    """A product a client asked for that could not be supplied: out of stock or not in the catalog at all (then
    only `product_name`). Logged by a manager from a company, contact or deal card; the unmet-demand report adds
    the entries up by product. Written only by products/demand.py."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT,
                              related_name="+")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="unmet_demand")
    product_name = models.CharField(_("product asked for"), max_length=255, blank=True,
                                    help_text=_("What the client asked for, when it is not in the catalog."))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal(1))
    note = models.CharField(_("note"), max_length=500, blank=True)
    company = models.ForeignKey("contacts.Company", verbose_name=_("company"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="unmet_demand")
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="unmet_demand")
    deal = models.ForeignKey("deals.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="unmet_demand")

    objects = UnmetDemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unmet demand")
        verbose_name_plural = _("unmet demand")
        indexes = [
            # The report: entries of a period, optionally of one manager (or a team's managers), by product.
            models.Index(fields=["created_at", "owner"], name="products_demand_created_owner"),
            models.Index(fields=["owner", "created_at"], name="products_demand_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="products_demand_quantity_positive"),
            models.CheckConstraint(condition=models.Q(product__isnull=False) | ~models.Q(product_name=""),
                                   name="products_demand_names_a_product"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.quantity.normalize():f}"

    @property
    def label(self) -> str:
        return self.product.name if self.product_id else self.product_name
