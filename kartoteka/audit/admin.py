from typing import Any

from django.contrib import admin

from kartoteka.audit.models import ObjectChange, SecurityEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited (the models and the database refuse it too)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "actor_name", "source", "action", "object_repr")
    list_filter = ("action", "source")
    show_full_result_count = False  # no COUNT(*) over millions of rows per page


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "username", "ip_address", "source", "object_repr")
    list_filter = ("kind", "source")
    search_fields = ("=username", "=ip_address")
    list_select_related = ("content_type",)
    show_full_result_count = False
