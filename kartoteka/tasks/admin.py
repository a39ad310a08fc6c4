"""Operators' read-only view of tasks and notifications (writes go through the services, see contacts/admin.py)."""

from django.contrib import admin

from kartoteka.contacts.admin import ReadOnlyAdmin
from kartoteka.notifications.models import Notification
from kartoteka.tasks.models import Task


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "due_at", "owner", "reminded_at", "overdue_notified_at", "escalated_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    list_select_related = ("owner",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Whether a notice went out by e-mail (emailed_at) is what an operator looks for here."""

    list_display = ("recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
