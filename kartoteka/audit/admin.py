from django.contrib import admin

from kartoteka.audit.models import ObjectChange


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited."""

    list_display = ("changed_at", "actor_name", "source", "action", "object_repr")
    list_filter = ("action", "source")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
