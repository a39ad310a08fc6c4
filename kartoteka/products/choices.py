from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Unit(models.TextChoices):
    """The unit a product is sold and counted in."""

    PIECE = "pcs", pgettext_lazy("unit", "pcs")
    SET = "set", pgettext_lazy("unit", "set")
    PACK = "pack", pgettext_lazy("unit", "pack")
    KILOGRAM = "kg", pgettext_lazy("unit", "kg")
    TONNE = "t", pgettext_lazy("unit", "t")
    METRE = "m", pgettext_lazy("unit", "m")
    SQUARE_METRE = "m2", pgettext_lazy("unit", "m²")
    CUBIC_METRE = "m3", pgettext_lazy("unit", "m³")
    LITRE = "l", pgettext_lazy("unit", "l")
    HOUR = "h", pgettext_lazy("unit", "h")
    SERVICE = "service", pgettext_lazy("unit", "service")
    LICENCE = "licence", pgettext_lazy("unit", "licence")


class StockStatus(models.TextChoices):
    """Whether a quantity can be shipped from stock (a filter of the catalog, not a stored field)."""

    IN_STOCK = "in_stock", _("In stock")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
