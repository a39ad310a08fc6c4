"""Operators' read-only view of the catalog: writes go through the services (validation, versions, audit)."""

from django.contrib import admin

from kartoteka.contacts.admin import ReadOnlyAdmin
from kartoteka.products.models import Product


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("sku", "name", "price", "currency", "stock", "active")
    search_fields = ("sku", "name")
    list_filter = ("active", "unit")
