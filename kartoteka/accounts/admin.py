"""Operators' admin for users and teams. The product UI lives elsewhere; no business logic here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "can_export", "is_active")
    list_filter = ("role", "team", "is_active", "can_export")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Kartoteka"), {"fields": ("role", "team", "can_export", "language")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("heads",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "user", "created_at", "last_used_at")
