"""Operators' admin for users and teams. The product UI lives elsewhere; no business logic here."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts import services
from kartoteka.accounts.models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "can_export", "is_active")
    list_filter = ("role", "team", "is_active", "can_export")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Kartoteka"), {"fields": ("role", "team", "can_export", "language")}),
    )
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (lost phone and recovery codes)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.reset_two_factor(user, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Two-factor login was reset; the users set it up again at their next login."),
                          messages.SUCCESS)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("heads",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "user", "created_at", "last_used_at")
