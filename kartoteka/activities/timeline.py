"""The card's chronological timeline: audit entries (creation, field changes, delete/restore) and
activities (notes, ...), merged newest first with a time cursor so a long history stays fast."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType

from kartoteka.activities.models import Activity
from kartoteka.audit.models import ObjectChange
from kartoteka.contacts.models import Company, Contact

PAGE_SIZE = 30


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "change" or an ActivityKind value
    actor: str
    change: ObjectChange | None = None
    activity: Activity | None = None
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    next_before: str | None


def timeline_for(record: Company | Contact, *, before: datetime.datetime | None = None, kinds: set[str] | None = None,
                 limit: int = PAGE_SIZE) -> TimelinePage:
    """One page of the record's timeline. Two indexed queries, each at most limit+1 rows."""
    entries: list[TimelineEntry] = []
    if kinds is None or "change" in kinds:
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).select_related("actor")
        if before:
            changes = changes.filter(changed_at__lt=before)
        for change in changes.order_by("-changed_at", "-id")[: limit + 1]:
            entries.append(TimelineEntry(
                at=change.changed_at, kind="change", actor=str(change.actor or change.actor_name or ""), change=change,
                fields=[(name, before_v, after_v) for name, (before_v, after_v) in change.changed_fields.items()],
            ))
    activity_kinds = None if kinds is None else kinds - {"change"}
    if activity_kinds is None or activity_kinds:
        link = {"company": record} if isinstance(record, Company) else {"contact": record}
        activities = Activity.objects.filter(**link).select_related("author")
        if activity_kinds:
            activities = activities.filter(kind__in=activity_kinds)
        if before:
            activities = activities.filter(occurred_at__lt=before)
        for activity in activities.order_by("-occurred_at", "-id")[: limit + 1]:
            entries.append(TimelineEntry(at=activity.occurred_at, kind=activity.kind, actor=str(activity.author),
                                         activity=activity))
    entries.sort(key=lambda e: e.at, reverse=True)
    has_more = len(entries) > limit
    page = entries[:limit]
    return TimelinePage(entries=page, next_before=page[-1].at.isoformat() if has_more and page else None)
