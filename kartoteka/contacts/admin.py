"""Operators' read-only view of companies and contacts.

Writes go through the product UI and the API, which call the services (validation, normalisation,
optimistic versions, soft delete, audit). An editable admin would be a path around all of that.
"""

from django.contrib import admin
from django.http import HttpRequest

from kartoteka.contacts.models import Company, Contact


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ("name", "inn", "status", "owner", "deleted_at")
    search_fields = ("name", "inn")
    list_select_related = ("owner",)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "owner", "deleted_at")
    search_fields = ("last_name", "first_name")
    list_select_related = ("owner", "company")
