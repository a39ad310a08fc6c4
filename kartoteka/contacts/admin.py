from django.contrib import admin
from django.db import models

from kartoteka.contacts.models import Company, Contact


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "inn", "status", "owner", "deleted_at")
    search_fields = ("name", "inn")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "created_by")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "company", "owner", "deleted_at")
    search_fields = ("last_name", "first_name")
    list_select_related = ("owner", "company")
    raw_id_fields = ("owner", "created_by", "company")
