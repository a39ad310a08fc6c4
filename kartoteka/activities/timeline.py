"""The card's chronological timeline: audit entries (creation, field changes, delete/restore) and
activities (notes, ...), merged newest first with a time cursor so a long history stays fast."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.dateparse import parse_datetime

from kartoteka.activities.choices import ActivityKind
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
    next_cursor: str | None


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: entries at or before `at`, minus those at exactly `at` already shown."""

    at: datetime.datetime
    shown_changes: frozenset[int] = frozenset()
    shown_activities: frozenset[int] = frozenset()

    def encode(self) -> str:
        changes = ".".join(str(i) for i in sorted(self.shown_changes))
        activities = ".".join(str(i) for i in sorted(self.shown_activities))
        return f"{self.at.isoformat()}~{changes}~{activities}"

    @classmethod
    def decode(cls, raw: str) -> Cursor | None:
        """None for anything malformed (the first page is shown instead)."""
        parts = (raw or "").split("~")
        at = parse_datetime(parts[0]) if parts[0] else None
        if at is None or len(parts) != 3:
            return None
        try:
            ids = [frozenset(int(i) for i in part.split(".") if i) for part in parts[1:]]
        except ValueError:
            return None
        return cls(at=at, shown_changes=ids[0], shown_activities=ids[1])


def _activity_link(record: Any) -> dict[str, Any] | None:
    """Which activities a record's timeline shows: a company's include those of its contacts and deals.
    None for a record without activities of its own (a product's or a task's timeline is its audit trail)."""
    from kartoteka.deals.models import Deal

    if isinstance(record, Company):
        return {"company": record}
    if isinstance(record, Contact):
        return {"contact": record}
    if record._meta.model_name == "lead":
        return {"lead": record}
    if isinstance(record, Deal):
        return {"deal": record}
    return None


def timeline_for(record: Any, *, cursor: str | None = None, kinds: set[str] | None = None,
                 limit: int = PAGE_SIZE) -> TimelinePage:
    """One page of the record's timeline, newest first. Two indexed queries, each at most limit+1 rows."""
    position = Cursor.decode(cursor) if cursor else None
    entries: list[TimelineEntry] = []
    if kinds is None or "change" in kinds:
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).select_related("actor")
        if position:
            changes = changes.filter(changed_at__lte=position.at).exclude(
                changed_at=position.at, pk__in=position.shown_changes)
        for change in changes.order_by("-changed_at", "-id")[: limit + 1]:
            entries.append(TimelineEntry(
                at=change.changed_at, kind="change", actor=str(change.actor or change.actor_name or ""), change=change,
                fields=[(name, before_v, after_v) for name, (before_v, after_v) in change.changed_fields.items()],
            ))
    activity_kinds = None if kinds is None else kinds - {"change"}
    link = _activity_link(record)
    if link is not None and (activity_kinds is None or activity_kinds):
        activities = Activity.objects.filter(**link).select_related("author", "result")
        if "deal" in link:
            # On the deal's own card its audit entry already shows the stage change.
            activities = activities.exclude(kind=ActivityKind.STAGE_CHANGE)
        if activity_kinds:
            activities = activities.filter(kind__in=activity_kinds)
        if position:
            activities = activities.filter(occurred_at__lte=position.at).exclude(
                occurred_at=position.at, pk__in=position.shown_activities)
        for activity in activities.order_by("-occurred_at", "-id")[: limit + 1]:
            entries.append(TimelineEntry(at=activity.occurred_at, kind=activity.kind,
                                         actor=str(activity.author) if activity.author_id else "", activity=activity))
    entries.sort(key=lambda e: (e.at, e.change is not None, (e.change or e.activity).pk), reverse=True)
    page = entries[:limit]
    if len(entries) <= limit or not page:
        return TimelinePage(entries=page, next_cursor=None)
    last_at = page[-1].at
    same_time = [e for e in page if e.at == last_at]
    already = position if position and position.at == last_at else None
    next_position = Cursor(
        at=last_at,
        shown_changes=frozenset(e.change.pk for e in same_time if e.change)
        | (already.shown_changes if already else frozenset()),
        shown_activities=frozenset(e.activity.pk for e in same_time if e.activity)
        | (already.shown_activities if already else frozenset()),
    )
    return TimelinePage(entries=page, next_cursor=next_position.encode())
