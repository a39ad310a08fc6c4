from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kartoteka.core.tables import CRMTable, DateTimeColumn, TagsColumn
from kartoteka.tasks.models import Task, visible_record


class TaskTable(CRMTable):
    entity = "task"
    title = tables.Column(linkify=True)
    kind = tables.Column()
    due_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Due"))
    priority = tables.Column()
    status = tables.Column()
    record = tables.Column(accessor="pk", verbose_name=_("About"), orderable=False)
    owner = tables.Column(verbose_name=_("Responsible"), order_by=("owner__last_name", "owner__username"))
    result = tables.Column()
    tags = TagsColumn()
    created_at = DateTimeColumn(format="d.m.Y", verbose_name=_("Created"))

    default_columns = ("title", "kind", "due_at", "priority", "status", "record", "owner")

    def render_due_at(self, value: Any, record: Task) -> str:
        shown = date_format(timezone.localtime(value), "d.m.Y" if record.all_day else "d.m.Y H:i")
        if record.is_overdue():
            return format_html('<span class="overdue">{}</span>', shown)
        return shown

    def render_record(self, record: Task) -> str:
        linked = visible_record(record)
        return format_html('<a href="{}">{}</a>', linked.get_absolute_url(), linked) if linked else "—"

    class Meta(CRMTable.Meta):
        model = Task
        fields = ("title", "kind", "due_at", "priority", "status", "record", "owner", "result", "tags", "created_at")
