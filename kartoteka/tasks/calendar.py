"""The calendar's reads: tasks and meetings of one user or of the people a head oversees, by day, for a
day, a week or a month."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kartoteka.accounts import permissions
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.models import Deal
from kartoteka.tasks.models import Task, day_start

VIEWS = ("month", "week", "day")
MAX_ITEMS = 1000


@dataclass
class Day:
    date: datetime.date
    in_period: bool
    tasks: list[Task] = field(default_factory=list)
    meetings: list[Activity] = field(default_factory=list)


@dataclass
class Calendar:
    view: str
    anchor: datetime.date
    start: datetime.date
    weeks: list[list[Day]]
    previous: datetime.date
    next: datetime.date
    who: str


def period(view: str, anchor: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date, datetime.date]:
    """(first shown day, day after the last, previous anchor, next anchor); months show whole weeks."""
    if view == "day":
        return anchor, anchor + datetime.timedelta(days=1), anchor - datetime.timedelta(days=1), \
            anchor + datetime.timedelta(days=1)
    if view == "week":
        start = anchor - datetime.timedelta(days=anchor.weekday())
        return start, start + datetime.timedelta(days=7), anchor - datetime.timedelta(days=7), \
            anchor + datetime.timedelta(days=7)
    first = anchor.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    start = first - datetime.timedelta(days=first.weekday())
    end = following + datetime.timedelta(days=(7 - following.weekday()) % 7)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return start, end, previous, following


def owners_for(user: Any, who: str) -> Any:
    """Whose calendar: "me", "team" (everyone the user oversees) or one user's id among them."""
    visible = permissions.visible_owners(user)
    if who == "team" and (user.is_head or user.is_admin or user.is_viewer):
        return visible
    if who.isdigit():
        return visible.filter(pk=int(who))
    return visible.filter(pk=user.pk)


def build(user: Any, *, view: str = "month", anchor: datetime.date | None = None, who: str = "me") -> Calendar:
    """Tasks (by deadline) and meetings (by time) in the period, each on its day. Two queries for the items."""
    view = view if view in VIEWS else "month"
    anchor = anchor or timezone.localdate()
    start, end, previous, following = period(view, anchor)
    owners = owners_for(user, who)
    since, until = day_start(start), day_start(end)
    tasks = (Task.objects.visible_to(user).filter(owner__in=owners, due_at__gte=since, due_at__lt=until)
             .exclude(status="cancelled").select_related("owner").order_by("due_at", "id")[:MAX_ITEMS])
    meetings = (Activity.objects.filter(kind=ActivityKind.MEETING, author__in=owners, occurred_at__gte=since,
                                        occurred_at__lt=until)
                .filter(Q(company_id__in=Company.objects.visible_to(user).values("pk"))
                        | Q(contact_id__in=Contact.objects.visible_to(user).values("pk"))
                        | Q(deal_id__in=Deal.objects.visible_to(user).values("pk")))
                .select_related("company", "contact", "deal").order_by("occurred_at", "id")[:MAX_ITEMS])
    by_day: dict[datetime.date, Day] = {}
    days = []
    current = start
    while current < end:
        day = Day(date=current, in_period=view != "month" or current.month == anchor.month)
        by_day[current] = day
        days.append(day)
        current += datetime.timedelta(days=1)
    grouped: dict[datetime.date, list[Any]] = defaultdict(list)
    for task in tasks:
        grouped[timezone.localdate(task.due_at)].append(task)
    for date, items in grouped.items():
        if date in by_day:
            by_day[date].tasks = items
    for meeting in meetings:
        date = timezone.localdate(meeting.occurred_at)
        if date in by_day:
            by_day[date].meetings.append(meeting)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    return Calendar(view=view, anchor=anchor, start=start, weeks=weeks, previous=previous, next=following, who=who)
